// OVA manifests (.mf): a pure line parser, and a streaming SHA-1/SHA-256 check of a file or of a
// byte range inside a tar, so multi-gigabyte disks are never held in memory.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { V2vError } from "../model/errors.js";
import { escapeForTerminal } from "../model/untrusted.js";

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
  /**
   * 1-based numbers of the non-empty lines that are not `SHA1(file)= hex` / `SHA256(file)= hex`
   * (lines past MANIFEST_LIMITS.lines and lines longer than MANIFEST_LIMITS.lineChars included),
   * the first MANIFEST_LIMITS.listedBadLines of them. The text of a bad line is never returned:
   * it comes from the image and could carry anything, so callers print "line N".
   */
  readonly badLines: readonly number[];
  /** How many bad lines there are in all (badLines may list fewer). */
  readonly badLineCount: number;
}

/** Bounds: a real manifest has one line per file of the OVA, each well under 1 KiB. */
export const MANIFEST_LIMITS = {
  /** Lines read as entries; every non-empty line after these counts as bad. */
  lines: 10_000,
  /** Longer lines count as bad without being matched. */
  lineChars: 4096,
  /** Bad line numbers listed in badLines. */
  listedBadLines: 100,
} as const;

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha1: 40, sha256: 64 };

/** True when text[start, end) is only ASCII white space (the line may be huge: one pass, no regex). */
function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0b && c !== 0x0c) return false;
  }
  return true;
}

/**
 * Parse a manifest. Accepts `SHA1(f)= hex` and `SHA256(f)= hex` (VMware, ovftool), the
 * `SHA-1(`/`SHA-256(` spellings (Oracle exports), any spacing around "=", and CRLF line ends.
 * Linear in the text's length: lines are found with indexOf, and only short ones are matched.
 */
export function parseManifest(text: string): ParsedManifest {
  const entries: ManifestEntry[] = [];
  const badLines: number[] = [];
  let badLineCount = 0;
  const bad = (lineNo: number): void => {
    badLineCount++;
    if (badLines.length < MANIFEST_LIMITS.listedBadLines) badLines.push(lineNo);
  };
  let lineNo = 0;
  for (let start = 0; start <= text.length; ) {
    const nl = text.indexOf("\n", start);
    const end = nl === -1 ? text.length : nl;
    lineNo++;
    const lineStart = start;
    start = end + 1;
    if (isBlank(text, lineStart, end)) {
      if (nl === -1) break;
      continue;
    }
    if (lineNo > MANIFEST_LIMITS.lines || end - lineStart > MANIFEST_LIMITS.lineChars) {
      bad(lineNo);
    } else {
      const entry = parseLine(text.slice(lineStart, end).replace(/\r$/, ""));
      if (entry) entries.push(entry);
      else bad(lineNo);
    }
    if (nl === -1) break;
  }
  return { entries, badLines, badLineCount };
}

function parseLine(line: string): ManifestEntry | undefined {
  const m = /^\s*SHA-?(1|256)\((.+)\)\s*=\s*([0-9a-fA-F]+)\s*$/i.exec(line);
  if (!m) return undefined;
  const algorithm: DigestAlgorithm = m[1] === "1" ? "sha1" : "sha256";
  if (m[3]!.length !== HEX_LENGTH[algorithm]) return undefined;
  return { file: m[2]!, algorithm, digest: m[3]!.toLowerCase() };
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
      `${escapeForTerminal(ovaName)}: corrupt OVA: checksum of ${escapeForTerminal(entry.file)} does not match the manifest (expected ${entry.algorithm} ${entry.digest}, got ${actual}); download it again`,
    );
  }
}
