// The tar index at the bounds Stryker found untested: headers by hand (ustar and GNU magic, short
// blocks, checksum field spellings), members exactly at the size where they are skipped rather
// than read, "./" prefixes, entry types, and readMember's bound.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { indexTar, isTarHeader, readMember, roundUp512 } from "../../../src/inputs/tar-index.js";
import { V2vError } from "../../../src/model/errors.js";

const dir = mkdtempSync(join(tmpdir(), "v2v-tar-bounds-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A 512-byte tar header; `checksum` writes the sum with the given format (default: 6 octal digits, NUL, space). */
function header(name: string, size: number, o: { type?: string; magic?: string; checksum?: (sum: number) => string } = {}): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, "latin1");
  h.write("0000644\0", 100, "latin1");
  h.write("0000000\0", 108, "latin1");
  h.write("0000000\0", 116, "latin1");
  h.write(`${size.toString(8).padStart(11, "0")}\0`, 124, "latin1");
  h.write("00000000000\0", 136, "latin1");
  h.write(o.type ?? "0", 156, "latin1");
  h.write(o.magic ?? "ustar\x0000", 257, "latin1");
  h.fill(0x20, 148, 156);
  const sum = h.reduce((a, b) => a + b, 0);
  h.write((o.checksum ?? ((s) => `${s.toString(8).padStart(6, "0")}\0 `))(sum), 148, "latin1");
  return h;
}
const tar = (name: string, members: readonly { header: Buffer; data: Buffer }[]): string => {
  const parts = members.flatMap((m) => [m.header, m.data, Buffer.alloc(roundUp512(m.data.length) - m.data.length)]);
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([...parts, Buffer.alloc(1024)]));
  return path;
};

describe("isTarHeader", () => {
  test("ustar (POSIX) and 'ustar ' (GNU) magics with a right checksum are headers", () => {
    expect(isTarHeader(header("a", 0))).toBe(true);
    expect(isTarHeader(header("a", 0, { magic: "ustar  \0" }))).toBe(true);
  });

  test("another magic, a short block, or a wrong checksum is not", () => {
    expect(isTarHeader(header("a", 0, { magic: "ustaR\x0000" }))).toBe(false);
    expect(isTarHeader(header("a", 0).subarray(0, 511))).toBe(false);
    const wrong = header("a", 0);
    wrong[0] = 0x62; // "b": the stored checksum no longer matches
    expect(isTarHeader(wrong)).toBe(false);
  });

  test("the checksum field may be padded with NULs or spaces, as different tars write it", () => {
    expect(isTarHeader(header("a", 0, { checksum: (s) => ` ${s.toString(8).padStart(6, "0")}\0` }))).toBe(true);
    expect(isTarHeader(header("a", 0, { checksum: (s) => `${s.toString(8).padStart(7, "0")}\0` }))).toBe(true);
    expect(isTarHeader(header("a", 0, { checksum: (s) => `${s.toString(8)}\0\0\0\0` }))).toBe(true);
  });
});

describe("indexTar", () => {
  test("types: file, contiguous file, directory; links and others are 'other'; './' prefixes are dropped", async () => {
    const path = tar("types.ova", [
      { header: header("././a.ovf", 3), data: Buffer.from("abc") },
      { header: header("b.img", 2, { type: "7" }), data: Buffer.from("xy") },
      { header: header("./dir/", 0, { type: "5" }), data: Buffer.alloc(0) },
      { header: header("fifo", 0, { type: "6" }), data: Buffer.alloc(0) },
    ]);
    expect(await indexTar(path)).toEqual([
      { name: "a.ovf", type: "file", dataOffset: 512, sizeBytes: 3 },
      { name: "b.img", type: "file", dataOffset: 1536, sizeBytes: 2 },
      { name: "dir/", type: "directory", dataOffset: 2560, sizeBytes: 0 },
      { name: "fifo", type: "other", dataOffset: 3072, sizeBytes: 0 },
    ]);
  });

  test("a member of exactly 1 MiB is skipped over, one byte less is read through; both end where they should", async () => {
    for (const size of [1024 * 1024 - 1, 1024 * 1024]) {
      const path = tar(`big-${size}.ova`, [
        { header: header("disk.img", size), data: Buffer.alloc(size, 1) },
        { header: header("vm.ovf", 2), data: Buffer.from("ok") },
      ]);
      const members = await indexTar(path);
      expect(members.map((m) => [m.name, m.dataOffset, m.sizeBytes])).toEqual([
        ["disk.img", 512, size],
        ["vm.ovf", 512 + roundUp512(size) + 512, 2],
      ]);
      expect((await readMember(path, members[1]!)).toString()).toBe("ok");
    }
  });

  test("a member that ends exactly at the end of the file fits", async () => {
    const path = join(dir, "exact.ova");
    writeFileSync(path, Buffer.concat([header("a", 512), Buffer.alloc(512, 7)]));
    expect(await indexTar(path)).toEqual([{ name: "a", type: "file", dataOffset: 512, sizeBytes: 512 }]);
  });

  test("a name of 4096 bytes is accepted", async () => {
    const long = "d/".repeat(2047) + "ab";
    expect(Buffer.byteLength(long)).toBe(4096);
    // A pax record is "LEN key=value\n", LEN counting its own digits too.
    const body = ` path=${long}\n`;
    let len = body.length;
    while (String(len).length + body.length !== len) len = String(len).length + body.length;
    const fixed = Buffer.from(`${len}${body}`);
    const path = tar("long.ova", [
      { header: header("PaxHeader", fixed.length, { type: "x" }), data: fixed },
      { header: header("short", 1), data: Buffer.from("z") },
    ]);
    const members = await indexTar(path);
    expect(members.map((m) => m.name)).toEqual([long]);
  });
});

describe("readMember", () => {
  test("a member exactly at the bound is read; one byte over is refused", async () => {
    const path = tar("bound.ova", [{ header: header("vm.ovf", 10), data: Buffer.from("0123456789") }]);
    const [m] = await indexTar(path);
    expect((await readMember(path, m!, 10)).toString()).toBe("0123456789");
    const e = await readMember(path, m!, 9).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(V2vError);
    expect((e as V2vError).message).toBe(`${path}: member "vm.ovf" is 10 bytes, more than the 9 read into memory; the OVA is corrupt or crafted`);
  });
});
