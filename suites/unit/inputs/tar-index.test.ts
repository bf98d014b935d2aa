import { mkdir, open, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pack } from "tar-stream";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { TAR_LIMITS, indexTar, isTarHeader, readHead, readMember, type TarMember } from "../../../src/inputs/tar-index.js";
import { V2vError } from "../../../src/model/errors.js";
import { run } from "../../../src/host/exec.js";
import { makeTempDir, packTar, type TarEntry } from "./ova-fixtures.js";

/** Deterministic, non-repeating-at-512 bytes so a wrong offset cannot compare equal by chance. */
function pattern(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

async function readAt(path: string, offset: number, size: number): Promise<Buffer> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(size);
    await fh.read(buf, 0, size, offset);
    return buf;
  } finally {
    await fh.close();
  }
}

async function expectOffsetsRight(tarPath: string, members: readonly TarMember[], entries: readonly TarEntry[]): Promise<void> {
  const files = members.filter((m) => m.type === "file");
  expect(files.map((m) => m.name)).toEqual(entries.map((e) => e.name));
  for (const [i, m] of files.entries()) {
    expect(m.dataOffset % 512).toBe(0);
    expect(m.sizeBytes).toBe(entries[i]!.data.length);
    expect((await readAt(tarPath, m.dataOffset, m.sizeBytes)).equals(entries[i]!.data)).toBe(true);
  }
}

async function expectBadInput(p: Promise<unknown>, text: RegExp): Promise<void> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(V2vError);
  expect((e as V2vError).code).toBe("BAD_INPUT");
  expect((e as V2vError).message).toMatch(text);
  expect((e as V2vError).message).not.toMatch(/[\x00-\x1f]/);
}

/** A one-member tar whose name travels in a pax header, so it can hold any byte (tar-stream's pack). */
async function paxTar(name: string): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on("data", (c) => { chunks.push(c as Buffer); });
  const ended = new Promise<void>((resolve) => p.on("end", () => resolve()));
  p.entry({ name, size: 1, pax: {} }, Buffer.from("x"));
  p.finalize();
  await ended;
  return Buffer.concat(chunks);
}

const LONG = `folder/${"very-long-name-".repeat(9)}disk.vmdk`; // > 100 chars: pax or GNU long name

