// Pure: the bytes that make a volume look BitLocker-encrypted (Windows 7 and later) to libblkid,
// which libguestfs asks for every filesystem's type. libblkid wants the volume header to start
// with the jump EB 58 90 and "-FVE-FS-" at offset 3, and the 64-bit offset at byte 176 to point at
// an FVE metadata block that starts with "-FVE-FS-" too. The rest follows the published BDE
// format (libyal's "BitLocker Drive Encryption (BDE) format"): the BitLocker GUID at 160, three
// metadata block offsets at 176..199, and version 2 block headers. Nothing is really encrypted:
// the reference guest only has to be typed "BitLocker" and be unreadable as NTFS.
import { guidBytes, SECTOR } from "./layout.js";

/** Bytes to write at an offset of the volume. */
export interface VolumeWrite {
  readonly offset: number;
  readonly bytes: Buffer;
}

/** The identifier BitLocker (Windows 7 and later, fixed disks) writes at offset 160 of the volume header. */
export const BITLOCKER_GUID = "4967D63B-2E29-4AD8-8399-F6A339E3D001";
export const FVE_SIGNATURE = "-FVE-FS-";
const ALIGN = 64 * 1024;

/** Pure: where the three FVE metadata blocks go: at a quarter, half and three quarters of the volume, 64 KiB aligned. */
export function metadataOffsets(volumeBytes: number): [number, number, number] {
  const at = (fraction: number): number => Math.floor((volumeBytes * fraction) / ALIGN) * ALIGN;
  return [at(0.25), at(0.5), at(0.75)];
}

/**
 * Pure: the writes that turn a volume of `volumeBytes` starting at sector `startSector` of its
 * disk into a BitLocker-looking one: the volume header, the three metadata block headers, and
 * zeros over the last sector (NTFS's backup boot sector, which an encrypted volume does not show).
 */
export function bitlockerWrites(startSector: number, volumeBytes: number): VolumeWrite[] {
  if (volumeBytes < 4 * ALIGN) throw new Error(`a volume of ${volumeBytes} bytes is too small for BitLocker's metadata`);
  const blocks = metadataOffsets(volumeBytes);
  // The encrypted copy of the original NTFS boot sectors: 16 sectors after the first block.
  const volumeHeaderCopy = blocks[0] + ALIGN;

  const h = Buffer.alloc(SECTOR);
  Buffer.from([0xeb, 0x58, 0x90]).copy(h, 0);
  h.write(FVE_SIGNATURE, 3, "latin1");
  h.writeUInt16LE(SECTOR, 11); // bytes per sector
  h.writeUInt8(8, 13); // sectors per cluster
  h.writeUInt8(0xf8, 21); // media descriptor: fixed disk
  h.writeUInt16LE(0x3f, 24); // sectors per track
  h.writeUInt16LE(0xff, 26); // heads
  h.writeUInt32LE(startSector, 28); // hidden sectors: where the volume starts
  h.writeUInt8(0x80, 64); // drive number
  h.writeUInt8(0x29, 66); // extended boot signature
  h.write("NO NAME    ", 71, "latin1");
  h.write("FAT32   ", 82, "latin1");
  guidBytes(BITLOCKER_GUID).copy(h, 160);
  blocks.forEach((o, i) => h.writeBigUInt64LE(BigInt(o), 176 + 8 * i));
  h.writeUInt16LE(0xaa55, 510);

  const block = (): Buffer => {
    const b = Buffer.alloc(64);
    b.write(FVE_SIGNATURE, 0, "latin1");
    b.writeUInt16LE(2, 10); // version 2: Windows 7 and later
    b.writeUInt16LE(4, 12);
    b.writeUInt16LE(4, 14);
    b.writeBigUInt64LE(BigInt(volumeBytes), 16); // bytes still encrypted: all of them
    b.writeUInt32LE(16, 28); // volume header sectors
    blocks.forEach((o, i) => b.writeBigUInt64LE(BigInt(o), 32 + 8 * i));
    b.writeBigUInt64LE(BigInt(volumeHeaderCopy), 56);
    return b;
  };

  return [
    { offset: 0, bytes: h },
    ...blocks.map((offset) => ({ offset, bytes: block() })),
    { offset: volumeBytes - SECTOR, bytes: Buffer.alloc(SECTOR) },
  ];
}
