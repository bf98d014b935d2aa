// The configuration files of a stand-in RHEL-family guest as it looked on VMware, pure: what the
// installer and the admin left (os-release, fstab and GRUB on /dev/sda names, BLS entries, a
// NIC pinned to its VMware MAC, VMware's yum repository, SELinux enforcing). The packages'
// files come from rpm (packages.ts); these are the files no package owns.
import { createHash } from "node:crypto";
import type { RpmRecipe } from "./recipe.js";
import { RPM_MACROS, RPM_WRAPPER, RPMRC } from "./standins.js";

export interface TreeFile {
  readonly path: string;
  readonly mode: 0o644 | 0o755;
  readonly text: string;
}

/** The disk: MBR, /boot then /, both ext4 (RHEL's default is xfs; ext4 keeps the build simple). */
export const STANDIN_PARTITIONS = {
  boot: { number: 1, mountpoint: "/boot", sizeMiB: 256 },
  root: { number: 2, mountpoint: "/" },
} as const;

/** The VMware NIC's MAC address the guest's network profiles are pinned to. */
export const VMWARE_MAC = "00:50:56:9a:3c:21";
/** The NIC's name on VMware (vmxnet3 in PCI slot 192). */
export const VMWARE_NIC = "ens192";
export const GRUBENV_BYTES = 1024;

/** Pure: a fixed machine-id per recipe (BLS entry names start with it). */
export const machineId = (r: RpmRecipe): string => createHash("sha256").update(`v2v-standin:${r.name}`).digest("hex").slice(0, 32);

/** Pure: the BLS entry id of a kernel, as kernel-install names it. */
export const blsId = (r: RpmRecipe, kernel: string): string => `${machineId(r)}-${kernel}`;

/** The kernel arguments the installer wrote (device names as VMware's SCSI disk had them). */
export const kernelArgs = (): string => "root=/dev/sda2 ro crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M rhgb quiet";

/** Pure: a grubenv block, padded with '#' to exactly 1024 bytes as grub2-editenv writes it. */
export function renderGrubenv(savedEntry: string): string {
  const body = `# GRUB Environment Block\nsaved_entry=${savedEntry}\nboot_success=0\n`;
  if (body.length > GRUBENV_BYTES) throw new Error("grubenv body over 1024 bytes");
  return body + "#".repeat(GRUBENV_BYTES - body.length);
}

/** Pure: one BLS entry, paths relative to the /boot filesystem. */
export function renderBlsEntry(r: RpmRecipe, kernel: string): string {
  return [
    `title ${r.os.name} (${kernel}) ${r.os.version}`,
    `version ${kernel}`,
    `linux /vmlinuz-${kernel}`,
    `initrd /initramfs-${kernel}.img`,
    `options ${kernelArgs()}`,
    "grub_users $grub_users",
    "grub_arg --unrestricted",
    `grub_class ${r.os.id}`,
    "",
  ].join("\n");
}

const osRelease = (r: RpmRecipe): string => [
  `NAME="${r.os.name}"`,
  `VERSION="${r.os.version}"`,
  `ID="${r.os.id}"`,
  `ID_LIKE="${r.os.idLike}"`,
  `VERSION_ID="${r.os.versionId}"`,
  `PLATFORM_ID="platform:el${r.release}"`,
  `PRETTY_NAME="${r.os.name} ${r.os.version}"`,
  "",
].join("\n");

/** One file of a stand-in tree (every family's configuration files are made with it). */
export const treeFile = (path: string, text: string, mode: 0o644 | 0o755 = 0o644): TreeFile => ({ path, mode, text });
const file = treeFile;

