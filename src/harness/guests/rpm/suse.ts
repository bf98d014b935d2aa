// The SUSE stand-in's packages and files, pure: SLES 15 as it looked on VMware. kernel-default
// kernels (/boot/vmlinuz-V, /boot/initrd-V), dracut with SUSE's mkinitrd wrapper, GRUB 2 under
// /boot/grub2 without BLS (grub2-mkconfig writes menu entries; GRUB_DEFAULT=saved with the older
// kernel saved), /etc/sysconfig/kernel naming VMware's drivers (and the template's Xen domU
// list), a NetworkManager keyfile pinned to the VMware MAC, VMware's zypper repository.
import { machineId, treeFile, VMWARE_MAC, type TreeFile } from "./tree.js";
import { kernelPackage, program, toolPackager, vmwareToolPackages, type StandinPackage } from "./packages.js";
import type { RpmRecipe } from "./recipe.js";
import { grubMenuStandin, installerGrubCfg, menuEntryId, type GrubMenuStandin } from "./grub-menu-standin.js";
import { DRACUT_STANDIN, RPM_MACROS, RPM_WRAPPER, RPMRC, STANDIN_LOG } from "./standins.js";
import { renderGrubenv } from "./tree.js";

/** SUSE's NIC name on VMware (no predictable names by default on SLE). */
export const SUSE_NIC = "eth0";
const SUSE_RELEASE_TAG = "150500.1.1";

/** The grub2-mkconfig of the SUSE stand-in. */
export const SUSE_GRUB_MENU: GrubMenuStandin = {
  program: "grub2-mkconfig", defaultsPath: "/etc/default/grub", initrdName: "initrd-$v", distributor: "SLES 15-SP5", osClass: "sles",
};

/** SUSE's /sbin/mkinitrd on SLE 12+: a wrapper that runs dracut for every installed kernel. */
export const SUSE_MKINITRD_STANDIN = `#!/bin/sh
# Stand-in mkinitrd of a v2v test guest (not the real tool): records its arguments and, as SUSE's
# wrapper does, rebuilds every kernel's /boot/initrd-V with dracut.
echo "mkinitrd $*" >> ${STANDIN_LOG}
for d in /lib/modules/*; do
  v=\${d##*/}
  [ -f "/boot/vmlinuz-$v" ] || continue
  /usr/bin/dracut --force "/boot/initrd-$v" "$v" || exit 1
done
`;

/** The installer's kernel arguments (GRUB_CMDLINE_LINUX_DEFAULT); root= comes from grub2-mkconfig. */
const SUSE_ARGS = "splash=silent mitigations=auto quiet";

/** Pure: every package of the SUSE guest, kernels first. */
export function susePackages(r: RpmRecipe): StandinPackage[] {
  const tool = toolPackager(SUSE_RELEASE_TAG);
  return [
    ...r.kernels.map((k) => kernelPackage(k, "suse")),
    tool("dracut", "059", "Stand-in dracut and mkinitrd", [
      program({ path: "/usr/bin/dracut", text: DRACUT_STANDIN }),
      program({ path: "/usr/bin/mkinitrd", text: SUSE_MKINITRD_STANDIN }),
    ]),
    tool("grub2", "2.06", "Stand-in grub2-mkconfig", [program({ path: "/usr/sbin/grub2-mkconfig", text: grubMenuStandin(SUSE_GRUB_MENU) })]),
    tool("grub2-i386-pc", "2.06", "Stand-in GRUB 2 for BIOS", [{ path: "/usr/share/grub2/i386-pc/README.standin", mode: 0o644, text: "No GRUB modules: the stand-in guest does not boot.\n" }]),
    ...vmwareToolPackages(r, SUSE_RELEASE_TAG),
  ];
}

const file = treeFile;

/** Pure: the installer-written grub.cfg (the stand-in's format, root on VMware's /dev/sda2). */
export const suseGrubCfg = (r: RpmRecipe): string => installerGrubCfg(r, SUSE_GRUB_MENU, `${SUSE_ARGS}`, (k) => `initrd-${k}`);

