// The SUSE family (SLES, openSUSE, SUSE-based): rpm, dracut (mkinitrd on SLES 11), GRUB 2 under
// /boot/grub2 with grub2-mkconfig (its UEFI grub.cfg on the ESP is a stub), /boot/vmlinuz-<v>
// with /boot/initrd-<v>, and the family's files: /etc/sysconfig/kernel's INITRD_MODULES, zypper's
// repositories, NetworkManager keyfiles, modprobe aliases, SELinux (SLE 16).
import { SUSE_FAMILY } from "../../../model/os-families.js";
import type { GrubTooling, LinuxFamily } from "../family.js";
import { modprobeAliasEdit } from "../modprobe.js";
import { nmKeyfileMacEdit } from "../network-configs.js";
import { vmwareRepoEdit } from "../repo-files.js";
import { rpmKernelNaming } from "../rpm-kernels.js";
import { rpmPackageManager } from "../rpm-packages.js";
import { selinuxRelabelEdit } from "../selinux.js";
import { suseInitramfs } from "./initramfs.js";
import { initrdModulesEdit } from "./sysconfig-kernel.js";

const CFG = "/boot/grub2/grub.cfg";

export const suseGrub: GrubTooling = {
  cfgPath: CFG,
  envPath: "/boot/grub2/grubenv",
  defaultsPath: "/etc/default/grub",
  deviceMapPath: "/boot/grub2/device.map",
  regenerators: [{ program: "grub2-mkconfig", shell: `grub2-mkconfig -o ${CFG}` }],
  supportedOn: "SUSE guests",
  bootloaderPackages: "grub2-i386-pc (BIOS) or grub2-x86_64-efi (UEFI)",
  toolsPackage: "grub2",
};

export const suseFamily: LinuxFamily = {
  name: "suse",
  supports: "SUSE-family Linux (SLES, openSUSE)",
  distros: SUSE_FAMILY,
  packages: rpmPackageManager("zypper remove"),
  initramfs: suseInitramfs,
  grub: suseGrub,
  kernels: rpmKernelNaming((v) => `/boot/initrd-${v}`, "kernel-default"),
  configEdits: [
    vmwareRepoEdit("/etc/zypp/repos.d"),
    initrdModulesEdit,
    nmKeyfileMacEdit,
    modprobeAliasEdit,
    selinuxRelabelEdit,
  ],
};
