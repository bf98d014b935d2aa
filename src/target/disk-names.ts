// Names derived from a disk's position: letters (a..z, aa..), target file names, guest device names.
import type { TargetBlockBus } from "../model/types.js";

/**
 * Drive letters for a 0-based index, the way Linux names disks: 0 -> "a", 25 -> "z", 26 -> "aa",
 * 701 -> "zz", 702 -> "aaa" (bijective base 26).
 */
export function driveLetters(index: number): string {
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`driveLetters: index must be a non-negative integer, not ${index}`);
  let n = index + 1;
  let letters = "";
  while (n > 0) {
    const rem = (n - 1) % 26;
    letters = String.fromCharCode(97 + rem) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

/** "sda", "sdb" ... "sdz", "sdaa": the suffix virt-v2v gives target disk files. */
export const sdName = (index: number): string => `sd${driveLetters(index)}`;

/** The file a local output writes for disk `index` of guest `guestName`: NAME-sda, NAME-sdb ... */
export const targetDiskFileName = (guestName: string, index: number): string => `${guestName}-${sdName(index)}`;

const DEVICE_PREFIX: Readonly<Record<TargetBlockBus, string>> = { "virtio-blk": "vd", "virtio-scsi": "sd", sata: "sd", ide: "hd" };

/** The guest device name of the disk at `position` on `bus`: vda / sda / hda ... */
export const deviceName = (bus: TargetBlockBus, position: number): string => `${DEVICE_PREFIX[bus]}${driveLetters(position)}`;
