// The Debian family (Debian, Ubuntu, Linux Mint, Kali): dpkg/apt, initramfs-tools, GRUB 2 under
// /boot/grub with update-grub, and /boot/vmlinuz-<release> kernels in dpkg's version order.
import { DEBIAN_FAMILY } from "../../../model/os-families.js";
import type { LinuxFamily } from "../family.js";
import { debianGrub } from "./grub.js";
import { debianInitramfs } from "./initramfs-tools.js";
import { debianKernels } from "./kernels.js";
import { debianPackages } from "./packages.js";

export const debianFamily: LinuxFamily = {
  name: "debian",
  supports: "Debian-family Linux",
  distros: DEBIAN_FAMILY,
  packages: debianPackages,
  initramfs: debianInitramfs,
  grub: debianGrub,
  kernels: debianKernels,
};
