// Property-based fuzzing of indexTar: arbitrary bytes, and tars packed by tar-stream (long and pax
// names, crafted pax records, members past the 1 MiB skip threshold) then mutated: truncated,
// bytes flipped, header fields rewritten with a correct checksum, blocks inserted or appended.
// Each archive is a temp file under os.tmpdir(), removed after the call. Whatever the bytes: the
// members, each inside the file, or a one-line BAD_INPUT; never a hang, in bounded time and memory.
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { pack } from "tar-stream";
import { afterAll, afterEach, beforeAll, beforeEach, describe, test } from "vitest";
import { TAR_LIMITS, indexTar, roundUp512, type TarMember } from "../../../src/inputs/tar-index.js";
import { Tally, checkRefusal, expectBounded, fuzzParameters } from "./fuzz-budget.js";

let dir = "";
let serial = 0;
let tally = new Tally();
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "v2v-fuzz-tar-")); });
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

function checkMembers(members: readonly TarMember[], fileSize: number): void {
  const fail = (why: string): never => { throw new Error(why); };
  if (members.length > TAR_LIMITS.members) fail(`${members.length} members`);
  for (const m of members) {
    if (!Number.isSafeInteger(m.sizeBytes) || m.sizeBytes < 0) fail(`member size ${m.sizeBytes}`);
    if (m.dataOffset % 512 !== 0 || m.dataOffset < 512 || m.dataOffset + m.sizeBytes > fileSize) fail(`member at ${m.dataOffset} + ${m.sizeBytes} outside ${fileSize} bytes`);
    if (m.name.includes("\0") || Buffer.byteLength(m.name) > TAR_LIMITS.nameBytes) fail(`member name ${JSON.stringify(m.name.slice(0, 80))}`);
    if (!["file", "directory", "other"].includes(m.type)) fail(`member type ${m.type}`);
  }
}

async function checkIndex(bytes: Uint8Array): Promise<void> {
  const path = join(dir, `fuzz-${serial++}.ova`);
  writeFileSync(path, bytes);
  try {
    const outcome = await expectBounded(() => indexTar(path));
    tally.add(outcome);
    if (outcome.error) checkRefusal(outcome.error);
    else checkMembers(outcome.result!, statSync(path).size);
  } finally {
    rmSync(path, { force: true });
  }
}

// ---- valid archives -----------------------------------------------------------------------

interface EntrySpec {
  readonly name: string;
  readonly size: number;
  readonly type: "file" | "directory" | "symlink";
  readonly pax: Record<string, string> | null;
  readonly fill: "pattern" | "header";
}

const NAME = fc.oneof(
  fc.constantFrom("vm.ovf", "vm.mf", "vm-disk1.vmdk", "./vm.ovf", "../escape.vmdk", "/abs.vmdk", "dir/", "a\\b", "日本.ovf"),
  fc.string({ minLength: 1, maxLength: 40 }),
  fc.string({ minLength: 100, maxLength: 300 }),
);
const PAX_VALUE = fc.oneof(
  fc.constantFrom("0", "-1", "99999999999999999999", "1e3", "NaN", "512", "1048576", "", "a\0b", "x".repeat(5000)),
  fc.string({ maxLength: 20 }),
);
const ENTRY: fc.Arbitrary<EntrySpec> = fc.record({
  name: NAME,
  size: fc.oneof({ weight: 30, arbitrary: fc.nat({ max: 3000 }) }, { weight: 1, arbitrary: fc.integer({ min: 1024 * 1024, max: 1024 * 1024 + 3000 }) }),
  type: fc.constantFrom("file", "file", "file", "directory", "symlink"),
  pax: fc.option(fc.dictionary(fc.constantFrom("path", "size", "linkpath", "mtime", "comment", "x"), PAX_VALUE, { maxKeys: 3 }), { freq: 4 }),
  fill: fc.constantFrom("pattern", "pattern", "header"),
});

/** A member's bytes: a pattern, or a copy of a real tar header so a misplaced offset reads plausible headers. */
function fillData(spec: EntrySpec, headerBlock: Buffer): Buffer {
  const data = Buffer.alloc(spec.size);
  if (spec.fill === "header") for (let i = 0; i < data.length; i += 512) headerBlock.copy(data, i);
  else for (let i = 0; i < data.length; i++) data[i] = (i * 31 + spec.name.length) & 0xff;
  return data;
}