describe("indexTar", () => {
  let dir: string;
  const entries: TarEntry[] = [
    { name: "vm.ovf", data: Buffer.from("<Envelope/>\n") },
    { name: "vm-disk1.vmdk", data: pattern(2 * 1024 * 1024 + 100, 1) }, // big: skipped by reopening
    { name: LONG, data: pattern(3000, 2) },
    { name: "vm.mf", data: Buffer.from("SHA1(vm.ovf)= x\n") },
    { name: "empty", data: Buffer.alloc(0) },
  ];
  beforeAll(async () => {
    dir = await makeTempDir();
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test("tar-stream archive (pax long name, member after a big one): bytes at each offset are the member", async () => {
    const tar = join(dir, "ts.ova");
    await packTar(tar, entries);
    expect(isTarHeader(await readHead(tar))).toBe(true);
    const members = await indexTar(tar);
    await expectOffsetsRight(tar, members, entries);
    const ovf = members.find((m) => m.name === "vm.ovf")!;
    expect((await readMember(tar, ovf)).toString()).toBe("<Envelope/>\n");
  });

  test("GNU tar archive (GNU long name, directory entry, ./ prefix)", async () => {
    const src = join(dir, "src");
    await mkdir(join(src, "folder"), { recursive: true });
    for (const e of entries) await writeFile(join(src, e.name), e.data);
    const tar = join(dir, "gnu.ova");
    await run(["tar", "--format=gnu", "-cf", tar, "-C", src, ...entries.map((e) => `./${e.name}`), "./folder"]);
    const members = await indexTar(tar);
    expect(members.some((m) => m.type === "directory" && m.name.startsWith("folder"))).toBe(true);
    await expectOffsetsRight(tar, members.filter((m) => m.type === "file"), entries);
  });

  test("a file that is not a tar is refused, and its first block is not a tar header", async () => {
    const notTar = join(dir, "notes.ova");
    await writeFile(notTar, "just some text\n".repeat(100));
    expect(isTarHeader(await readHead(notTar))).toBe(false);
    await expectBadInput(indexTar(notTar), /notes\.ova: not a readable tar archive \(.*\); the OVA is corrupt or truncated, download it again$/);
  });

  test("a truncated tar is refused with BAD_INPUT (inside a small member, and inside a skipped big one)", async () => {
    const tar = join(dir, "cut.ova");
    await packTar(tar, entries);
    await truncate(tar, 1024 * 1024);
    await expectBadInput(indexTar(tar), /cut\.ova: tar member "vm-disk1\.vmdk" at offset 1536 with 2097252 bytes does not fit in the file \(1048576 bytes\)/);
    await truncate(tar, 1000);
    await expectBadInput(indexTar(tar), /truncated/);
  });

  test("a missing file is BAD_INPUT too", async () => {
    await expectBadInput(indexTar(join(dir, "absent.ova")), /absent\.ova: not a readable tar archive \(ENOENT/);
  });

  test("member names with NUL or over 4096 bytes are refused, escaped", async () => {
    const nul = join(dir, "nul.ova");
    await writeFile(nul, await paxTar("d/a\0b\x1b.vmdk"));
    await expectBadInput(indexTar(nul), /tar member 1 has a name with a NUL character \("d\/a\\u0000b\\u001b\.vmdk"\)/);
    const long = join(dir, "long.ova");
    await packTar(long, [{ name: "n".repeat(TAR_LIMITS.nameBytes + 1), data: Buffer.from("x") }]);
    await expectBadInput(indexTar(long), /tar member 1 has a name longer than 4096 bytes/);
  });

  test("a size field tar-stream cannot decode is refused at once (it used to hang the scan)", async () => {
    const tar = join(dir, "badsize.ova");
    const buf = await paxTar("x.vmdk");
    const header = buf.subarray(1024, 1536); // after the pax header and its record block
    header.fill(0, 124, 136);
    Buffer.from([0xea, 0x4d, 0xa3, 0xd9]).copy(header, 124);
    header.fill(0x20, 148, 156);
    const sum = header.reduce((a, b) => a + b, 0);
    header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
    await writeFile(tar, buf);
    const started = Date.now();
    await expectBadInput(indexTar(tar), /tar member "x\.vmdk" has a size field that cannot be read/);
    expect(Date.now() - started).toBeLessThan(1000 * Number(process.env["V2V_TEST_TIME_FACTOR"] ?? 1));
  });

  test("more than 10000 members are refused", async () => {
    const tar = join(dir, "many.ova");
    await packTar(tar, Array.from({ length: TAR_LIMITS.members + 1 }, (_, i) => ({ name: `m${i}`, data: Buffer.alloc(0) })));
    await expectBadInput(indexTar(tar), /more than 10000 members/);
  });

  test("readMember refuses a member bigger than its bound and a truncated one", async () => {
    const tar = join(dir, "small.ova");
    await packTar(tar, entries.slice(0, 1));
    const [ovf] = await indexTar(tar);
    await expectBadInput(readMember(tar, ovf!, 4), /member "vm\.ovf" is 12 bytes, more than the 4 read into memory/);
    await expectBadInput(readMember(tar, { ...ovf!, dataOffset: 1_000_000 }), /member "vm\.ovf" is truncated/);
  });

  test("isTarHeader checks the checksum, not only the magic", async () => {
    const tar = join(dir, "ts2.ova");
    await packTar(tar, entries.slice(0, 1));
    const head = Buffer.from(await readFile(tar)).subarray(0, 512);
    expect(isTarHeader(head)).toBe(true);
    head[0] = head[0]! ^ 0xff;
    expect(isTarHeader(head)).toBe(false);
  });
});
