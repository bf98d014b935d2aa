// Windows volumes v2v cannot convert, decided from what libguestfs reports: a BitLocker-encrypted
// volume (libblkid's type "BitLocker") and a volume on a dynamic disk (Windows' Logical Disk
// Manager, LDM). Pure: volume-scan.ts reads the facts through the GuestHandle; inspect.ts and the
// Windows converter's read-only first step act on these decisions.
//
// What libguestfs 1.48 does with such volumes (measured): list-filesystems leaves out BitLocker
// volumes (like LUKS, they are containers) and partitions typed as LDM (MBR 0x42 is read as the
// LDM data GPT type); LDM volumes appear only when ldmtool finds the disk group's database, as
// /dev/mapper/ldm_vol_*. So a BitLocker or LDM system volume usually means "no root found".
import type { PartitionInfo } from "../model/guest-handle.js";

/** The MBR partition type Windows gives the partitions of a dynamic disk. */
export const LDM_MBR_ID = 0x42;
/** GPT partition types of a dynamic disk: its LDM database, and the space its volumes live in. */
export const LDM_GPT_TYPES: readonly string[] = [
  "5808C8AA-7E8F-42E0-85D2-E1E90434CFB3", // LDM metadata
  "AF9B60A0-1431-4F62-BC68-3311714A69AD", // LDM data
];

/** One partition of the guest's disks: what libblkid finds on it and its partition table entry. */
export interface ScannedPartition {
  readonly device: string;
  /** libblkid's TYPE ("ntfs", "BitLocker"), "" when it finds nothing. */
  readonly vfsType: string;
  readonly info: PartitionInfo | undefined;
}

/** Every partition, and the whole disks in source order (to name a partition's source disk). */
export interface VolumeScan {
  readonly devices: readonly string[];
  readonly partitions: readonly ScannedPartition[];
}

/** libguestfs names an LDM volume it mapped with ldmtool /dev/mapper/ldm_vol_<disk group>_<volume>. */
export function isLdmVolume(device: string): boolean {
  return device.startsWith("/dev/mapper/ldm_vol_");
}

/** A partition whose table entry says it belongs to a dynamic disk. */
export function isLdmPartition(p: PartitionInfo): boolean {
  if (p.table === "msdos") return p.mbrId === LDM_MBR_ID;
  if (p.table === "gpt") return p.gptType !== undefined && LDM_GPT_TYPES.includes(p.gptType.toUpperCase());
  return false;
}

/** The system volume is on a dynamic disk: an LDM volume, or a partition typed as LDM. */
export function onDynamicDisk(device: string, part: PartitionInfo | undefined): boolean {
  return isLdmVolume(device) || (part !== undefined && isLdmPartition(part));
}

/** The BitLocker volumes among the scanned partitions, in scan order. */
export function bitlockerPartitions(scan: VolumeScan): ScannedPartition[] {
  return scan.partitions.filter((p) => p.vfsType.toLowerCase() === "bitlocker");
}

/** The partitions typed as a dynamic disk's, in scan order. */
export function ldmPartitions(scan: VolumeScan): ScannedPartition[] {
  return scan.partitions.filter((p) => p.info !== undefined && isLdmPartition(p.info));
}

/**
 * A device in the user's words: "partition 3 of disk win.vmdk (/dev/sda3)". `devices` are the
 * appliance's whole disks in source order and `diskNames` the source disks' names in that order.
 * A device that is no partition of a known disk is named as the appliance names it.
 */
export function describeDevice(device: string, part: PartitionInfo | undefined, devices: readonly string[], diskNames: readonly string[]): string {
  const nameOf = (disk: string): string | undefined => {
    const i = devices.indexOf(disk);
    return i >= 0 ? diskNames[i] : undefined;
  };
  if (part) {
    const disk = nameOf(part.disk);
    return disk !== undefined ? `partition ${part.number} of disk ${disk} (${device})` : `partition ${part.number} of ${part.disk} (${device})`;
  }
  const disk = nameOf(device);
  return disk !== undefined ? `disk ${disk} (${device})` : device;
}

/** Scanned partitions in the user's words, one each: "partition 1 of disk a.vmdk (/dev/sda1)". */
export function describePartitions(parts: readonly ScannedPartition[], scan: VolumeScan, diskNames: readonly string[]): string[] {
  return parts.map((p) => describeDevice(p.device, p.info, scan.devices, diskNames));
}

/** The warning for a BitLocker volume beside an unencrypted system volume: the conversion goes on. */
export function bitlockerDataVolumeWarning(where: string): string {
  return `${where} is encrypted with BitLocker: it is copied as it is and stays encrypted, and Windows unlocks it after conversion as it did before (its password, smart card or recovery key)`;
}
