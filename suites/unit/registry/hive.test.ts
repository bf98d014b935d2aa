// The regf editor: edits read back by our own reader and by hivex (hivexregedit), the
// independent parser Windows tooling on Linux uses. A broken hive must be refused, not trusted.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { emptyHive, Hive, lhHash } from "../../../src/registry/hive.js";
import { binary, dword, expandSz, multiSz, REG, sz, valueDword, valueMultiSz, valueString } from "../../../src/registry/values.js";

const scratch = mkdtempSync(join(tmpdir(), "v2v-hive-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const hivexExport = (buf: Buffer): string | undefined => {
  const path = join(scratch, `h-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, buf);
  try {
    return execFileSync("hivexregedit", ["--export", path, "\\"], { encoding: "utf8" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
};

const withHivex = (buf: Buffer, check: (text: string) => void): void => {
  const text = hivexExport(buf);
  if (text === undefined) {
    console.log("skip: hivexregedit is not installed (scripts/setup.sh installs libwin-hivex-perl); checked with our reader only");
    return;
  }
  check(text);
};

const SVC = ["ControlSet001", "Services", "viostor"];

describe("Hive", () => {
  test("an empty hive has a root and nothing else, and hivex opens it", () => {
    const buf = emptyHive();
    const h = Hive.parse(buf, "test hive");
    expect(h.subkeys([])).toEqual([]);
    expect(h.values([])).toEqual([]);
    withHivex(buf, (t) => expect(t).toContain("[\\]"));
  });

  test("keys and values of every type survive a round trip through our reader and hivex", () => {
    const h = Hive.parse(emptyHive(), "test hive");
    h.setValue(SVC, dword("Start", 0));
    h.setValue(SVC, dword("Type", 1));
    h.setValue(SVC, sz("Group", "SCSI miniport"));
    h.setValue(SVC, expandSz("ImagePath", "system32\\drivers\\viostor.sys"));
    h.setValue(SVC, multiSz("DependOnService", ["a", "bc"]));
    h.setValue(SVC, binary("Bin", [1, 0xff, 0, 0]));
    h.setValue(SVC, binary("Long", Buffer.alloc(5000, 7)));
    h.setValue(["Ünïcode", "Клавиша"], sz("Wert", "значение"));
    const out = h.toBuffer();
    const back = Hive.parse(out, "test hive");
    expect(valueDword(back.value(SVC, "start"))).toBe(0);
    expect(valueString(back.value(SVC, "Group"))).toBe("SCSI miniport");
    expect(back.value(SVC, "ImagePath")?.type).toBe(REG.EXPAND_SZ);
    expect(valueMultiSz(back.value(SVC, "DependOnService"))).toEqual(["a", "bc"]);
    expect([...back.value(SVC, "Bin")!.data]).toEqual([1, 0xff, 0, 0]);
    expect(back.value(SVC, "Long")!.data.equals(Buffer.alloc(5000, 7))).toBe(true);
    expect(valueString(back.value(["ünïcode", "клавиша"], "Wert"))).toBe("значение");
    expect(back.subkeys(["ControlSet001", "Services"])).toEqual(["viostor"]);
    withHivex(out, (t) => {
      expect(t).toContain("[\\ControlSet001\\Services\\viostor]");
      expect(t).toContain('"Start"=dword:00000000');
      expect(t).toContain('"Type"=dword:00000001');
      expect(t).toContain('"Bin"=hex(3):01,ff,00,00');
      expect(t).toMatch(/"Group"=(hex\(1\):53,00,43,00|"SCSI miniport")/);
    });
  });

  test("a replaced value keeps one entry; a deleted value and key are gone for hivex too", () => {
    const h = Hive.parse(emptyHive(), "test hive");
    h.setValue(SVC, dword("Start", 3));
    h.setValue(SVC, dword("START", 0));
    expect(h.values(SVC)).toHaveLength(1);
    expect(valueDword(h.value(SVC, "Start"))).toBe(0);
    h.setValue(["A", "B", "C"], sz("x", "y"));
    h.setValue(["A", "D"], sz("x", "y"));
    expect(h.deleteKey(["a", "b"])).toBe(true);
    expect(h.deleteKey(["a", "b"])).toBe(false);
    expect(h.deleteValue(SVC, "start")).toBe(true);
    expect(h.deleteValue(SVC, "start")).toBe(false);
    const out = Hive.parse(h.toBuffer(), "t");
    expect(out.subkeys(["A"])).toEqual(["D"]);
    expect(out.values(SVC)).toEqual([]);
    withHivex(h.toBuffer(), (t) => {
      expect(t).not.toContain("[\\A\\B]");
      expect(t).toContain("[\\A\\D]");
    });
  });

  test("many subkeys are kept sorted case-insensitively, as Windows' binary search needs", () => {
    const h = Hive.parse(emptyHive(), "test hive");
    const names = Array.from({ length: 300 }, (_, i) => `Key${(i * 7919) % 1000}`);
    for (const n of names) h.ensureKey(["Many", n]);
    h.ensureKey(["Many", "aaa"]);
    const got = Hive.parse(h.toBuffer(), "t").subkeys(["Many"])!;
    expect(got).toHaveLength(301);
    expect(got).toEqual([...got].sort((a, b) => (a.toUpperCase() < b.toUpperCase() ? -1 : 1)));
    expect(got[0]).toBe("aaa");
    withHivex(h.toBuffer(), (t) => expect(t.match(/^\[\\Many\\/gm)).toHaveLength(301));
  });

  test("the lh hash is h*37 + uppercase code unit", () => {
    expect(lhHash("a")).toBe(65);
    expect(lhHash("ab")).toBe(65 * 37 + 66);
  });

  test("the checksum and sequence numbers are kept valid", () => {
    const out = Hive.parse(emptyHive(), "t").toBuffer();
    let x = 0;
    for (let i = 0; i < 0x1fc; i += 4) x ^= out.readUInt32LE(i);
    expect(out.readUInt32LE(0x1fc)).toBe(x >>> 0);
    expect(out.readUInt32LE(4)).toBe(out.readUInt32LE(8));
  });

  test.each([
    ["not a hive", Buffer.from("hello")],
    ["truncated", emptyHive().subarray(0, 5000)],
    ["bins size past the end", (() => { const b = emptyHive(); b.writeUInt32LE(0x100000, 0x28); return b; })()],
    ["root offset out of range", (() => { const b = emptyHive(); b.writeUInt32LE(0xfff0, 0x24); return b; })()],
    ["root not a key", (() => { const b = emptyHive(); b.write("zz", 0x1024, "latin1"); return b; })()],
  ])("a damaged hive (%s) is refused with the file named", (_why, buf) => {
    expect(() => Hive.parse(buf, "SYSTEM hive /Windows/System32/config/SYSTEM")).toThrow(/SYSTEM hive \/Windows\/System32\/config\/SYSTEM/);
  });

  test("a subkey count that disagrees with its list, or a list pointing outside, is refused when walked", () => {
    const h = Hive.parse(emptyHive(), "t");
    h.ensureKey(["A"]);
    const buf = h.toBuffer();
    // The root nk record starts at 0x1000 + 0x20 + 4; its subkey count is at +0x14.
    buf.writeUInt32LE(5, 0x1024 + 0x14);
    expect(() => Hive.parse(buf, "hive X").subkeys([])).toThrow(/hive X is damaged/);
    const buf2 = h.toBuffer();
    buf2.writeUInt32LE(0x7ffffff8, 0x1024 + 0x1c);
    expect(() => Hive.parse(buf2, "hive X").subkeys([])).toThrow(/hive X is damaged/);
  });

  test("key names with a backslash or empty are refused", () => {
    const h = Hive.parse(emptyHive(), "t");
    expect(() => h.ensureKey(["a\\b"])).toThrow(/key name/);
    expect(() => h.ensureKey([""])).toThrow(/key name/);
  });
});

test("hivex can go on editing a hive we edited (its writer checks the structure it extends)", () => {
  const h = Hive.parse(emptyHive(), "t");
  for (let i = 0; i < 50; i++) h.setValue(["A", `K${i}`], dword("v", i));
  h.deleteKey(["A", "K3"]);
  h.setValue(["A"], sz("s", "x".repeat(3000)));
  const path = join(scratch, "merged");
  writeFileSync(path, h.toBuffer());
  const reg = join(scratch, "m.reg");
  writeFileSync(reg, 'Windows Registry Editor Version 5.00\n\n[\\A\\K7]\n"w"=dword:00000009\n\n[\\A\\New]\n"z"="hello"\n');
  try {
    execFileSync("hivexregedit", ["--merge", path, reg]);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") {
      console.log("skip: hivexregedit is not installed (scripts/setup.sh installs libwin-hivex-perl)");
      return;
    }
    throw e;
  }
  const back = Hive.parse(readFileSync(path), "t");
  expect(valueDword(back.value(["A", "K7"], "w"))).toBe(9);
  expect(valueDword(back.value(["A", "K7"], "v"))).toBe(7);
  expect(back.subkeys(["A"])).toHaveLength(50);
  expect(back.hasKey(["A", "K3"])).toBe(false);
  expect(valueString(back.value(["A", "New"], "z"))).toBe("hello");
});
