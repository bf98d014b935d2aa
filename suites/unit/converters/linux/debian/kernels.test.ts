// Debian's kernel naming in /boot and its version order.
import { describe, expect, test } from "vitest";
import { debianKernels, parseVmlinuzNames } from "../../../../../src/converters/linux/debian/kernels.js";

describe("Debian kernel naming", () => {
  test("vmlinuz names: backups and signed copies are not kernels", () => {
    expect(parseVmlinuzNames(["vmlinuz-6.1.0-13-amd64", "vmlinuz-6.1.0-9-amd64.dpkg-bak", "vmlinuz", "vmlinuz-5.15.0-91-generic.efi.signed",
      "initrd.img-6.1.0-13-amd64", "config-6.1.0-13-amd64"])).toEqual(["6.1.0-13-amd64"]);
  });

  test("image, initramfs and the glob messages name", () => {
    expect(debianKernels.vmlinuzPath("6.1.0-13-amd64")).toBe("/boot/vmlinuz-6.1.0-13-amd64");
    expect(debianKernels.initrdPath("6.1.0-13-amd64")).toBe("/boot/initrd.img-6.1.0-13-amd64");
    expect(debianKernels.vmlinuzPath("*")).toBe("/boot/vmlinuz-*");
  });

  test("version order is dpkg's: -13 after -9, a release candidate before its release", () => {
    const sorted = ["6.1.0-13-amd64", "6.2.0-rc7-amd64", "6.1.0-9-amd64", "6.2.0-1-amd64"].sort(debianKernels.compareVersions);
    expect(sorted).toEqual(["6.1.0-9-amd64", "6.1.0-13-amd64", "6.2.0-rc7-amd64", "6.2.0-1-amd64"]);
  });
});
