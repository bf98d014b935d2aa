// Which /dev/disk links name the source's disk hardware, and what each becomes: by partition
// number, only when one filesystem of the appliance fits; stable links and plain names go on to
// the next renamer.
import { describe, expect, test } from "vitest";
import { isStaleDiskLink, linkPartition, makeStaleLinkRenamer } from "../../../../src/converters/linux/stale-links.js";
import type { DeviceRenamer } from "../../../../src/converters/linux/device-names.js";
import type { FilesystemFacts } from "../../../../src/converters/linux/root-check.js";

describe("isStaleDiskLink", () => {
  test.each([
    "/dev/disk/by-id/scsi-36000c29a1b2c3d4e5f60718293a4b5c6-part1",
    "/dev/disk/by-id/ata-VMware_Virtual_IDE_Hard_Drive_00000000000000000001-part2",
    "/dev/disk/by-id/wwn-0x6000c29a1b2c3d4e-part3",
    "/dev/disk/by-id/nvme-VMware_Virtual_NVMe_Disk_VMWare_NVME_0000_1",
    "/dev/disk/by-path/pci-0000:03:00.0-scsi-0:0:0:0-part1",
  ])("%s is stale on the target", (p) => expect(isStaleDiskLink(p)).toBe(true));
  test.each([
    "/dev/disk/by-id/dm-uuid-LVM-abc", "/dev/disk/by-id/md-uuid-1234:5678", "/dev/disk/by-id/lvm-pv-uuid-xyz",
    "/dev/disk/by-id/virtio-serial1-part1", "/dev/disk/by-uuid/1234-ABCD", "/dev/sda1", "/dev/disk/by-id/", "/dev/disk/by-id/a/b",
  ])("%s is not", (p) => expect(isStaleDiskLink(p)).toBe(false));
});

test("linkPartition: -partN, else the whole disk", () => {
  expect(linkPartition("/dev/disk/by-id/scsi-3600-part12")).toBe(12);
  expect(linkPartition("/dev/disk/by-id/scsi-3600")).toBeUndefined();
  expect(linkPartition("/dev/disk/by-id/scsi-3600-part0")).toBeUndefined();
});

describe("makeStaleLinkRenamer", () => {
  const next: DeviceRenamer = (d) => (d === "/dev/sda1" ? { kind: "renamed", to: "/dev/vda1" } : { kind: "unchanged" });
  const fs: FilesystemFacts[] = [
    { device: "/dev/sda1", tags: { TYPE: "ext4", UUID: "0d1e2f30-1111-2222-3333-444455556666" } },
    { device: "/dev/sda2", tags: { TYPE: "swap", UUID: "5a5a5a5a-0000-1111-2222-333344445555" } },
    { device: "/dev/sdb1", tags: { TYPE: "xfs", UUID: "b1b1b1b1-0000-1111-2222-333344445555" } },
    { device: "/dev/sdb2", tags: { TYPE: "ext4" } },
    { device: "/dev/sdc", tags: { TYPE: "ext4", UUID: "cccccccc-0000-1111-2222-333344445555" } },
    { device: "/dev/vg/root", tags: { TYPE: "ext4", UUID: "dddddddd-0000-1111-2222-333344445555" } },
  ];
  const rename = makeStaleLinkRenamer(fs, next);

  test("one filesystem on that partition number: its by-uuid link", () => {
    expect(rename("/dev/disk/by-id/scsi-36000c29-part2")).toEqual({ kind: "renamed", to: "/dev/disk/by-uuid/5a5a5a5a-0000-1111-2222-333344445555" });
    expect(rename("/dev/disk/by-id/wwn-0x6000c29")).toEqual({ kind: "renamed", to: "/dev/disk/by-uuid/cccccccc-0000-1111-2222-333344445555" });
  });

  test("two candidates, none, or one without a UUID: unknown (the caller warns)", () => {
    expect(rename("/dev/disk/by-id/scsi-36000c29-part1")).toEqual({ kind: "unknown" });
    expect(rename("/dev/disk/by-id/scsi-36000c29-part7")).toEqual({ kind: "unknown" });
    expect(makeStaleLinkRenamer([{ device: "/dev/sda3", tags: { UUID: "x;rm -rf" } }], next)("/dev/disk/by-path/pci-0-part3")).toEqual({ kind: "unknown" });
  });

  test("everything else goes to the next renamer", () => {
    expect(rename("/dev/sda1")).toEqual({ kind: "renamed", to: "/dev/vda1" });
    expect(rename("/dev/disk/by-id/dm-uuid-LVM-abc")).toEqual({ kind: "unchanged" });
  });
});
