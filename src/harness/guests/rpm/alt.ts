// The ALT stand-in's packages and files, pure: ALT Server 10 as it looked on VMware.
// kernel-image-std-def kernels (/boot/vmlinuz-V, /boot/initrd-V.img), make-initrd configured by
// /etc/initrd.mk, GRUB 2 under /boot/grub with its defaults in /etc/sysconfig/grub2 (GRUB_DEFAULT=saved,
// the older kernel saved), apt-rpm's sources, a modprobe alias naming VMware's SCSI driver.
import { machineId, treeFile, type TreeFile } from "./tree.js";
import { kernelPackage, program, toolPackager, vmwareToolPackages, type StandinPackage } from "./packages.js";
import type { RpmRecipe } from "./recipe.js";
import { grubMenuStandin, installerGrubCfg, menuEntryId, type GrubMenuStandin } from "./grub-menu-standin.js";
import { RPM_MACROS, RPM_WRAPPER, RPMRC, STANDIN_LOG } from "./standins.js";
import { renderGrubenv } from "./tree.js";

/** The grub-mkconfig of the ALT stand-in. */
export const ALT_GRUB_MENU: GrubMenuStandin = {
  program: "grub-mkconfig", defaultsPath: "/etc/sysconfig/grub2", initrdName: "initrd-$v.img", distributor: "ALT Server 10.1", osClass: "altlinux",
};

/**
 * make-initrd -k VERSION: writes /boot/initrd-VERSION.img naming the kernel and the MODULES_ADD
 * lines of /etc/initrd.mk (make-initrd names the image itself).
 */
export const MAKE_INITRD_STANDIN = `#!/bin/sh
# Stand-in make-initrd of a v2v test guest (not the real tool): records its arguments and writes
# /boot/initrd-VERSION.img naming the kernel and /etc/initrd.mk's MODULES_ADD.
echo "make-initrd $*" >> ${STANDIN_LOG}
kver=
while [ $# -gt 0 ]; do
  case "$1" in
    -k) kver=$2; shift 2 ;;
    --kernel=*) kver=\${1#--kernel=}; shift ;;
    *) shift ;;
  esac
done
if [ -z "$kver" ]; then echo "make-initrd (stand-in): -k VERSION is required here" >&2; exit 1; fi
if [ ! -d "/lib/modules/$kver" ]; then echo "make-initrd (stand-in): no /lib/modules/$kver" >&2; exit 1; fi
image=/boot/initrd-$kver.img
{
  echo "stand-in initramfs for kernel $kver"
  grep '^[[:space:]]*MODULES_ADD' /etc/initrd.mk 2>/dev/null || true
} > "$image.tmp" && mv "$image.tmp" "$image"
`;

const ALT_TAG = "alt1";
const ALT_ARGS = "panic=30 splash";

/** Pure: every package of the ALT guest, kernels first. */
export function altPackages(r: RpmRecipe): StandinPackage[] {
  const tool = toolPackager(ALT_TAG);
  return [
    ...r.kernels.map((k) => kernelPackage(k, "alt")),
    tool("make-initrd", "2.33.0", "Stand-in make-initrd", [program({ path: "/usr/sbin/make-initrd", text: MAKE_INITRD_STANDIN })]),
    tool("grub-common", "2.06", "Stand-in grub-mkconfig", [program({ path: "/usr/sbin/grub-mkconfig", text: grubMenuStandin(ALT_GRUB_MENU) })]),
    tool("grub-pc", "2.06", "Stand-in GRUB 2 for BIOS", [{ path: "/usr/lib64/grub/i386-pc/README.standin", mode: 0o644, text: "No GRUB modules: the stand-in guest does not boot.\n" }]),
    tool("apt", "0.5.15lorg2", "Stand-in apt-rpm configuration", [{ path: "/etc/apt/apt.conf", mode: 0o644, text: "// apt-rpm of a v2v stand-in guest\n" }]),
    ...vmwareToolPackages(r, ALT_TAG),
  ];
}

const file = treeFile;

/** Pure: the installer-written grub.cfg (the stand-in's format, root on VMware's /dev/sda2). */
export const altGrubCfg = (r: RpmRecipe): string => installerGrubCfg(r, ALT_GRUB_MENU, ALT_ARGS, (k) => `initrd-${k}.img`);

/** Pure: every configuration file of the ALT guest (those under /boot land on the /boot partition). */
export function altTreeFiles(r: RpmRecipe): TreeFile[] {
  return [
    file("/etc/os-release", [
      `NAME="${r.os.name}"`,
      `VERSION="${r.os.version}"`,
      `ID=${r.os.id}`,
      `VERSION_ID=${r.os.versionId}`,
      `PRETTY_NAME="${r.os.name} ${r.os.version}"`,
      'ANSI_COLOR="1;33"',
      `CPE_NAME="cpe:/o:alt:server:${r.os.versionId}"`,
      "",
    ].join("\n")),
    ...r.os.releaseFiles.map((f) => file(f.path, `${f.line}\n`)),
    file("/etc/hostname", `${r.hostname}\n`),
    file("/etc/machine-id", `${machineId(r)}\n`),
    file("/etc/fstab", [
      "# /etc/fstab of a stand-in guest: the installer's device names on VMware's SCSI disk",
      "proc       /proc  proc  nosuid,noexec,gid=proc  0 0",
      "/dev/sda2  /      ext4  relatime                1 1",
      "/dev/sda1  /boot  ext4  nosuid,relatime         1 2",
      "",
    ].join("\n")),
    file("/etc/sysconfig/grub2", [
      "GRUB_AUTOUPDATE_CFG=true",
      "GRUB_AUTOUPDATE_CFGNAME=/boot/grub/grub.cfg",
      "GRUB_TIMEOUT=5",
      "GRUB_DEFAULT=saved",
      `GRUB_CMDLINE_LINUX_DEFAULT='${ALT_ARGS}'`,
      "GRUB_CMDLINE_LINUX=''",
      "GRUB_DISABLE_SUBMENU=y",
      "",
    ].join("\n")),
    file("/etc/initrd.mk", [
      "# make-initrd's configuration: the installer put VMware's SCSI driver in every image",
      "AUTODETECT = all",
      "MODULES_ADD += mptspi vmw_pvscsi",
      "",
    ].join("\n")),
    file("/etc/modprobe.d/vmware.conf", "alias scsi_hostadapter mptspi\n"),
    file("/etc/apt/sources.list.d/local.list", "rpm file:/srv/mirror/p10/branch x86_64 classic\n"),
    file("/usr/lib/rpm/macros", RPM_MACROS),
    file("/usr/lib/rpm/rpmrc", RPMRC),
    file("/usr/bin/rpm", RPM_WRAPPER, 0o755),
    ...r.kernels.map((k) => file(`/boot/initrd-${k}.img`, `stand-in initramfs for kernel ${k}, built on VMware: mptspi vmw_pvscsi\n`)),
    file("/boot/grub/grubenv", renderGrubenv(menuEntryId(r.defaultKernel, machineId(r)))),
    file("/boot/grub/grub.cfg", altGrubCfg(r)),
  ];
}

/** Directories every ALT root has that no file above creates. */
export const ALT_DIRS = ["/dev", "/proc", "/sys", "/run", "/tmp", "/var/tmp", "/var/log", "/var/lib/rpm", "/root", "/home", "/usr/sbin", "/sbin"] as const;
