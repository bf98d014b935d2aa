// Where an image's bytes are: a whole local file, or a member inside an uncompressed tar (an OVA
// read in place). Reads are bounded to the place, so a header cannot make us read past a member.
import { open, stat } from "node:fs/promises";
import { roundUp512 } from "../tar-index.js";

export type ImagePlace =
  | {
      readonly kind: "file";
      /** Absolute real path (symlinks resolved): what qemu is given. */
      readonly path: string;
      /** For messages. */
      readonly label: string;
    }
  | {
      readonly kind: "member";
      readonly tarPath: string;
      /** The member's normalised name inside the tar ("sub/disk1.vmdk"). */
      readonly name: string;
      readonly offsetBytes: number;
      readonly sizeBytes: number;
      readonly label: string;
    };

/** A key that is the same for the same bytes, to detect a chain that loops. */
export const placeKey = (p: ImagePlace): string => (p.kind === "file" ? `file:${p.path}` : `member:${p.tarPath}:${p.offsetBytes}`);

export async function placeSize(p: ImagePlace): Promise<number> {
  return p.kind === "file" ? (await stat(p.path)).size : p.sizeBytes;
}

/** Up to `length` bytes from `offset` inside the place (fewer at its end). */
export async function readAt(p: ImagePlace, offset: number, length: number): Promise<Buffer> {
  const size = await placeSize(p);
  const n = Math.max(0, Math.min(length, size - offset));
  const buf = Buffer.alloc(n);
  if (n === 0) return buf;
  const fh = await open(p.kind === "file" ? p.path : p.tarPath, "r");
  try {
    const { bytesRead } = await fh.read(buf, 0, n, (p.kind === "member" ? p.offsetBytes : 0) + offset);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** A qemu block node description (the JSON of a `json:` pseudo-filename). */
export type QemuNode = { readonly [key: string]: string | number | boolean | null | QemuNode };

/**
 * The protocol-level node for a place: the file itself, or a raw window over the tar member. qemu
 * wants the window's size in whole sectors; tar pads every member to 512 bytes, so rounding up
 * stays inside the archive.
 */
export function protocolNode(p: ImagePlace): QemuNode {
  if (p.kind === "file") return { driver: "file", filename: p.path };
  return { driver: "raw", offset: p.offsetBytes, size: roundUp512(p.sizeBytes), file: { driver: "file", filename: p.tarPath } };
}
