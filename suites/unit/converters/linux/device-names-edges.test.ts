// Device renaming at the edges Stryker found untested: which names are disks (whole-string
// matches, multi-digit NVMe/cciss numbers, optional partitions), comments and blank lines in tables,
// fields that are not devices, an unknown disk named on several lines, and which config lines
// (GRUB_CMDLINE_LINUX*, RESUME=) are edited.
import { describe, expect, test } from "vitest";
import {
  isRemovableFsType, makeVirtioRenamer, parseDiskDevice, rewriteFstab, rewriteGrubDefaults, rewriteResumeSetting,
} from "../../../../src/converters/linux/device-names.js";

describe("parseDiskDevice", () => {
  test.each([
    ["/dev/sda", { prefix: "sd", index: 0, partition: "" }],
    ["/dev/sdab12", { prefix: "sd", index: 27, partition: "12" }],
    ["/dev/xvdb1", { prefix: "xvd", index: 1, partition: "1" }],
    ["/dev/nvme0n1", { prefix: "nvme", index: 0, partition: "" }],
    ["/dev/nvme12n1p10", { prefix: "nvme", index: 12, partition: "10" }],
    ["/dev/cciss/c0d0", { prefix: "cciss", index: 0, partition: "" }],
    ["/dev/cciss/c10d11p12", { prefix: "cciss", index: 11, partition: "12" }],
  ])("%s", (device, parsed) => {
    expect(parseDiskDevice(device)).toEqual(parsed);
  });

  test.each(["/dev/sda1x", "x/dev/sda1", "/dev/sr0", "/dev/nvme0n2", "/dev/nvme0n1p", "/dev/nvme0n1x", "x/dev/nvme0n1", "/dev/cciss/c0d0p", "/dev/cciss/cd0", "/dev/cciss/c0d0x", "x/dev/cciss/c0d0", "/dev/mapper/vg-root"])(
    "%s is not a disk name", (device) => {
      expect(parseDiskDevice(device)).toBeUndefined();
    },
  );
});

describe("rewriteFstab", () => {
  const rename = makeVirtioRenamer(2);

  test("comments, indented comments and blank lines are kept; a line whose first field is no /dev path is kept", () => {
    const text = "# /dev/sda1 / ext4\n   # /dev/sdb1\n\n   \nUUID=x / ext4 defaults 0 1\nproc /proc proc defaults 0 0\n";
    const r = rewriteFstab(text, rename);
    expect(r.text).toBe(text);
    expect(r.renamed).toEqual([]);
  });

  test("an indented line is rewritten in its first field, keeping its spacing", () => {
    expect(rewriteFstab("  /dev/sdb1\t/data  ext4 defaults 0 2\n", rename).text).toBe("  /dev/vdb1\t/data  ext4 defaults 0 2\n");
  });

  test("an unknown disk named on two lines is listed once", () => {
    const r = rewriteFstab("/dev/sdc1 /a ext4 defaults 0 0\n/dev/sdc1 /b ext4 bind 0 0\n", rename);
    expect(r.unknown).toEqual(["/dev/sdc1"]);
  });

  test("removable types: every comma-separated type must be removable; empty parts are ignored", () => {
    expect(isRemovableFsType("udf,iso9660")).toBe(true);
    expect(isRemovableFsType("iso9660,")).toBe(true);
    expect(isRemovableFsType("udf,ext4")).toBe(false);
    expect(isRemovableFsType("")).toBe(false);
    expect(isRemovableFsType(",")).toBe(false);
  });
});

describe("config lines", () => {
  const rename = makeVirtioRenamer(1);

  test("GRUB_CMDLINE_LINUX and _DEFAULT, exported or indented, are edited; other keys and comments are not", () => {
    const text = [
      'GRUB_CMDLINE_LINUX="root=/dev/sda1"', '  export GRUB_CMDLINE_LINUX_DEFAULT="quiet resume=/dev/sda2"',
      '#GRUB_CMDLINE_LINUX="root=/dev/sda1"', 'MY_GRUB_CMDLINE_LINUX="root=/dev/sda1"', 'GRUB_TERMINAL="root=/dev/sda1"', "exportGRUB_CMDLINE_LINUX=root=/dev/sda1",
    ].join("\n");
    expect(rewriteGrubDefaults(text, rename).text.split("\n")).toEqual([
      'GRUB_CMDLINE_LINUX="root=/dev/vda1"', '  export GRUB_CMDLINE_LINUX_DEFAULT="quiet resume=/dev/vda2"',
      '#GRUB_CMDLINE_LINUX="root=/dev/sda1"', 'MY_GRUB_CMDLINE_LINUX="root=/dev/sda1"', 'GRUB_TERMINAL="root=/dev/sda1"', "exportGRUB_CMDLINE_LINUX=root=/dev/sda1",
    ]);
  });

  test("RESUME=, quoted or not, indented or not; not a commented or prefixed one", () => {
    const text = ["RESUME=/dev/sda5", '  RESUME="/dev/sda5"', "# RESUME=/dev/sda5", "XRESUME=/dev/sda5", "RESUME=UUID=abc"].join("\n");
    const r = rewriteResumeSetting(text, rename);
    expect(r.text.split("\n")).toEqual(["RESUME=/dev/vda5", '  RESUME="/dev/vda5"', "# RESUME=/dev/sda5", "XRESUME=/dev/sda5", "RESUME=UUID=abc"]);
    expect(r.renamed).toHaveLength(2);
  });

  test("an unknown disk on several lines is listed once", () => {
    expect(rewriteResumeSetting("RESUME=/dev/sdb5\nRESUME=/dev/sdb5\n", rename).unknown).toEqual(["/dev/sdb5"]);
    expect(rewriteGrubDefaults('GRUB_CMDLINE_LINUX="root=/dev/sdb1"\nGRUB_CMDLINE_LINUX_DEFAULT="resume=/dev/sdb1"\n', rename).unknown).toEqual(["/dev/sdb1"]);
  });
});
