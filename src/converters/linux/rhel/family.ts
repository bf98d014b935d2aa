// The RHEL family (RHEL, CentOS, Rocky, AlmaLinux, Oracle Linux, Scientific Linux, Fedora): rpm,
// dracut (mkinitrd on RHEL 5), GRUB 2 under /boot/grub2 with grub2-mkconfig, BLS entries and
// grubby, /boot/vmlinuz-<v> with /boot/initramfs-<v>.img in rpm's version order, and the
// family's own files: yum repositories, DEFAULTKERNEL, ifcfg/NetworkManager MACs, modprobe
// aliases, SELinux labels.
import { RHEL_FAMILY } from "../../../model/os-families.js";
import type { LinuxFamily } from "../family.js";
import { modprobeAliasEdit } from "../modprobe.js";
import { ifcfgHwaddrEdit, nmKeyfileMacEdit } from "../network-configs.js";
import { vmwareRepoEdit } from "../repo-files.js";
import { rpmKernelNaming } from "../rpm-kernels.js";
import { rpmPackageManager } from "../rpm-packages.js";
import { selinuxRelabelEdit } from "../selinux.js";
import { locateRhelGrub, rhelGrub } from "./grub.js";
import { rhelInitramfs } from "./initramfs.js";
import { defaultKernelEdit } from "./sysconfig-kernel.js";

export const rhelFamily: LinuxFamily = {
  name: "rhel",
  supports: "RHEL-family Linux (RHEL, CentOS, Rocky, AlmaLinux, Oracle, Scientific, Fedora)",
  distros: RHEL_FAMILY,
  packages: rpmPackageManager("yum remove"),
  initramfs: rhelInitramfs,
  grub: rhelGrub,
  kernels: rpmKernelNaming((v) => `/boot/initramfs-${v}.img`, "the kernel package"),
  locateGrub: locateRhelGrub,
  configEdits: [
    vmwareRepoEdit("/etc/yum.repos.d"),
    defaultKernelEdit,
    ifcfgHwaddrEdit,
    nmKeyfileMacEdit,
    modprobeAliasEdit,
    selinuxRelabelEdit,
  ],
};
