// The stand-in grub-mkconfig of the SUSE and ALT stand-ins, whose GRUB 2 has no BLS: it writes a
// grub.cfg with one menuentry per /boot/vmlinuz-<version>, newest first (as 10_linux sorts them),
// root= from /etc/fstab's "/" line, the kernel arguments and GRUB_DEFAULT of the defaults file it
// sources (/etc/default/grub on SUSE, /etc/sysconfig/grub2 on ALT), and "${saved_entry}" with
// GRUB_DEFAULT=saved. Entry ids are "gnulinux-<version>-advanced-<machine-id>", as the installer's
// grub.cfg of the tree has them, so grubenv's saved_entry names the same entry before and after.
import { OUTPUT_OPTION_SH, STANDIN_LOG } from "./standins.js";
import { machineId } from "./tree.js";
import type { RpmRecipe } from "./recipe.js";

/** What differs between the families' grub-mkconfig. */
export interface GrubMenuStandin {
  /** "grub2-mkconfig" (SUSE) or "grub-mkconfig" (ALT): the name it records itself under. */
  readonly program: string;
  /** The shell defaults file it sources. */
  readonly defaultsPath: string;
  /** The initrd's file name on /boot for a kernel version in $v, as shell: "initrd-$v". */
  readonly initrdName: string;
  /** The entries' titles start with it ("SLES 15-SP5"). */
  readonly distributor: string;
  /** The menuentry's first --class ("sles", "altlinux"). */
  readonly osClass: string;
}

/** Pure: the menu entry id of a kernel, as both the tree's grub.cfg and the stand-in write it. */
export const menuEntryId = (version: string, machineId: string): string => `gnulinux-${version}-advanced-${machineId}`;

/** Pure: the menuentry block of one kernel (the tree's installer-written grub.cfg uses it too). */
export function renderMenuEntry(m: GrubMenuStandin, version: string, machineId: string, root: string, args: string, initrd: string): string {
  return [
    `menuentry '${m.distributor}, with Linux ${version}' --class ${m.osClass} --class gnu-linux --class gnu --class os $menuentry_id_option '${menuEntryId(version, machineId)}' {`,
    "\tload_video",
    "\tset gfxpayload=keep",
    "\tinsmod gzio",
    "\tinsmod part_msdos",
    "\tinsmod ext2",
    `\tlinux\t/vmlinuz-${version} root=${root} \${extra_cmdline} ${args}`,
    `\tinitrd\t/${initrd}`,
    "}",
  ].join("\n");
}

/** Pure: the head of grub.cfg: the default entry, from grubenv when GRUB_DEFAULT=saved. */
export function renderMenuHead(defaultValue: string): string {
  return [
    "# Written by grub-mkconfig (a v2v stand-in) from the kernels in /boot",
    "if [ -s $prefix/grubenv ]; then",
    "  load_env",
    "fi",
    defaultValue === "saved" ? 'set default="${saved_entry}"' : `set default="${defaultValue}"`,
    "set timeout=8",
  ].join("\n");
}

/**
 * Pure: the grub.cfg an installer left, in the stand-in's format: newest kernel first, GRUB's
 * saved default, root on VMware's /dev/sda2.
 */
export function installerGrubCfg(r: RpmRecipe, m: GrubMenuStandin, args: string, initrd: (kernel: string) => string): string {
  const entries = [...r.kernels].reverse().map((k) => renderMenuEntry(m, k, machineId(r), "/dev/sda2", args, initrd(k)));
  return `${[renderMenuHead("saved"), ...entries].join("\n\n")}\n`;
}

/** Pure: the stand-in's /bin/sh text. */
export function grubMenuStandin(m: GrubMenuStandin): string {
  return `#!/bin/sh
# Stand-in ${m.program} of a v2v test guest (not the real tool): records its arguments and writes a
# grub.cfg with one entry per /boot/vmlinuz-*, newest first, root= from /etc/fstab.
echo "${m.program} $*" >> ${STANDIN_LOG}
${OUTPUT_OPTION_SH(m.program)}GRUB_DEFAULT=0
GRUB_CMDLINE_LINUX=
GRUB_CMDLINE_LINUX_DEFAULT=
if [ -f ${m.defaultsPath} ]; then . ${m.defaultsPath}; fi
root=$(awk '$2 == "/" { print $1; exit }' /etc/fstab)
if [ -z "$root" ]; then echo "${m.program} (stand-in): /etc/fstab mounts nothing on /" >&2; exit 1; fi
mid=$(cat /etc/machine-id)
{
  echo "# Written by grub-mkconfig (a v2v stand-in) from the kernels in /boot"
  echo 'if [ -s $prefix/grubenv ]; then'
  echo '  load_env'
  echo 'fi'
  if [ "$GRUB_DEFAULT" = saved ]; then echo 'set default="\${saved_entry}"'; else echo "set default=\\"$GRUB_DEFAULT\\""; fi
  echo 'set timeout=8'
  for v in $(ls /boot | sed -n 's/^vmlinuz-//p' | grep -v -e '\\.pre-v2v$' -e '\\.rpmsave$' -e '\\.rpmnew$' | sort -V -r); do
    echo
    printf '%s\\n' "menuentry '${m.distributor}, with Linux $v' --class ${m.osClass} --class gnu-linux --class gnu --class os \\$menuentry_id_option 'gnulinux-$v-advanced-$mid' {"
    printf '\\t%s\\n' load_video 'set gfxpayload=keep' 'insmod gzio' 'insmod part_msdos' 'insmod ext2'
    printf '\\tlinux\\t%s\\n' "/vmlinuz-$v root=$root \\\${extra_cmdline} $GRUB_CMDLINE_LINUX $GRUB_CMDLINE_LINUX_DEFAULT"
    printf '\\tinitrd\\t/%s\\n' "${m.initrdName}"
    echo "}"
  done
} > "$out.tmp" && mv "$out.tmp" "$out"
`;
}