async function packArchive(specs: readonly EntrySpec[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on("data", (c) => { chunks.push(c as Buffer); });
  const ended = new Promise<void>((resolve, reject) => { p.on("end", () => resolve()); p.on("error", reject); });
  const sample = Buffer.alloc(512);
  for (const s of specs) {
    const base = { name: s.name, mode: 0o644, mtime: new Date(0), ...(s.pax ? { pax: s.pax } : {}) };
    try {
      if (s.type === "file") p.entry({ ...base, size: s.size }, fillData(s, chunks[0] ?? sample));
      else if (s.type === "directory") p.entry({ ...base, type: "directory" });
      else p.entry({ ...base, type: "symlink", linkname: "../../etc/passwd" });
    } catch {
      // tar-stream refuses some headers it cannot encode: leave that entry out.
    }
  }
  p.finalize();
  await ended;
  return Buffer.concat(chunks);
}

// ---- mutations ----------------------------------------------------------------------------

/** Header block offsets, walking sizes as written (stops at the first zero or unreadable block). */
function headerOffsets(buf: Buffer): number[] {
  const out: number[] = [];
  for (let off = 0; off + 512 <= buf.length && out.length < 10_000;) {
    const block = buf.subarray(off, off + 512);
    if (block.every((b) => b === 0)) break;
    const size = parseInt(block.subarray(124, 136).toString("latin1").replace(/[\0 ]+/g, ""), 8);
    if (!Number.isFinite(size) || size < 0) break;
    out.push(off);
    off += 512 + roundUp512(size);
  }
  return out;
}

function fixChecksum(buf: Buffer, off: number): void {
  buf.fill(0x20, off + 148, off + 156);
  let sum = 0;
  for (let i = off; i < off + 512; i++) sum += buf[i]!;
  buf.write(`${sum.toString(8).padStart(6, "0")}\0 `, off + 148, "latin1");
}

/** Header fields (offset, length) of ustar. */
const FIELDS = { name: [0, 100], mode: [100, 8], size: [124, 12], typeflag: [156, 1], linkname: [157, 100], magic: [257, 8], prefix: [345, 155] } as const;

type Mutation =
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "flip"; readonly at: number; readonly xor: number }
  | { readonly kind: "field"; readonly header: number; readonly field: keyof typeof FIELDS; readonly value: Buffer; readonly checksum: boolean }
  | { readonly kind: "block"; readonly at: number; readonly block: Buffer }
  | { readonly kind: "append"; readonly bytes: Buffer };

const FIELD_VALUE = fc.oneof(
  fc.constantFrom("77777777777", "00000001000", "00004000000", "7777777777777", "zzz", "-1", "", "x", "L", "K", "g", "5", "2", "S", "ustar  ", "ustar\x0000")
    .map((s) => Buffer.from(s, "latin1")),
  fc.uint8Array({ maxLength: 12 }).map((a) => Buffer.from(a)),
  fc.constantFrom(Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe])),
);
const MUTATION: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("field" as const), header: fc.nat({ max: 20 }), field: fc.constantFrom(...(Object.keys(FIELDS) as (keyof typeof FIELDS)[])), value: FIELD_VALUE, checksum: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("block" as const), at: fc.nat({ max: 40 }), block: fc.oneof(fc.constant(Buffer.alloc(512)), fc.uint8Array({ minLength: 512, maxLength: 512 }).map((a) => Buffer.from(a))) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("append" as const), bytes: fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a)) }) },
);

function mutate(input: Buffer, m: Mutation): Buffer {
  const buf = Buffer.from(input);
  switch (m.kind) {
    case "truncate": return buf.subarray(0, buf.length === 0 ? 0 : m.at % buf.length);
    case "flip":
      if (buf.length > 0) buf[m.at % buf.length] = buf[m.at % buf.length]! ^ m.xor;
      return buf;
    case "field": {
      const heads = headerOffsets(buf);
      if (heads.length === 0) return buf;
      const off = heads[m.header % heads.length]!;
      const [start, length] = FIELDS[m.field];
      buf.fill(0, off + start, off + start + length);
      m.value.copy(buf, off + start, 0, Math.min(length, m.value.length));
      if (m.checksum) fixChecksum(buf, off);
      return buf;
    }
    case "block": {
      const at = Math.min(m.at, Math.floor(buf.length / 512)) * 512;
      return Buffer.concat([buf.subarray(0, at), m.block, buf.subarray(at)]);
    }
    case "append": return Buffer.concat([buf, m.bytes]);
  }
}

const ARCHIVE = fc.array(ENTRY, { minLength: 1, maxLength: 6 });

describe("indexTar fuzzing: members inside the file or a one-line BAD_INPUT, never a hang", () => {
  beforeEach(() => { tally = new Tally(); });
  afterEach((ctx) => { process.stderr.write(`fuzz ${tally.summary(ctx.task.name)}\n`); });

  test("arbitrary bytes (some starting with a valid header)", async () => {
    const valid = await packArchive([{ name: "vm.ovf", size: 10, type: "file", pax: null, fill: "pattern" }]);
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 4096 }),
      fc.uint8Array({ maxLength: 4096 }).map((a) => Buffer.concat([valid.subarray(0, 512), Buffer.from(a)])),
    );
    await fc.assert(fc.asyncProperty(bytes, checkIndex), fuzzParameters());
  });

  test("tars packed by tar-stream: long and pax names, crafted pax records, big members", async () => {
    await fc.assert(fc.asyncProperty(ARCHIVE, async (specs) => checkIndex(await packArchive(specs))), fuzzParameters());
  });

  test("those tars mutated: truncated, flipped, header fields rewritten (checksum fixed or not), blocks inserted", async () => {
    await fc.assert(fc.asyncProperty(ARCHIVE, fc.array(MUTATION, { minLength: 1, maxLength: 4 }), async (specs, ms) => {
      await checkIndex(ms.reduce(mutate, await packArchive(specs)));
    }), fuzzParameters());
  });
});
