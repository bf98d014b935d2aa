import { mkdir, open, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { indexTar, isTarHeader, readHead, readMember, type TarMember } from "../../../src/inputs/tar-index.js";
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
    await expect(indexTar(notTar)).rejects.toThrow();
  });

  test("a truncated tar is refused", async () => {
    const tar = join(dir, "cut.ova");
    await packTar(tar, entries);
    await truncate(tar, 1024 * 1024);
    await expect(indexTar(tar)).rejects.toThrow(/truncated|end of data/i);
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
