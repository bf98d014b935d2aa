import { describe, expect, test } from "vitest";
import { diskOfPartition, mapKernelDiskNames } from "../../../../src/converters/linux/appliance-names.js";

describe("diskOfPartition", () => {
  test.for([
    ["/dev/sda1", "/dev/sda"],
    ["/dev/sdb", "/dev/sdb"],
    ["/dev/vdc12", "/dev/vdc"],
    ["/dev/nvme0n1p2", "/dev/nvme0n1"],
    ["/dev/mapper/vg0-root", undefined],
    ["/dev/vg0/root", undefined],
  ] as const)("%s -> %s", ([dev, disk]) => {
    expect(diskOfPartition(dev)).toBe(disk);
  });
});

describe("mapKernelDiskNames", () => {
  test("the kernel put the guest disk behind the appliance's: sda is sdb to programs in the guest", () => {
    expect(mapKernelDiskNames(["/dev/sda"], [{ guestfs: "/dev/sda1", kernel: "/dev/sdb1" }])).toEqual(["/dev/sdb"]);
  });
  test("names that agree stay; a disk with no mounted filesystem keeps its libguestfs name", () => {
    expect(mapKernelDiskNames(["/dev/sda", "/dev/sdb"], [{ guestfs: "/dev/sda1", kernel: "/dev/sda1" }])).toEqual(["/dev/sda", "/dev/sdb"]);
  });
  test("LVM sources say nothing about disks; /boot does", () => {
    const pairs = [
      { guestfs: "/dev/vg0/root", kernel: "/dev/mapper/vg0-root" },
      { guestfs: "/dev/sda1", kernel: "/dev/sdc1" },
    ];
    expect(mapKernelDiskNames(["/dev/sda"], pairs)).toEqual(["/dev/sdc"]);
  });
});
