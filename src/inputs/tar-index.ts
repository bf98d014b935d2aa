// List the members of an uncompressed tar with the offset and size of their data, so disks can be
// read in place; headers are decoded by tar-stream, and large members are skipped, not read.
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { extract } from "tar-stream";
import { V2vError, badInput } from "../model/errors.js";
import { escapeForTerminal, quoteForMessage } from "../model/untrusted.js";

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

/** How long the scan may go without reading a byte or seeing a member (a slow disk stays far below). */
const STALL_MS = 30_000;
/** The same, once the last byte of the file was read. */
const STALL_AFTER_END_MS = 2000;

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

/** Members of at most this size can be read into memory by readMember (OVF, manifest, certificate). */
export const READ_MEMBER_MAX_BYTES = 64 * 1024 * 1024;

/** Read a small member (an .ovf or .mf) into memory; BAD_INPUT when it is truncated or too big. */
export async function readMember(tarPath: string, member: TarMember, maxBytes = READ_MEMBER_MAX_BYTES): Promise<Buffer> {
  const label = `${escapeForTerminal(tarPath)}: member ${quoteForMessage(member.name)}`;
  if (member.sizeBytes > maxBytes) throw badInput(`${label} is ${member.sizeBytes} bytes, more than the ${maxBytes} read into memory; the OVA is corrupt or crafted`);
  const fh = await open(tarPath, "r");
  try {
    const buf = Buffer.alloc(member.sizeBytes);
    const { bytesRead } = await fh.read(buf, 0, member.sizeBytes, member.dataOffset);
    if (bytesRead !== member.sizeBytes) throw badInput(`${label} is truncated; the OVA is incomplete, download it again`);
    return buf;
  } finally {
    await fh.close();
  }
}

/** Bounds on what an archive may hold; an OVA has a handful of members with short names. */
export const TAR_LIMITS = {
  members: 10_000,
  /** UTF-8 bytes of a member name (pax and GNU long names included). */
  nameBytes: 4096,
} as const;

/**
 * Index a tar file. Resolves with its members, or throws V2vError BAD_INPUT naming the file (not
 * a tar, truncated, corrupt, a member name with NUL or over 4096 bytes, too many members). Reads
 * only headers: members of 1 MiB or more are skipped by reopening the file after them, so memory
 * stays bounded by tar-stream's own header limit, whatever the archive holds.
 */
export async function indexTar(tarPath: string): Promise<TarMember[]> {
  const file = escapeForTerminal(tarPath);
  try {
    const { size: fileSize } = await stat(tarPath);
    const members: TarMember[] = [];
    let base: number | undefined = 0;
    while (base !== undefined && base < fileSize) {
      base = await scanSegment(tarPath, base, fileSize, members);
    }
    return members;
  } catch (e) {
    if (e instanceof V2vError) throw e;
    const why = escapeForTerminal((e instanceof Error ? e.message : String(e)).slice(0, 200));
    throw badInput(`${file}: not a readable tar archive (${why}); the OVA is corrupt or truncated, download it again`, e);
  }
}

function checkMemberName(name: string, tarPath: string, count: number): void {
  const file = escapeForTerminal(tarPath);
  if (count > TAR_LIMITS.members) {
    throw badInput(`${file}: the tar archive has more than ${TAR_LIMITS.members} members; an OVA has a few, the file is corrupt or crafted`);
  }
  if (name.includes("\0")) {
    throw badInput(`${file}: tar member ${count} has a name with a NUL character (${quoteForMessage(name)}); the OVA is corrupt or crafted`);
  }
  if (Buffer.byteLength(name, "utf8") > TAR_LIMITS.nameBytes) {
    throw badInput(`${file}: tar member ${count} has a name longer than ${TAR_LIMITS.nameBytes} bytes (${quoteForMessage(name)}); the OVA is corrupt or crafted`);
  }
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
  // A watchdog, so a header the parser misreads cannot leave it waiting forever (seen with a size
  // field it could not decode): no byte read and no member seen for a while ends the scan. Once
  // every byte was read, the parser has nothing left to wait for, and the wait is short.
  let stall: NodeJS.Timeout | undefined;
  let ended = false;
  const arm = (): void => {
    clearTimeout(stall);
    stall = setTimeout(() => ex.destroy(new Error("the tar parser stopped making progress")), ended ? STALL_AFTER_END_MS : STALL_MS);
  };
  input.on("data", arm);
  input.on("end", () => {
    ended = true;
    arm();
  });
  arm();
  input.pipe(ex);
  try {
    for await (const entry of ex) {
      arm();
      const h = entry.header as typeof entry.header & { byteOffset?: number };
      if (typeof h.byteOffset !== "number") throw new Error("tar-stream did not report member offsets; install tar-stream 3.1 or later");
      // tar-stream gives null for a size it cannot decode, and would then wait for data forever.
      const sizeBytes = h.size as number | null | undefined;
      const dataOffset = base + h.byteOffset;
      checkMemberName(h.name, tarPath, out.length + 1);
      if (typeof sizeBytes !== "number" || !Number.isSafeInteger(sizeBytes) || sizeBytes < 0) {
        throw badInput(`${escapeForTerminal(tarPath)}: tar member ${quoteForMessage(h.name)} has a size field that cannot be read: the tar is corrupt, download the OVA again`);
      }
      if (dataOffset % 512 !== 0 || dataOffset + sizeBytes > fileSize) {
        throw badInput(`${escapeForTerminal(tarPath)}: tar member ${quoteForMessage(h.name)} at offset ${dataOffset} with ${sizeBytes} bytes does not fit in the file (${fileSize} bytes): the tar is truncated or corrupt, download the OVA again`);
      }
      const type = h.type === "file" || h.type === "contiguous-file" ? "file" : h.type === "directory" ? "directory" : "other";
      out.push({ name: h.name.replace(/^(\.\/)+/, ""), type, dataOffset, sizeBytes });
      if (sizeBytes >= SKIP_THRESHOLD_BYTES) return dataOffset + roundUp512(sizeBytes);
      entry.resume();
    }
    return undefined;
  } finally {
    clearTimeout(stall);
    input.unpipe(ex);
    input.destroy();
    ex.destroy();
  }
}
