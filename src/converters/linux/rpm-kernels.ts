// Kernel naming shared by the RPM families: /boot/vmlinuz-<release>, in rpm's version order. Each
// family names its initramfs its own way (RHEL initramfs-<v>.img, SUSE initrd-<v>, ALT initrd-<v>.img).
import type { KernelNaming } from "./family.js";
import { compareRpmVersions } from "./rpm-version.js";

/**
 * Not bootable choices: rpm's leftovers, our own backups, and the rescue image dracut makes
 * ("vmlinuz-0-rescue-<machine-id>"), which is a copy of another kernel without its own modules.
 */
const NOT_A_KERNEL = /(\.(rpmnew|rpmsave|rpmorig|bak|old|pre-v2v|hmac)$)|^vmlinuz-0-rescue-/;

/** Kernel releases named by /boot/vmlinuz-<ver> files (the bare "vmlinuz" symlink of SUSE and ALT is not one). */
export function parseRpmVmlinuzNames(bootEntries: readonly string[]): readonly string[] {
  return bootEntries
    .filter((n) => n.startsWith("vmlinuz-") && !NOT_A_KERNEL.test(n))
    .map((n) => n.slice("vmlinuz-".length))
    .filter((v) => v !== "");
}

export function rpmKernelNaming(initrdPath: (version: string) => string, packageHint: string): KernelNaming {
  return {
    versionsInBoot: parseRpmVmlinuzNames,
    vmlinuzPath: (version) => `/boot/vmlinuz-${version}`,
    initrdPath,
    compareVersions: compareRpmVersions,
    packageHint,
  };
}
