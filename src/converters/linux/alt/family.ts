// The ALT Linux family: rpm (ALT's apt-rpm works on top of it), make-initrd, GRUB 2 under
// /boot/grub with grub-mkconfig and its defaults in /etc/sysconfig/grub2, /boot/vmlinuz-<v> with
// /boot/initrd-<v>.img in rpm's version order, modprobe aliases.
import { ALT_FAMILY } from "../../../model/os-families.js";
import type { GrubTooling, LinuxFamily } from "../family.js";
import { modprobeAliasEdit } from "../modprobe.js";
import { rpmKernelNaming } from "../rpm-kernels.js";
import { rpmPackageManager } from "../rpm-packages.js";
import { altInitramfs } from "./make-initrd.js";

const CFG = "/boot/grub/grub.cfg";

export const altGrub: GrubTooling = {
  cfgPath: CFG,
  envPath: "/boot/grub/grubenv",
  defaultsPath: "/etc/sysconfig/grub2",
  deviceMapPath: "/boot/grub/device.map",
  regenerators: [{ program: "grub-mkconfig", shell: `grub-mkconfig -o ${CFG}` }],
  supportedOn: "ALT Linux guests",
  bootloaderPackages: "grub-pc (BIOS) or grub-efi (UEFI)",
  toolsPackage: "grub-common",
};

export const altFamily: LinuxFamily = {
  name: "alt",
  supports: "ALT Linux",
  distros: ALT_FAMILY,
  packages: rpmPackageManager("apt-get remove"),
  initramfs: altInitramfs,
  grub: altGrub,
  kernels: rpmKernelNaming((v) => `/boot/initrd-${v}.img`, "a kernel-image package"),
  configEdits: [modprobeAliasEdit],
};
