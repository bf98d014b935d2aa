// The regf reader against hives it did not write: big-data ("db") values, which Windows uses for
// values over 16344 bytes and our writer never makes, and one damaged structure at a time (cells,
// lists, value records). Every damage must be a CONVERSION error naming the hive, never a wrong
// answer or a crash. The hives are made with our writer, then patched at the records found by
// their signatures.
import { describe, expect, test } from "vitest";
import { V2vError } from "../../../src/model/errors.js";
import { emptyHive, Hive, MAX_DIRECT_DATA } from "../../../src/registry/hive.js";
import { binary, dword, REG } from "../../../src/registry/values.js";

const BASE = 0x1000;

/** Absolute offset of the "vk" record of the value named `name` (ASCII). */
function vkAt(buf: Buffer, name: string): number {
  for (let p = BASE; p + 0x14 + name.length <= buf.length; p++) {
    if (buf.toString("latin1", p, p + 2) === "vk" && buf.readUInt16LE(p + 2) === name.length && buf.toString("latin1", p + 0x14, p + 0x14 + name.length) === name) return p;
  }
  throw new Error(`no vk record for ${name}`);
}

/** Absolute offset of the "nk" record of the key named `name` (ASCII, compressed). */
function nkAt(buf: Buffer, name: string): number {
  for (let p = BASE; p + 0x4c + name.length <= buf.length; p++) {
    if (buf.toString("latin1", p, p + 2) === "nk" && buf.readUInt16LE(p + 0x48) === name.length && buf.toString("latin1", p + 0x4c, p + 0x4c + name.length) === name) return p;
  }
  throw new Error(`no nk record for ${name}`);
}

/** The relative cell offset of the data of a value stored out of line. */
const dataCell = (buf: Buffer, name: string): number => buf.readUInt32LE(vkAt(buf, name) + 8);

