// Windows XP and Server 2003 (NT 5.x) boot through the NTFS boot sector's BIOS geometry: its
// "number of heads" field (16 bits at offset 0x1A) must match what the new BIOS reports for the
// disk, or NTLDR is not found. SeaBIOS reports 64, 128 or 255 heads by the disk's size, so the
// field is set to that value (the same rule as virt-v2v, VIRT-V2V.md §5.5). NT 6 and later boot
// through bootmgr, which does not read the field: they are left alone.
import { join } from "node:path";
import { readFile, rm, writeFile } from "node:fs/promises";
import type { GuestHandle } from "../../model/guest-handle.js";
import type { StepLog } from "../step-log.js";

/** Offset of the heads field in an NTFS boot sector (BIOS parameter block). */
export const NTFS_HEADS_OFFSET = 0x1a;

/** Pure: the heads value SeaBIOS's geometry gives a disk of this many bytes. */
export function biosHeadsFor(diskBytes: number): number {
  if (diskBytes < 2114445312) return 0x40;
  if (diskBytes < 4228374780) return 0x80;
  return 0xff;
}

/** Pure: the whole disk a partition device belongs to ("/dev/sda2" → "/dev/sda"); undefined when it is not a partition. */
export function wholeDiskOf(device: string): string | undefined {
  const m = /^(\/dev\/[a-z]+)([1-9][0-9]{0,2})$/.exec(device);
  return m ? m[1] : undefined;
}

/** Pure: is this sector an NTFS boot sector (OEM id "NTFS    " at offset 3)? */
export function isNtfsBootSector(sector: Buffer): boolean {
  return sector.length >= 512 && sector.toString("latin1", 3, 11) === "NTFS    ";
}

/**
 * Set the heads field of the root partition's NTFS boot sector for its disk's size. Root not on a
 * partition, or not NTFS: a note, nothing written.
 */
export async function fixNtfsHeads(g: GuestHandle, root: string, workDir: string, log: StepLog): Promise<void> {
  const disk = wholeDiskOf(root);
  if (!disk) {
    log.note(`the system volume ${root} is not a partition: its NTFS boot sector geometry was left alone`);
    return;
  }
  const local = join(workDir, "ntfs-boot-sector");
  try {
    await g.readDeviceRange(root, local, 0, 512);
    const sector = await readFile(local);
    if (!isNtfsBootSector(sector)) {
      log.note(`${root} does not start with an NTFS boot sector: its geometry was left alone`);
      return;
    }
    const want = biosHeadsFor(await g.deviceSizeBytes(disk));
    const have = sector.readUInt16LE(NTFS_HEADS_OFFSET);
    if (have === want) return;
    const field = Buffer.alloc(2);
    field.writeUInt16LE(want);
    await writeFile(local, field);
    await g.writeDeviceRange(local, root, NTFS_HEADS_OFFSET);
    log.change(`set the heads of ${root}'s NTFS boot sector from ${have} to ${want}, as the KVM BIOS reports them for this disk (NT 5 boots through them)`);
  } finally {
    await rm(local, { force: true });
  }
}
