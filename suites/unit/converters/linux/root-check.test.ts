import { describe, expect, test } from "vitest";
import {
  canonicalDevice, isSameFilesystem, makeApplianceRenamer, parseRootSpec, resolveRootSpec, targetToApplianceDevice,
  type FilesystemFacts,
} from "../../../../src/converters/linux/root-check.js";

const fs: FilesystemFacts[] = [
  { device: "/dev/sda1", tags: { TYPE: "ext4", UUID: "aaaa-1111", LABEL: "root", PART_ENTRY_UUID: "1234abcd-01" } },
  { device: "/dev/sda5", tags: { TYPE: "swap", UUID: "bbbb-2222" } },
  { device: "/dev/sdb1", tags: { TYPE: "xfs", UUID: "cccc-3333" } },
  { device: "/dev/vg0/root", tags: { TYPE: "ext4", UUID: "dddd-4444" } },
];
const disks = ["/dev/sda", "/dev/sdb"];

describe("parseRootSpec", () => {
  test("every form", () => {
    expect(parseRootSpec("UUID=aaaa-1111")).toEqual({ kind: "uuid", value: "aaaa-1111" });
    expect(parseRootSpec("/dev/disk/by-partuuid/1234abcd-01")).toEqual({ kind: "partuuid", value: "1234abcd-01" });
    expect(parseRootSpec("LABEL=root")).toEqual({ kind: "label", value: "root" });
    expect(parseRootSpec("/dev/vda1")).toEqual({ kind: "device", path: "/dev/vda1" });
    expect(parseRootSpec("ZFS=rpool/ROOT/debian")).toEqual({ kind: "other", text: "ZFS=rpool/ROOT/debian" });
  });
});

describe("resolveRootSpec", () => {
  const resolve = (arg: string, prefix = "vd") => resolveRootSpec(parseRootSpec(arg), fs, disks, prefix);

  test("tags match blkid", () => {
    expect(resolve("UUID=AAAA-1111")).toEqual({ ok: true, device: "/dev/sda1" });
    expect(resolve("PARTUUID=1234abcd-01")).toEqual({ ok: true, device: "/dev/sda1" });
    expect(resolve("LABEL=root")).toEqual({ ok: true, device: "/dev/sda1" });
    expect(resolve("UUID=ffff-0000")).toMatchObject({ ok: false, checkable: true });
  });

  test("target device names map back to the appliance's partitions", () => {
    expect(resolve("/dev/vdb1")).toEqual({ ok: true, device: "/dev/sdb1" });
    expect(resolve("/dev/vda3")).toMatchObject({ ok: false, checkable: true });
    expect(resolve("/dev/vdc1")).toMatchObject({ ok: false, checkable: true });
    expect(resolve("/dev/sda1", "sd")).toEqual({ ok: true, device: "/dev/sda1" });
  });

  test("a leaked appliance name on a virtio target does not resolve", () => {
    expect(resolve("/dev/sda1")).toMatchObject({ ok: false, checkable: true });
  });

  test("LVM names in either spelling; uncheckable forms are not errors", () => {
    expect(resolve("/dev/mapper/vg0-root")).toEqual({ ok: true, device: "/dev/vg0/root" });
    expect(resolve("/dev/mapper/other-lv")).toMatchObject({ ok: false, checkable: false });
    expect(resolve("ZFS=rpool")).toMatchObject({ ok: false, checkable: false });
  });
});

describe("device name helpers", () => {
  test("canonicalDevice undoes device-mapper dash escaping", () => {
    expect(canonicalDevice("/dev/mapper/debian--vg-root")).toBe("/dev/debian-vg/root");
    expect(canonicalDevice("/dev/sda1")).toBe("/dev/sda1");
  });

  test("targetToApplianceDevice handles NVMe-style appliance names", () => {
    expect(targetToApplianceDevice("/dev/vda2", ["/dev/nvme0n1"], "vd")).toBe("/dev/nvme0n1p2");
    expect(targetToApplianceDevice("/dev/vda", disks, "vd")).toBe("/dev/sda");
  });

  test("makeApplianceRenamer", () => {
    const r = makeApplianceRenamer(disks, "vd");
    expect(r("/dev/sdb2")).toEqual({ kind: "renamed", to: "/dev/vdb2" });
    expect(r("/dev/sdc1")).toEqual({ kind: "unknown" });
    expect(r("/dev/mapper/vg-root")).toEqual({ kind: "unchanged" });
    expect(makeApplianceRenamer(disks, "sd")("/dev/sda1")).toEqual({ kind: "unchanged" });
  });

  test("isSameFilesystem: btrfs subvolumes and LVM spellings", () => {
    expect(isSameFilesystem("/dev/sda2", "btrfsvol:/dev/sda2/@")).toBe(true);
    expect(isSameFilesystem("/dev/mapper/vg0-root", "/dev/vg0/root")).toBe(true);
    expect(isSameFilesystem("/dev/sda1", "/dev/sda2")).toBe(false);
  });
});