/** Pure: every configuration file of the guest (those under /boot land on the /boot partition). */
export function standinTreeFiles(r: RpmRecipe): TreeFile[] {
  const args = kernelArgs();
  return [
    file("/etc/os-release", osRelease(r)),
    ...r.os.releaseFiles.map((f) => file(f.path, `${f.line}\n`)),
    file("/etc/hostname", `${r.hostname}\n`),
    file("/etc/machine-id", `${machineId(r)}\n`),
    file("/etc/fstab", [
      "# /etc/fstab of a stand-in guest: the installer's device names on VMware's SCSI disk",
      "/dev/sda2  /      ext4  defaults  1 1",
      "/dev/sda1  /boot  ext4  defaults  1 2",
      "",
    ].join("\n")),
    file("/etc/default/grub", [
      "GRUB_TIMEOUT=5",
      `GRUB_DISTRIBUTOR="$(sed 's, release .*$,,g' /etc/system-release)"`,
      "GRUB_DEFAULT=saved",
      "GRUB_DISABLE_SUBMENU=true",
      'GRUB_TERMINAL_OUTPUT="console"',
      `GRUB_CMDLINE_LINUX="${args.replace(/^root=\S+ ro /, "")}"`,
      "GRUB_DISABLE_RECOVERY=true",
      "GRUB_ENABLE_BLSCFG=true",
      "",
    ].join("\n")),
    file("/etc/kernel/cmdline", `${args}\n`),
    file("/etc/sysconfig/kernel", "# UPDATEDEFAULT specifies if kernel-install should make new kernels the default.\nUPDATEDEFAULT=yes\n\n# DEFAULTKERNEL specifies the default kernel package type\nDEFAULTKERNEL=kernel-core\n"),
    file(`/etc/sysconfig/network-scripts/ifcfg-${VMWARE_NIC}`, [
      "TYPE=Ethernet", "BOOTPROTO=dhcp", `NAME=${VMWARE_NIC}`, `DEVICE=${VMWARE_NIC}`, "ONBOOT=yes", `HWADDR=${VMWARE_MAC.toUpperCase()}`, "",
    ].join("\n")),
    file(`/etc/NetworkManager/system-connections/${VMWARE_NIC}.nmconnection`, [
      "[connection]", `id=${VMWARE_NIC}`, "type=ethernet", `interface-name=${VMWARE_NIC}`, "",
      "[ethernet]", `mac-address=${VMWARE_MAC.toUpperCase()}`, "", "[ipv4]", "method=auto", "",
    ].join("\n")),
    file("/etc/modprobe.d/vmware.conf", "alias scsi_hostadapter mptspi\nalias eth0 vmxnet3\n"),
    file("/etc/yum.repos.d/vmware-tools.repo", [
      "[vmware-tools]", "name=VMware Tools", "baseurl=https://packages.vmware.com/tools/releases/latest/rhel9/x86_64", "enabled=1", "gpgcheck=1", "",
    ].join("\n")),
    file("/etc/selinux/config", `SELINUX=${r.selinux ? "enforcing" : "disabled"}\nSELINUXTYPE=targeted\n`),
    file("/usr/lib/rpm/macros", RPM_MACROS),
    file("/usr/lib/rpm/rpmrc", RPMRC),
    file("/usr/bin/rpm", RPM_WRAPPER, 0o755),
    // /boot: BLS entries, the default in grubenv, grub.cfg as the stand-in grub2-mkconfig writes it.
    ...r.kernels.map((k) => file(`/boot/loader/entries/${blsId(r, k)}.conf`, renderBlsEntry(r, k))),
    ...r.kernels.map((k) => file(`/boot/initramfs-${k}.img`, `stand-in initramfs for kernel ${k}, built on VMware: mptspi vmw_pvscsi vmxnet3\n`)),
    file("/boot/grub2/grubenv", renderGrubenv(blsId(r, r.defaultKernel))),
    file("/boot/grub2/grub.cfg", [
      "# Written by the installer: the menu entries are /boot/loader/entries/*.conf",
      "set timeout=5",
      "if [ -s $prefix/grubenv ]; then",
      "  load_env",
      "fi",
      'set default="${saved_entry}"',
      "insmod blscfg",
      "blscfg",
      "",
    ].join("\n")),
  ];
}

/** Directories every RHEL root has that no file above creates. */
export const STANDIN_DIRS = ["/dev", "/proc", "/sys", "/run", "/tmp", "/var/tmp", "/var/log", "/var/lib/rpm", "/root", "/home", "/usr/sbin", "/sbin", "/etc/dracut.conf.d"] as const;
