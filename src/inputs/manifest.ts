// OVA manifests (.mf): a pure line parser, and a streaming SHA-1/SHA-256 check of a file or of a
// byte range inside a tar, so multi-gigabyte disks are never held in memory.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { V2vError } from "../pipeline/errors.js";

export type DigestAlgorithm = "sha1" | "sha256";

export interface ManifestEntry {
  /** The file name as the manifest writes it, relative to the manifest's directory. */
  readonly file: string;
  readonly algorithm: DigestAlgorithm;
  /** Lower-case hex. */
  readonly digest: string;
}

export interface ParsedManifest {
  readonly entries: readonly ManifestEntry[];
  /** Non-empty lines that are not `SHA1(file)= hex` / `SHA256(file)= hex`, as written (without CR). */
  readonly badLines: readonly string[];
}

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha1: 40, sha256: 64 };

/**
 * Parse a manifest. Accepts `SHA1(f)= hex` and `SHA256(f)= hex` (VMware, ovftool), the
 * `SHA-1(`/`SHA-256(` spellings (Oracle exports), any spacing around "=", and CRLF line ends.
 */
export function parseManifest(text: string): ParsedManifest {
  const entries: ManifestEntry[] = [];
  const badLines: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") continue;
    const m = /^\s*SHA-?(1|256)\((.+)\)\s*=\s*([0-9a-fA-F]+)\s*$/i.exec(line);
    const algorithm: DigestAlgorithm | undefined = m ? (m[1] === "1" ? "sha1" : "sha256") : undefined;
    if (!m || !algorithm || m[3]!.length !== HEX_LENGTH[algorithm]) {
      badLines.push(line);
      continue;
    }
    entries.push({ file: m[2]!, algorithm, digest: m[3]!.toLowerCase() });
  }
  return { entries, badLines };
}

/** A whole file, or `sizeBytes` bytes from `offset` (a member inside a tar). */
export interface ByteRange {
  readonly path: string;
  readonly offset?: number;
  readonly sizeBytes?: number;
}

/** Hex digest of a file or byte range, read as a stream. */
export async function digestRange(range: ByteRange, algorithm: DigestAlgorithm): Promise<string> {
  const hash = createHash(algorithm);
  const start = range.offset ?? 0;
  if (range.sizeBytes === 0) return hash.digest("hex"); // createReadStream's end is inclusive: no empty range
  const end = range.sizeBytes === undefined ? undefined : start + range.sizeBytes - 1;
  for await (const chunk of createReadStream(range.path, { start, end, highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest("hex");
}

/**
 * Check one manifest entry against the bytes it names. Throws V2vError("CHECKSUM") naming the
 * OVA, the file and both digests on a mismatch.
 */
export async function verifyManifestEntry(entry: ManifestEntry, range: ByteRange, ovaName: string): Promise<void> {
  const actual = await digestRange(range, entry.algorithm);
  if (actual !== entry.digest) {
    throw new V2vError(
      "CHECKSUM",
      `${ovaName}: corrupt OVA: checksum of ${entry.file} does not match the manifest (expected ${entry.algorithm} ${entry.digest}, got ${actual}); download it again`,
    );
  }
}
