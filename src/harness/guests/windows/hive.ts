// Pure: an empty Windows registry hive file ("regf" format), the starting point that hivexregedit
// --merge fills with keys and values. No packaged tool creates an empty hive, so it is written
// here field by field. Layout: a 4096-byte base block, then one 4096-byte hive bin ("hbin")
// holding three cells: the root key ("nk"), its security descriptor ("sk"), and a free cell.
// Offsets of cells are relative to the start of the first hbin (file offset 4096).

/** Size of the base block and of the one hive bin. */
export const HIVE_PAGE = 4096;

/** Where the root key cell lies, relative to the first hbin: right after the 32-byte hbin header. */
export const ROOT_CELL_OFFSET = 0x20;

/** Where the base block's checksum lies: the XOR of the 127 little-endian u32 words before it. */
export const CHECKSUM_OFFSET = 0x1fc;

/** 2024-01-01T00:00:00Z as a Windows FILETIME (100 ns units since 1601): a fixed time keeps hives byte-identical. */
export const FIXED_FILETIME = 133485408000000000n;

/**
 * Self-relative security descriptor with no owner, group, SACL or DACL pointers but "DACL present"
 * set: a NULL DACL, which grants everyone access. Bytes: revision 1, Sbz1 0, control 0x8004
 * (SE_SELF_RELATIVE | SE_DACL_PRESENT), then four zero offsets (owner, group, SACL, DACL).
 */
const NULL_DACL_DESCRIPTOR = Buffer.from([1, 0, 0x04, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

/** nk flags: KEY_HIVE_ENTRY (0x04, the root) | KEY_NO_DELETE (0x08) | KEY_COMP_NAME (0x20, the name is Latin-1). */
const ROOT_KEY_FLAGS = 0x2c;

const NONE = 0xffffffff; // "no cell" in offset fields

/** Cells are allocated in multiples of 8 bytes, their 4-byte size field included. */
const cellSize = (payload: number): number => (4 + payload + 7) & ~7;

/** Pure: XOR of the first 508 bytes of a base block as little-endian u32 words (the regf checksum). */
export function baseBlockChecksum(block: Buffer): number {
  let x = 0;
  for (let i = 0; i < CHECKSUM_OFFSET; i += 4) x ^= block.readUInt32LE(i);
  return x >>> 0;
}

/** Pure: an empty hive whose root key is named `rootName` (Latin-1, as Windows' own hives name theirs). */
export function emptyHive(rootName = "ROOT"): Buffer {
  if (!/^[\x20-\x7e]{1,255}$/.test(rootName)) throw new Error(`hive root name "${rootName}" must be 1-255 printable ASCII characters`);
  const buf = Buffer.alloc(HIVE_PAGE * 2);

  // Base block.
  buf.write("regf", 0x00, "latin1");
  buf.writeUInt32LE(1, 0x04); // primary sequence number
  buf.writeUInt32LE(1, 0x08); // secondary sequence number: equal to the primary = the hive was written completely
  buf.writeBigUInt64LE(FIXED_FILETIME, 0x0c); // last written
  buf.writeUInt32LE(1, 0x14); // major version
  buf.writeUInt32LE(3, 0x18); // minor version: 1.3, what Windows XP and later read and write
  buf.writeUInt32LE(0, 0x1c); // file type 0: a primary hive file (not a log)
  buf.writeUInt32LE(1, 0x20); // file format 1: direct memory load
  buf.writeUInt32LE(ROOT_CELL_OFFSET, 0x24); // root key cell, relative to the first hbin
  buf.writeUInt32LE(HIVE_PAGE, 0x28); // total size of the hive bins that follow
  buf.writeUInt32LE(1, 0x2c); // clustering factor
  // 0x30..0x6f: the hive's file name in UTF-16LE, optional; left empty.
  buf.writeUInt32LE(baseBlockChecksum(buf), CHECKSUM_OFFSET);

  // Hive bin header (32 bytes).
  const bin = HIVE_PAGE;
  buf.write("hbin", bin, "latin1");
  buf.writeUInt32LE(0, bin + 0x04); // this bin's offset from the first hbin
  buf.writeUInt32LE(HIVE_PAGE, bin + 0x08); // this bin's size
  buf.writeBigUInt64LE(FIXED_FILETIME, bin + 0x14); // timestamp (meaningful in the first bin only)

  // Root key: an "nk" cell. A cell starts with its size, negative while allocated.
  const nkSize = cellSize(0x4c + rootName.length);
  const skOffset = ROOT_CELL_OFFSET + nkSize;
  const nkCell = bin + ROOT_CELL_OFFSET;
  buf.writeInt32LE(-nkSize, nkCell);
  const nk = nkCell + 4;
  buf.write("nk", nk, "latin1");
  buf.writeUInt16LE(ROOT_KEY_FLAGS, nk + 0x02);
  buf.writeBigUInt64LE(FIXED_FILETIME, nk + 0x04); // last written
  buf.writeUInt32LE(0, nk + 0x10); // parent: none for the root (0 by convention)
  buf.writeUInt32LE(0, nk + 0x14); // number of subkeys
  buf.writeUInt32LE(0, nk + 0x18); // number of volatile subkeys
  buf.writeUInt32LE(NONE, nk + 0x1c); // subkey list
  buf.writeUInt32LE(NONE, nk + 0x20); // volatile subkey list
  buf.writeUInt32LE(0, nk + 0x24); // number of values
  buf.writeUInt32LE(NONE, nk + 0x28); // value list
  buf.writeUInt32LE(skOffset, nk + 0x2c); // security descriptor cell
  buf.writeUInt32LE(NONE, nk + 0x30); // class name
  // 0x34..0x47: largest subkey name / class / value name / value data sizes, work var: all 0.
  buf.writeUInt16LE(rootName.length, nk + 0x48); // key name length in bytes
  buf.writeUInt16LE(0, nk + 0x4a); // class name length
  buf.write(rootName, nk + 0x4c, "latin1");

  // Security descriptor: an "sk" cell. sk cells form a circular list; the only one points at itself.
  const skSize = cellSize(0x14 + NULL_DACL_DESCRIPTOR.length);
  const skCell = bin + skOffset;
  buf.writeInt32LE(-skSize, skCell);
  const sk = skCell + 4;
  buf.write("sk", sk, "latin1");
  buf.writeUInt32LE(skOffset, sk + 0x04); // flink
  buf.writeUInt32LE(skOffset, sk + 0x08); // blink
  buf.writeUInt32LE(1, sk + 0x0c); // reference count: the root key
  buf.writeUInt32LE(NULL_DACL_DESCRIPTOR.length, sk + 0x10);
  NULL_DACL_DESCRIPTOR.copy(buf, sk + 0x14);

  // The rest of the bin: one free cell (positive size), which hivex allocates new keys from.
  const free = skCell + skSize;
  buf.writeInt32LE(bin + HIVE_PAGE - free, free);
  return buf;
}