function damaged(buf: Buffer, read: (h: Hive) => unknown): V2vError {
  try {
    read(Hive.parse(buf, "SOFTWARE hive (test)"));
  } catch (e) {
    expect(e).toBeInstanceOf(V2vError);
    expect((e as V2vError).code).toBe("CONVERSION");
    expect((e as V2vError).message).toMatch(/^the SOFTWARE hive \(test\) is (damaged|not a usable registry hive) \(/);
    return e as V2vError;
  }
  throw new Error("the damaged hive was read without an error");
}

const damagedMessage = (h: Hive, name: string): string => {
  try {
    h.value(["Store"], name);
  } catch (e) {
    return (e as Error).message;
  }
  return "read without an error";
};

describe("big-data values (db records), as Windows writes them", () => {
  /** A value "Big" whose data is a db record over two segments (16344 + 3656 bytes). */
  function bigHive(): { buf: Buffer; expected: Buffer } {
    const h = Hive.parse(emptyHive(), "t");
    const seg1 = Buffer.alloc(MAX_DIRECT_DATA, 0x41);
    const seg2 = Buffer.alloc(3656, 0x42);
    // The segments and their list are made as values of another key, for their cells.
    h.setValue(["Store"], binary("Seg1", seg1));
    h.setValue(["Store"], binary("Seg2", seg2));
    let buf = h.toBuffer();
    const list = Buffer.alloc(8);
    list.writeUInt32LE(dataCell(buf, "Seg1"), 0);
    list.writeUInt32LE(dataCell(buf, "Seg2"), 4);
    const h2 = Hive.parse(buf, "t");
    h2.setValue(["Store"], binary("List", list));
    buf = h2.toBuffer();
    const db = Buffer.alloc(8);
    db.write("db", 0, "latin1");
    db.writeUInt16LE(2, 2);
    db.writeUInt32LE(dataCell(buf, "List"), 4);
    const h3 = Hive.parse(buf, "t");
    h3.setValue(["K"], binary("Big", db));
    buf = h3.toBuffer();
    buf.writeUInt32LE(seg1.length + seg2.length, vkAt(buf, "Big") + 4); // the value's size: both segments
    return { buf, expected: Buffer.concat([seg1, seg2]) };
  }

  test("a db value reads back as its segments joined, alone and among the key's values", () => {
    const { buf, expected } = bigHive();
    const h = Hive.parse(buf, "t");
    expect(h.value(["K"], "Big")?.data.equals(expected)).toBe(true);
    expect(h.values(["K"])?.map((v) => [v.name, v.data.length])).toEqual([["Big", 20000]]);
  });

  test("replacing a db value frees its segment list and segments (here shared with the values that built them)", () => {
    const { buf } = bigHive();
    const h = Hive.parse(buf, "t");
    h.deleteValue(["K"], "Big");
    const back = Hive.parse(h.toBuffer(), "t");
    // Seg1, Seg2 and List point at the cells the db record used: freed, they now read as damaged.
    for (const name of ["Seg1", "Seg2", "List"]) expect(damagedMessage(back, name)).toMatch(/is not in use/);
    expect(back.values(["K"])).toEqual([]);
    const h2 = Hive.parse(bigHive().buf, "t");
    h2.setValue(["K"], dword("Big", 7));
    const back2 = Hive.parse(h2.toBuffer(), "t");
    expect(back2.value(["K"], "Big")?.type).toBe(REG.DWORD);
    expect(damagedMessage(back2, "Seg2")).toMatch(/is not in use/);
  });

  test("a db value longer than its segments, or a segment list past its cell, is refused", () => {
    const { buf } = bigHive();
    buf.writeUInt32LE(30000, vkAt(buf, "Big") + 4);
    expect(damaged(buf, (h) => h.value(["K"], "Big")).message).toContain("big-data value shorter than its size");
    const { buf: b2 } = bigHive();
    const db = BASE + dataCell(b2, "Big") + 4;
    b2.writeUInt16LE(200, db + 2);
    expect(damaged(b2, (h) => h.value(["K"], "Big")).message).toContain("big-data segment list overruns its cell");
  });

  test("the writer refuses a value it would need db records for", () => {
    const h = Hive.parse(emptyHive(), "t");
    expect(() => h.setValue(["K"], binary("X", Buffer.alloc(MAX_DIRECT_DATA + 1)))).toThrow(/at most 16344 are supported/);
    h.setValue(["K"], binary("X", Buffer.alloc(MAX_DIRECT_DATA)));
    expect(Hive.parse(h.toBuffer(), "t").value(["K"], "X")?.data.length).toBe(MAX_DIRECT_DATA);
  });
});

describe("damaged structures are refused, naming the hive", () => {
  const base = (): Buffer => {
    const h = Hive.parse(emptyHive(), "t");
    h.setValue(["A", "B"], binary("Data", Buffer.from("0123456789")));
    h.setValue(["A", "B"], dword("Small", 1));
    return h.toBuffer();
  };

  test("the file itself: too short, wrong magic, bins past the end or not whole, no first bin", () => {
    const b = base();
    expect(damaged(b.subarray(0, BASE + 0x800), () => 0).message).toContain("no regf header");
    const notRegf = base(); notRegf.write("regX", 0, "latin1");
    expect(damaged(notRegf, () => 0).message).toContain("no regf header");
    const past = base(); past.writeUInt32LE(past.length, 0x28);
    expect(damaged(past, () => 0).message).toMatch(/hive bins size \d+ does not fit the file/);
    const odd = base(); odd.writeUInt32LE(0x1800, 0x28);
    expect(damaged(odd, () => 0).message).toContain("hive bins size 6144");
    const small = base(); small.writeUInt32LE(0x800, 0x28);
    expect(damaged(small, () => 0).message).toContain("hive bins size 2048");
    const noBin = base(); noBin.write("hbiX", BASE, "latin1");
    expect(damaged(noBin, () => 0).message).toContain("no first hive bin");
  });

  test("cells: a free cell, a size past the bins, a misaligned or out-of-range offset", () => {
    const free = base();
    const a = nkAt(free, "A");
    free.writeInt32LE(-free.readInt32LE(a - 4), a - 4); // mark key A's cell free
    expect(damaged(free, (h) => h.subkeys(["A"])).message).toMatch(/cell at 0x[0-9a-f]+ is not in use/);
    const big = base();
    const b = nkAt(big, "B");
    big.writeInt32LE(-0x7ffffff8, b - 4);
    expect(damaged(big, (h) => h.subkeys(["A", "B"])).message).toMatch(/has a bad size/);
    const tiny = base();
    tiny.writeInt32LE(-4, nkAt(tiny, "B") - 4);
    expect(damaged(tiny, (h) => h.subkeys(["A", "B"])).message).toMatch(/has a bad size/);
    const misaligned = base();
    misaligned.writeUInt32LE(0x24, 0x1024 + 0x1c); // the root key's subkey list → 0x24, not a multiple of 8
    expect(damaged(misaligned, (h) => h.subkeys([])).message).toMatch(/cell offset 0x24 out of range/);
    const low = base();
    low.writeUInt32LE(0x8, 0x1024 + 0x1c); // inside the bin header
    expect(damaged(low, (h) => h.subkeys([])).message).toMatch(/cell offset 0x8 out of range/);
  });

  test("records: the wrong signature, too short for a key, a key name past its cell", () => {
    const sig = base();
    sig.write("zz", nkAt(sig, "B"), "latin1");
    expect(damaged(sig, (h) => h.subkeys(["A", "B"])).message).toMatch(/expected "nk" at 0x/);
    const name = base();
    name.writeUInt16LE(0x4000, nkAt(name, "B") + 0x48);
    expect(damaged(name, (h) => h.subkeys(["A"])).message).toMatch(/record at 0x[0-9a-f]+ is too short|key name at 0x[0-9a-f]+ overruns its cell/);
  });

  test("subkey lists: an unknown kind, more entries than the cell holds, an index root inside an index root", () => {
    const unknown = base();
    const list = BASE + unknown.readUInt32LE(nkAt(unknown, "A") + 0x1c) + 4;
    unknown.write("xx", list, "latin1");
    expect(damaged(unknown, (h) => h.subkeys(["A"])).message).toContain('unknown subkey list "xx"');
    const over = base();
    const l2 = BASE + over.readUInt32LE(nkAt(over, "A") + 0x1c) + 4;
    over.writeUInt16LE(500, l2 + 2);
    expect(damaged(over, (h) => h.subkeys(["A"])).message).toMatch(/subkey list at 0x[0-9a-f]+ overruns its cell/);
    // An "ri" whose one entry is itself (an index root in an index root, and a loop).
    const nested = base();
    const rel = nested.readUInt32LE(nkAt(nested, "A") + 0x1c);
    const l3 = BASE + rel + 4;
    nested.write("ri", l3, "latin1");
    nested.writeUInt16LE(1, l3 + 2);
    nested.writeUInt32LE(rel, l3 + 4);
    expect(damaged(nested, (h) => h.subkeys(["A"])).message).toContain("nested index roots");
  });

  test("values: a list longer than its cell, a name past its cell, an inline value over 4 bytes, data past its cell", () => {
    const count = base();
    count.writeUInt32LE(400, nkAt(count, "B") + 0x24);
    expect(damaged(count, (h) => h.values(["A", "B"])).message).toMatch(/value list of key at 0x[0-9a-f]+ overruns its cell/);
    const name = base();
    name.writeUInt16LE(0x2000, vkAt(name, "Data") + 2);
    expect(damaged(name, (h) => h.values(["A", "B"])).message).toMatch(/value name at 0x[0-9a-f]+ overruns its cell/);
    const inline = base();
    inline.writeUInt32LE(0x80000008, vkAt(inline, "Small") + 4);
    expect(damaged(inline, (h) => h.value(["A", "B"], "Small")).message).toContain('inline value "Small" longer than 4 bytes');
    const data = base();
    data.writeUInt32LE(5000, vkAt(data, "Data") + 4);
    expect(damaged(data, (h) => h.value(["A", "B"], "Data")).message).toContain('value "Data" overruns its data cell');
  });

  test("a key path deeper than any hive is refused, and so is deleting the root", () => {
    const h = Hive.parse(base(), "SOFTWARE hive (test)");
    expect(() => h.hasKey(Array.from({ length: 513 }, () => "A"))).toThrow(/key path too deep/);
    expect(() => h.deleteKey([])).toThrow(/refusing to delete the root key of the SOFTWARE hive \(test\)/);
  });
});
