// The empty regf hive: its structure field by field, and that hivex (the library libguestfs and
// the converter use) opens it, writes keys into it and reads them back, when hivex's tools exist.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  baseBlockChecksum, CHECKSUM_OFFSET, emptyHive, FIXED_FILETIME, HIVE_PAGE, ROOT_CELL_OFFSET,
} from "../../../src/harness/guests/windows/hive.js";

const has = (tool: string): boolean => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;

describe("emptyHive", () => {
  const h = emptyHive("ROOT");
  const root = HIVE_PAGE + ROOT_CELL_OFFSET;

  test("base block: signature, sequence numbers, version 1.3, root offset, bins size, checksum", () => {
    expect(h.length).toBe(2 * HIVE_PAGE);
    expect(h.toString("latin1", 0, 4)).toBe("regf");
    expect([h.readUInt32LE(4), h.readUInt32LE(8)]).toEqual([1, 1]);
    expect(h.readBigUInt64LE(0x0c)).toBe(FIXED_FILETIME);
    expect([h.readUInt32LE(0x14), h.readUInt32LE(0x18)]).toEqual([1, 3]);
    expect([h.readUInt32LE(0x1c), h.readUInt32LE(0x20)]).toEqual([0, 1]);
    expect(h.readUInt32LE(0x24)).toBe(0x20);
    expect(h.readUInt32LE(0x28)).toBe(HIVE_PAGE);
    expect(h.readUInt32LE(CHECKSUM_OFFSET)).toBe(baseBlockChecksum(h));
    let x = 0;
    for (let i = 0; i < 508; i += 4) x ^= h.readUInt32LE(i);
    expect(h.readUInt32LE(0x1fc)).toBe(x >>> 0);
    expect(h.readUInt32LE(0x1fc)).not.toBe(0);
  });

  test("hbin header: signature, offset 0, size", () => {
    expect(h.toString("latin1", HIVE_PAGE, HIVE_PAGE + 4)).toBe("hbin");
    expect(h.readUInt32LE(HIVE_PAGE + 4)).toBe(0);
    expect(h.readUInt32LE(HIVE_PAGE + 8)).toBe(HIVE_PAGE);
  });

  test("root nk: allocated, flags 0x2C, no subkeys or values, its name, points at the sk cell", () => {
    const size = h.readInt32LE(root);
    expect(size).toBeLessThan(0);
    expect(-size % 8).toBe(0);
    const nk = root + 4;
    expect(h.toString("latin1", nk, nk + 2)).toBe("nk");
    expect(h.readUInt16LE(nk + 2)).toBe(0x2c);
    expect(h.readUInt32LE(nk + 0x14)).toBe(0);
    expect(h.readUInt32LE(nk + 0x1c)).toBe(0xffffffff);
    expect(h.readUInt32LE(nk + 0x24)).toBe(0);
    expect(h.readUInt32LE(nk + 0x28)).toBe(0xffffffff);
    expect(h.readUInt16LE(nk + 0x48)).toBe(4);
    expect(h.toString("latin1", nk + 0x4c, nk + 0x50)).toBe("ROOT");
    const skOff = h.readUInt32LE(nk + 0x2c);
    expect(skOff).toBe(ROOT_CELL_OFFSET - size);
  });

  test("sk: links to itself, refcount 1, a self-relative descriptor with a NULL DACL; the rest is one free cell", () => {
    const skOff = h.readUInt32LE(root + 4 + 0x2c);
    const cell = HIVE_PAGE + skOff;
    const size = -h.readInt32LE(cell);
    expect(size % 8).toBe(0);
    const sk = cell + 4;
    expect(h.toString("latin1", sk, sk + 2)).toBe("sk");
    expect([h.readUInt32LE(sk + 4), h.readUInt32LE(sk + 8)]).toEqual([skOff, skOff]);
    expect(h.readUInt32LE(sk + 0x0c)).toBe(1);
    expect(h.readUInt32LE(sk + 0x10)).toBe(20);
    expect([h[sk + 0x14], h.readUInt16LE(sk + 0x16)]).toEqual([1, 0x8004]);
    const free = cell + size;
    expect(h.readInt32LE(free)).toBe(2 * HIVE_PAGE - free);
  });

  test("the same name gives the same bytes; a bad root name is refused", () => {
    expect(emptyHive("ROOT").equals(h)).toBe(true);
    expect(emptyHive("CMI-CreateHive{X}").length).toBe(2 * HIVE_PAGE);
    expect(() => emptyHive("")).toThrow(/root name/);
    expect(() => emptyHive("caf\u00e9")).toThrow(/root name/);
  });
});

describe("hivex opens it", () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "v2v-hive-test-")); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("hivexsh lists the empty root, adds a key and commits; hivexregedit merges and exports", (ctx) => {
    if (!has("hivexsh") || !has("hivexregedit")) {
      console.log("skipped: hivexsh/hivexregedit not installed (apt-get install libhivex-bin libwin-hivex-perl)");
      ctx.skip();
      return;
    }
    const hive = join(dir, "h");
    writeFileSync(hive, emptyHive());
    expect(execFileSync("hivexsh", [hive], { input: "ls\n", encoding: "utf8" })).toBe("");
    execFileSync("hivexsh", ["-w", hive], { input: "add Sub\ncd Sub\nsetval 1\nName\nstring:hello\ncommit\n", encoding: "utf8" });
    expect(execFileSync("hivexsh", [hive], { input: "ls\n", encoding: "utf8" }).trim()).toBe("Sub");

    const merged = join(dir, "m");
    writeFileSync(merged, emptyHive());
    const reg = join(dir, "x.reg");
    writeFileSync(reg, 'Windows Registry Editor Version 5.00\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\A]\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\A\\B]\n"V"="text"\n"D"=dword:0000000a\n\n');
    execFileSync("hivexregedit", ["--merge", "--prefix", "HKEY_LOCAL_MACHINE\\SOFTWARE", merged, reg]);
    const out = execFileSync("hivexregedit", ["--export", "--prefix", "HKEY_LOCAL_MACHINE\\SOFTWARE", merged, "\\"], { encoding: "utf8" });
    expect(out).toContain("[HKEY_LOCAL_MACHINE\\SOFTWARE\\A\\B]");
    expect(out).toContain('"D"=dword:0000000a');
    expect(out).toMatch(/"V"=hex\(1\):74,00,65,00,78,00,74,00,00,00|"V"="text"/);
  });
});
