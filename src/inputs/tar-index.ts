// List the members of an uncompressed tar with the offset and size of their data, so disks can be
// read in place; headers are decoded by tar-stream, and large members are skipped, not read.
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { extract } from "tar-stream";

export interface TarMember {
  /** Path inside the archive, as stored (pax and GNU long names applied), without a leading "./". */
  readonly name: string;
  readonly type: "file" | "directory" | "other";
  /** Byte offset of the member's data in the tar file (always a multiple of 512). */
  readonly dataOffset: number;
  readonly sizeBytes: number;
}

/** Members at least this big are skipped by reopening the file after them, not read through. */
const SKIP_THRESHOLD_BYTES = 1024 * 1024;

export const roundUp512 = (n: number): number => Math.ceil(n / 512) * 512;

/**
 * True when a 512-byte block is a POSIX (ustar) or GNU tar header whose checksum is right.
 * Used to tell a tar from anything else before indexing it.
 */
export function isTarHeader(block: Uint8Array): boolean {
  if (block.length < 512) return false;
  const magic = Buffer.from(block.subarray(257, 263)).toString("latin1");
  if (magic !== "ustar\0" && magic !== "ustar ") return false;
  const stored = parseInt(Buffer.from(block.subarray(148, 156)).toString("latin1").replace(/[\0 ]+/g, " ").trim(), 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === stored;
}

/** The first `length` bytes of a file (fewer if it is shorter). */
export async function readHead(path: string, length = 512): Promise<Buffer> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Read a small member (an .ovf or .mf) into memory. */
export async function readMember(tarPath: string, member: TarMember): Promise<Buffer> {
  const fh = await open(tarPath, "r");
  try {
    const buf = Buffer.alloc(member.sizeBytes);
    const { bytesRead } = await fh.read(buf, 0, member.sizeBytes, member.dataOffset);
    if (bytesRead !== member.sizeBytes) throw new Error(`${tarPath}: member ${member.name} is truncated`);
    return buf;
  } finally {
    await fh.close();
  }
}

/**
 * Index a tar file. Throws (a plain Error from tar-stream or from here) when it is not a valid
 * tar or is truncated; callers turn that into a BAD_INPUT naming the file.
 */
export async function indexTar(tarPath: string): Promise<TarMember[]> {
  const { size: fileSize } = await stat(tarPath);
  const members: TarMember[] = [];
  let base: number | undefined = 0;
  while (base !== undefined && base < fileSize) {
    base = await scanSegment(tarPath, base, fileSize, members);
  }
  return members;
}

/**
 * Parse headers from `base` (a header boundary). Returns where to resume after a large member,
 * or undefined at the end of the archive. tar-stream reports, in the undocumented but stable
 * `header.byteOffset` (tar-stream >= 3.1), the data offset relative to where it started.
 */
async function scanSegment(tarPath: string, base: number, fileSize: number, out: TarMember[]): Promise<number | undefined> {
  const input = createReadStream(tarPath, { start: base, highWaterMark: 256 * 1024 });
  const ex = extract();
  input.on("error", (e) => ex.destroy(e));
  input.pipe(ex);
  try {
    for await (const entry of ex) {
      const h = entry.header as typeof entry.header & { byteOffset?: number };
      if (typeof h.byteOffset !== "number") throw new Error("tar-stream did not report member offsets; install tar-stream 3.1 or later");
      const sizeBytes = h.size ?? 0;
      const dataOffset = base + h.byteOffset;
      if (dataOffset % 512 !== 0 || dataOffset + sizeBytes > fileSize) {
        throw new Error(`member ${h.name} at offset ${dataOffset} with ${sizeBytes} bytes does not fit in the file: the tar is truncated or corrupt`);
      }
      const type = h.type === "file" || h.type === "contiguous-file" ? "file" : h.type === "directory" ? "directory" : "other";
      out.push({ name: h.name.replace(/^(\.\/)+/, ""), type, dataOffset, sizeBytes });
      if (sizeBytes >= SKIP_THRESHOLD_BYTES) return dataOffset + roundUp512(sizeBytes);
      entry.resume();
    }
    return undefined;
  } finally {
    input.unpipe(ex);
    input.destroy();
    ex.destroy();
  }
}