/** Pure: every configuration file of the SUSE guest (those under /boot land on the /boot partition). */
export function suseTreeFiles(r: RpmRecipe): TreeFile[] {
  return [
    file("/etc/os-release", [
      `NAME="${r.os.name}"`,
      `VERSION="${r.os.version}"`,
      `VERSION_ID="${r.os.versionId}"`,
      `PRETTY_NAME="SUSE Linux Enterprise Server ${r.os.version.replace("-", " ")}"`,
      `ID="${r.os.id}"`,
      `ID_LIKE="${r.os.idLike}"`,
      'ANSI_COLOR="0;32"',
      `CPE_NAME="cpe:/o:suse:sles:${r.release}:sp${r.os.versionId.split(".")[1] ?? "0"}"`,
      "",
    ].join("\n")),
    ...r.os.releaseFiles.map((f) => file(f.path, `${f.line}\n`)),
    file("/etc/hostname", `${r.hostname}\n`),
    file("/etc/machine-id", `${machineId(r)}\n`),
    file("/etc/fstab", [
      "# /etc/fstab of a stand-in guest: the installer's device names on VMware's SCSI disk",
      "/dev/sda2  /      ext4  defaults  0 1",
      "/dev/sda1  /boot  ext4  defaults  0 2",
      "",
    ].join("\n")),
    file("/etc/default/grub", [
      "# If you change this file, run 'grub2-mkconfig -o /boot/grub2/grub.cfg' afterwards to update",
      "GRUB_DISTRIBUTOR=",
      "GRUB_DEFAULT=saved",
      "GRUB_HIDDEN_TIMEOUT=0",
      "GRUB_HIDDEN_TIMEOUT_QUIET=true",
      "GRUB_TIMEOUT=8",
      `GRUB_CMDLINE_LINUX_DEFAULT="${SUSE_ARGS}"`,
      'GRUB_CMDLINE_LINUX=""',
      'GRUB_TERMINAL="gfxterm"',
      "GRUB_DISABLE_SUBMENU=y",
      "",
    ].join("\n")),
    file("/etc/sysconfig/kernel", [
      "## Path:\tSystem/Kernel",
      "## Type:\tstring",
      "## Command:\t/sbin/mkinitrd",
      "#",
      "# This variable contains the list of modules to be added to the initial",
      '# ramdisk by calling the script "mkinitrd"',
      "#",
      'INITRD_MODULES="mptspi vmw_pvscsi"',
      "",
      "## Type:\tstring",
      "## Command:\t/sbin/mkinitrd",
      "#",
      "# This variable contains the list of modules to be added to the initial",
      "# ramdisk that is created for unprivileged Xen domains (domU)",
      "#",
      'DOMU_INITRD_MODULES="xennet xenblk dm-mod"',
      "",
      'MODULES_LOADED_ON_BOOT=""',
      "",
    ].join("\n")),
    file(`/etc/sysconfig/network/ifcfg-${SUSE_NIC}`, ["BOOTPROTO='dhcp'", "STARTMODE='auto'", "ZONE=''", ""].join("\n")),
    file(`/etc/NetworkManager/system-connections/${SUSE_NIC}.nmconnection`, [
      "[connection]", `id=${SUSE_NIC}`, "type=ethernet", `interface-name=${SUSE_NIC}`, "",
      "[ethernet]", `mac-address=${VMWARE_MAC.toUpperCase()}`, "", "[ipv4]", "method=auto", "",
    ].join("\n")),
    file("/etc/modprobe.d/50-vmware.conf", "alias scsi_hostadapter mptspi\nalias eth0 vmxnet3\n"),
    file("/etc/zypp/repos.d/vmware-tools.repo", [
      "[vmware-tools]", "name=VMware Tools", "enabled=1", "autorefresh=0",
      "baseurl=https://packages.vmware.com/tools/releases/latest/sles15/x86_64", "type=rpm-md", "keeppackages=0", "",
    ].join("\n")),
    file("/usr/lib/rpm/macros", RPM_MACROS),
    file("/usr/lib/rpm/rpmrc", RPMRC),
    file("/usr/bin/rpm", RPM_WRAPPER, 0o755),
    // /boot: the images VMware's drivers were built into, grubenv saving the older kernel, grub.cfg.
    ...r.kernels.map((k) => file(`/boot/initrd-${k}`, `stand-in initramfs for kernel ${k}, built on VMware: mptspi vmw_pvscsi vmxnet3\n`)),
    file("/boot/grub2/grubenv", renderGrubenv(menuEntryId(r.defaultKernel, machineId(r)))),
    file("/boot/grub2/grub.cfg", suseGrubCfg(r)),
  ];
}

/** Directories every SLES root has that no file above creates. */
export const SUSE_DIRS = ["/dev", "/proc", "/sys", "/run", "/tmp", "/var/tmp", "/var/log", "/var/lib/rpm", "/root", "/home", "/usr/sbin", "/sbin", "/etc/dracut.conf.d"] as const;
