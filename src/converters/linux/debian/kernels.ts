// Debian's kernel naming: /boot/vmlinuz-<release> with /boot/initrd.img-<release>, in dpkg's
// version order. Packaging leftovers (.dpkg-bak, .dpkg-new) and Ubuntu's signed copies are not kernels.
import type { KernelNaming } from "../family.js";
import { compareKernelVersions } from "./kernel-version.js";

/** Backups and package-manager leftovers that look like kernels but are not bootable choices. */
const NOT_A_KERNEL = /\.(dpkg-[a-z]+|bak|old|orig|pre-v2v|efi\.signed|sig)$/;

/** Kernel releases named by /boot/vmlinuz-<ver> files. */
export function parseVmlinuzNames(bootEntries: readonly string[]): readonly string[] {
  return bootEntries
    .filter((n) => n.startsWith("vmlinuz-") && !NOT_A_KERNEL.test(n))
    .map((n) => n.slice("vmlinuz-".length))
    .filter((v) => v !== "");
}

export const debianKernels: KernelNaming = {
  versionsInBoot: parseVmlinuzNames,
  vmlinuzPath: (version) => `/boot/vmlinuz-${version}`,
  initrdPath: (version) => `/boot/initrd.img-${version}`,
  compareVersions: compareKernelVersions,
  packageHint: "a linux-image package",
};
