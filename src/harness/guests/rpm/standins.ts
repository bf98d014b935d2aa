// The stand-in programs of an RPM-family test guest, as /bin/sh text (busybox runs them in the
// libguestfs appliance's chroot). Each records its command line in STANDIN_LOG, one line per call,
// and writes what the real program would leave behind, so the checks can read both back:
// dracut an image at the path it was given, grub2-mkconfig a BLS grub.cfg, grubby the grubenv
// saved_entry. rpm is Debian's real rpm binary (with its libraries) behind a recording wrapper.

/** The log every stand-in and every package scriptlet appends to, in call order. */
export const STANDIN_LOG = "/var/log/v2v-standin.log";

/** Where the borrowed rpm binary, its loader and libraries live inside the guest. */
export const RPM_STANDIN_DIR = "/usr/lib/v2v-standin/rpm";

/** Every stand-in starts like this: a shebang, a comment saying what it is, the recording line. */
/** Shell lines of a grub-mkconfig stand-in: $out from -o FILE or --output=FILE, which is required. */
export const OUTPUT_OPTION_SH = (program: string): string => `out=
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out=$2; shift 2 ;;
    --output=*) out=\${1#--output=}; shift ;;
    *) shift ;;
  esac
done
if [ -z "$out" ]; then echo "${program} (stand-in): -o FILE is required" >&2; exit 1; fi
`;

const header = (program: string, what: string): string =>
  `#!/bin/sh\n# Stand-in ${program} of a v2v test guest (not the real tool): ${what}.\necho "${program} $*" >> ${STANDIN_LOG}\n`;

/** dracut [options] IMAGE KERNEL-VERSION: writes IMAGE naming the kernel and the configured drivers. */
export const DRACUT_STANDIN = `${header("dracut", "records its arguments and writes a small image naming the kernel and dracut.conf.d's add_drivers")}
image=
kver=
for a in "$@"; do
  case "$a" in
    -*) ;;
    *) if [ -z "$image" ]; then image=$a; else kver=$a; fi ;;
  esac
done
if [ -z "$image" ] || [ -z "$kver" ]; then echo "dracut (stand-in): usage: dracut [options] IMAGE KERNEL-VERSION" >&2; exit 1; fi
if [ ! -d "/lib/modules/$kver" ]; then echo "dracut (stand-in): no /lib/modules/$kver" >&2; exit 1; fi
{
  echo "stand-in initramfs for kernel $kver"
  cat /etc/dracut.conf.d/*.conf 2>/dev/null | grep '^add_drivers' || true
} > "$image.tmp" && mv "$image.tmp" "$image"
`;

/** grub2-mkconfig -o FILE: a RHEL 9 style grub.cfg whose menu comes from the BLS entries. */
export const GRUB2_MKCONFIG_STANDIN = `${header("grub2-mkconfig", "records its arguments and writes a grub.cfg that reads the BLS entries")}
${OUTPUT_OPTION_SH("grub2-mkconfig")}{
  echo "# Written by the stand-in grub2-mkconfig: the menu entries are /boot/loader/entries/*.conf"
  echo "set timeout=5"
  echo 'if [ -s $prefix/grubenv ]; then'
  echo '  load_env'
  echo 'fi'
  echo 'set default="\${saved_entry}"'
  echo 'insmod blscfg'
  echo 'blscfg'
} > "$out.tmp" && mv "$out.tmp" "$out"
`;

/** grubby --set-default /boot/vmlinuz-V: saved_entry becomes the BLS entry whose linux line boots V. */
export const GRUBBY_STANDIN = `${header("grubby", "records its arguments; --set-default writes saved_entry into /boot/grub2/grubenv")}
if [ "$1" != "--set-default" ] || [ -z "$2" ]; then echo "grubby (stand-in): only --set-default KERNEL" >&2; exit 1; fi
kernel=\${2#/boot}
id=
for f in /boot/loader/entries/*.conf; do
  if grep -q "^linux $kernel\\$" "$f"; then id=$(basename "$f" .conf); fi
done
if [ -z "$id" ]; then echo "grubby (stand-in): no BLS entry boots $2" >&2; exit 1; fi
env=$(printf '# GRUB Environment Block\\nsaved_entry=%s\\nboot_success=0\\n' "$id")
pad=$((1024 - \${#env} - 1))
{ printf '%s\\n' "$env"; head -c "$pad" /dev/zero | tr '\\000' '#'; } > /boot/grub2/grubenv.tmp && mv /boot/grub2/grubenv.tmp /boot/grub2/grubenv
`;

/** /usr/bin/rpm: records the call, then runs Debian's rpm through its own loader and libraries. */
export const RPM_WRAPPER = `${header("rpm", "records its arguments and runs Debian's rpm 4.18, copied with its libraries")}
exec ${RPM_STANDIN_DIR}/ld-linux-x86-64.so.2 --library-path ${RPM_STANDIN_DIR}/lib ${RPM_STANDIN_DIR}/rpm "$@"
`;

/**
 * rpm's configuration in the guest. libguestfs 1.48 reads the package list with librpm chrooted
 * into the guest, so it reads these (measured: without them "no dbpath has been set" and no
 * package is listed); the sqlite backend is what Debian's rpm 4.18 writes, as RHEL 9 does.
 */
export const RPM_MACROS = [
  "# rpm macros of a v2v stand-in guest: the database where RHEL keeps it, in sqlite.",
  "%_var /var",
  "%_dbpath %{_var}/lib/rpm",
  "%_db_backend sqlite",
  "%_rpmlock_path %{_dbpath}/.rpm.lock",
  "%_tmppath %{_var}/tmp",
  "",
].join("\n");

/** librpm refuses to start without an rpmrc; the defaults suffice. */
export const RPMRC = "# rpmrc of a v2v stand-in guest: rpm's built-in defaults apply.\n";

/** The stand-in programs by guest path (mode 0755), for the packages that own them. */
export const STANDIN_PROGRAMS = {
  dracut: { path: "/usr/bin/dracut", text: DRACUT_STANDIN },
  grub2Mkconfig: { path: "/usr/sbin/grub2-mkconfig", text: GRUB2_MKCONFIG_STANDIN },
  grubby: { path: "/usr/sbin/grubby", text: GRUBBY_STANDIN },
} as const;
