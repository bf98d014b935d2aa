// The pure decisions about Windows volumes: which partition types mean a dynamic (LDM) disk, which
// filesystems are BitLocker volumes, and how a device is named to the user.
import { describe, expect, test } from "vitest";
import {
  bitlockerDataVolumeWarning, bitlockerPartitions, describeDevice, describePartitions, isLdmPartition, isLdmVolume, ldmPartitions, LDM_GPT_TYPES,
  onDynamicDisk, type VolumeScan,
} from "../../../src/guest/windows-volumes.js";
import type { PartitionInfo } from "../../../src/model/guest-handle.js";

const mbr = (mbrId: number): PartitionInfo => ({ disk: "/dev/sda", number: 2, table: "msdos", mbrId });
const gpt = (gptType: string): PartitionInfo => ({ disk: "/dev/sda", number: 3, table: "gpt", gptType });

describe("dynamic disks", () => {
  test.each([
    [0x42, true],
    [0x07, false], // NTFS on a basic disk
    [0x27, false], // a recovery partition
    [0x0c, false], // FAT32 LBA
  ])("MBR id %i (decimal): LDM %s", (id, ldm) => {
    expect(isLdmPartition(mbr(id))).toBe(ldm);
  });

  test("both LDM GPT types, in either case; the basic data, ESP and MSR types are not LDM", () => {
    expect(LDM_GPT_TYPES).toEqual(["5808C8AA-7E8F-42E0-85D2-E1E90434CFB3", "AF9B60A0-1431-4F62-BC68-3311714A69AD"]);
    expect(isLdmPartition(gpt("5808C8AA-7E8F-42E0-85D2-E1E90434CFB3"))).toBe(true);
    expect(isLdmPartition(gpt("af9b60a0-1431-4f62-bc68-3311714a69ad"))).toBe(true);
    expect(isLdmPartition(gpt("EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"))).toBe(false);
    expect(isLdmPartition(gpt("C12A7328-F81F-11D2-BA4B-00A0C93EC93B"))).toBe(false);
    expect(isLdmPartition(gpt("E3C9E316-0B5C-4DB8-817D-F92DF00215AE"))).toBe(false);
  });

  test("the id of one table is not read as the other's: 0x42 on GPT, an LDM GUID on MBR, no type at all", () => {
    expect(isLdmPartition({ disk: "/dev/sda", number: 1, table: "gpt", mbrId: 0x42 })).toBe(false);
    expect(isLdmPartition({ disk: "/dev/sda", number: 1, table: "msdos", gptType: LDM_GPT_TYPES[1]! })).toBe(false);
    expect(isLdmPartition({ disk: "/dev/sda", number: 1, table: "gpt" })).toBe(false);
    expect(isLdmPartition({ disk: "/dev/sda", number: 1, table: "loop", mbrId: 0x42 })).toBe(false);
  });

  test("an ldm_vol mapper device is an LDM volume; other mapper devices are not", () => {
    expect(isLdmVolume("/dev/mapper/ldm_vol_WIN-DG0_Volume1")).toBe(true);
    expect(isLdmVolume("/dev/mapper/ldm_part_WIN-DG0_Disk1-01")).toBe(false);
    expect(isLdmVolume("/dev/mapper/vg-root")).toBe(false);
    expect(isLdmVolume("/dev/sda2")).toBe(false);
  });

  test("onDynamicDisk: from the device name or from the partition's type", () => {
    expect(onDynamicDisk("/dev/mapper/ldm_vol_WIN-DG0_Volume1", undefined)).toBe(true);
    expect(onDynamicDisk("/dev/sda2", mbr(0x42))).toBe(true);
    expect(onDynamicDisk("/dev/sda2", mbr(0x07))).toBe(false);
    expect(onDynamicDisk("/dev/sda", undefined)).toBe(false);
  });
});

describe("picking partitions out of a scan", () => {
  const scan: VolumeScan = {
    devices: ["/dev/sda", "/dev/sdb"],
    partitions: [
      { device: "/dev/sda1", vfsType: "ntfs", info: mbr(0x42) },
      { device: "/dev/sda2", vfsType: "BitLocker", info: mbr(0x07) },
      { device: "/dev/sda3", vfsType: "crypto_LUKS", info: undefined },
      { device: "/dev/sda4", vfsType: "", info: gpt(LDM_GPT_TYPES[0]!) },
      { device: "/dev/sdb1", vfsType: "bitlocker", info: { disk: "/dev/sdb", number: 1, table: "gpt", gptType: "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7" } },
    ],
  };

  test("BitLocker volumes (libblkid's type, any case); LUKS is not BitLocker", () => {
    expect(bitlockerPartitions(scan).map((p) => p.device)).toEqual(["/dev/sda2", "/dev/sdb1"]);
  });

  test("LDM partitions by their table entry, whatever is on them", () => {
    expect(ldmPartitions(scan).map((p) => p.device)).toEqual(["/dev/sda1", "/dev/sda4"]);
  });

  test("several partitions are each named with their own disk", () => {
    expect(describePartitions(bitlockerPartitions(scan), scan, ["a.vmdk", "b.vmdk"]))
      .toEqual(["partition 2 of disk a.vmdk (/dev/sda2)", "partition 1 of disk b.vmdk (/dev/sdb1)"]);
    expect(describePartitions([], scan, ["a.vmdk"])).toEqual([]);
  });
});

describe("BitLocker volumes", () => {

  test("the data-volume warning says the conversion goes on and the volume stays encrypted", () => {
    const w = bitlockerDataVolumeWarning("partition 1 of disk data.vmdk (/dev/sdb1)");
    expect(w).toMatch(/^partition 1 of disk data\.vmdk \(\/dev\/sdb1\) is encrypted with BitLocker: /);
    expect(w).toContain("stays encrypted");
  });
});

describe("describeDevice", () => {
  const devices = ["/dev/sda", "/dev/sdb"];
  const names = ["win.ova:win-disk1.vmdk", "win.ova:win-disk2.vmdk"];

  test("a partition is named by its number and its source disk, with the appliance's name", () => {
    expect(describeDevice("/dev/sdb1", { disk: "/dev/sdb", number: 1, table: "gpt" }, devices, names))
      .toBe("partition 1 of disk win.ova:win-disk2.vmdk (/dev/sdb1)");
  });

  test("a whole disk is named by its source name; an unknown device by the appliance's name", () => {
    expect(describeDevice("/dev/sda", undefined, devices, names)).toBe("disk win.ova:win-disk1.vmdk (/dev/sda)");
    expect(describeDevice("/dev/mapper/ldm_vol_X_Volume1", undefined, devices, names)).toBe("/dev/mapper/ldm_vol_X_Volume1");
  });

  test("a partition of a disk the source does not name keeps the appliance's disk name", () => {
    expect(describeDevice("/dev/sdc2", { disk: "/dev/sdc", number: 2, table: "msdos" }, devices, names)).toBe("partition 2 of /dev/sdc (/dev/sdc2)");
  });
});
