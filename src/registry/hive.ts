// A Windows registry hive (the "regf" file format), read and edited in memory.
//
// Why our own code: libguestfs' hivex calls cannot be driven through guestfish for values that
// hold NUL bytes (guestfish strings are C strings), which is nearly every value (UTF-16 text,
// DWORDs). So the converter downloads a hive through libguestfs (bounded), edits it here, and
// uploads it back. The guest is untrusted: every offset and length is checked before it is
// used, walks are bounded, and a malformed hive is a CONVERSION error naming the file.
//
// Format, in short (offsets in the file):
// - 0x0000 base block (4096 bytes): "regf", two sequence numbers, version, the root key's cell
//   offset (0x24), the size of the hive bins (0x28), and an XOR checksum of its first 508 bytes.
// - 0x1000 hive bins ("hbin", 4096-byte multiples, 32-byte header), holding cells. A cell is a
//   signed 32-bit size (negative = in use, a multiple of 8) followed by its record. Cell offsets
//   in records are relative to 0x1000.
// - Records: "nk" key, "vk" value, "sk" security descriptor, "lf"/"lh"/"li"/"ri" subkey lists,
//   a value list (bare array of vk offsets), "db" big data (values over 16344 bytes).
// Edits never move a record in place: new records go into a new hive bin appended at the end,
// and the records they replace are marked free.
import { V2vError } from "../model/errors.js";
import type { RegValue } from "./values.js";

const BASE = 0x1000;
const HBIN_HEADER = 0x20;
const NONE = 0xffffffff;
/** Largest value stored in one data cell; bigger ones need "db" records (not written here). */
export const MAX_DIRECT_DATA = 16344;
/** Bounds on walks over untrusted structures. */
const MAX_DEPTH = 512;
const MAX_LIST = 1 << 20;

// nk record field offsets (from the record's start, after the cell size).
const NK = {
  flags: 0x02, timestamp: 0x04, parent: 0x10, subkeyCount: 0x14, subkeyList: 0x1c, valueCount: 0x24,
  valueList: 0x28, security: 0x2c, className: 0x30, maxSubkeyName: 0x34, maxSubkeyClass: 0x38,
  maxValueName: 0x3c, maxValueData: 0x40, nameLength: 0x48, classLength: 0x4a, name: 0x4c,
} as const;
const NK_COMP_NAME = 0x20;
const NK_ROOT_FLAGS = 0x2c; // KEY_HIVE_ENTRY | KEY_NO_DELETE | KEY_COMP_NAME
const VK_COMP_NAME = 0x0001;

/** A key path below the root, one name per level; names compare case-insensitively. */
export type KeyPath = readonly string[];

const upper = (s: string): string => s.toUpperCase();
const align8 = (n: number): number => (n + 7) & ~7;
const isLatin1 = (s: string): boolean => [...s].every((c) => c.charCodeAt(0) <= 0xff);

/** The "lh" list's hash of a key name: h = h * 37 + uppercase code unit, 32-bit. */
export function lhHash(name: string): number {
  let h = 0;
  for (const c of upper(name)) h = (Math.imul(h, 37) + c.charCodeAt(0)) >>> 0;
  return h;
}

/** FILETIME (100 ns since 1601) for a JS time. */
function filetime(ms: number): bigint {
  return (BigInt(ms) + 11644473600000n) * 10000n;
}

function checksum(buf: Buffer): number {
  let x = 0;
  for (let i = 0; i < 0x1fc; i += 4) x ^= buf.readUInt32LE(i);
  x >>>= 0;
  if (x === 0xffffffff) return 0xfffffffe;
  if (x === 0) return 1;
  return x;
}

/** A new, empty hive: a root key named `rootName` and nothing else. */
export function emptyHive(rootName = "ROOT"): Buffer {
  const buf = Buffer.alloc(BASE + 0x1000);
  buf.write("regf", 0, "latin1");
  buf.writeUInt32LE(1, 0x04); // primary sequence number
  buf.writeUInt32LE(1, 0x08); // secondary: equal means the hive was written completely
  buf.writeBigUInt64LE(filetime(Date.now()), 0x0c);
  buf.writeUInt32LE(1, 0x14); // major version
  buf.writeUInt32LE(5, 0x18); // minor version 5: Windows XP and later
  buf.writeUInt32LE(0, 0x1c); // primary file
  buf.writeUInt32LE(1, 0x20); // direct memory load format
  buf.writeUInt32LE(HBIN_HEADER, 0x24); // root key cell, the first cell of the first bin
  buf.writeUInt32LE(0x1000, 0x28); // size of the hive bins
  buf.writeUInt32LE(1, 0x2c); // clustering factor
  buf.write("hbin", BASE, "latin1");
  buf.writeUInt32LE(0, BASE + 4); // this bin's offset from the first bin
  buf.writeUInt32LE(0x1000, BASE + 8);
  // Root key.
  const nkOff = HBIN_HEADER;
  const nkSize = align8(4 + NK.name + rootName.length);
  const nk = BASE + nkOff + 4;
  buf.writeInt32LE(-nkSize, BASE + nkOff);
  buf.write("nk", nk, "latin1");
  buf.writeUInt16LE(NK_ROOT_FLAGS, nk + NK.flags);
  buf.writeBigUInt64LE(filetime(Date.now()), nk + NK.timestamp);
  buf.writeUInt32LE(NONE, nk + NK.parent);
  buf.writeUInt32LE(NONE, nk + NK.subkeyList);
  buf.writeUInt32LE(NONE, nk + 0x20); // volatile subkey list
  buf.writeUInt32LE(NONE, nk + NK.valueList);
  buf.writeUInt32LE(NONE, nk + NK.className);
  buf.writeUInt16LE(rootName.length, nk + NK.nameLength);
  buf.write(rootName, nk + NK.name, "latin1");
  // Security descriptor shared by every key: self-relative, DACL present but null (no owner,
  // group or ACL), which Windows reads as "everyone"; refcount 1 for the root.
  const skOff = nkOff + nkSize;
  const sd = Buffer.from([1, 0, 0x04, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const skSize = align8(4 + 0x14 + sd.length);
  const sk = BASE + skOff + 4;
  buf.writeInt32LE(-skSize, BASE + skOff);
  buf.write("sk", sk, "latin1");
  buf.writeUInt32LE(skOff, sk + 4); // flink: a one-element ring
  buf.writeUInt32LE(skOff, sk + 8); // blink
  buf.writeUInt32LE(1, sk + 12); // reference count
  buf.writeUInt32LE(sd.length, sk + 16);
  sd.copy(buf, sk + 20);
  buf.writeUInt32LE(skOff, nk + NK.security);
  // The rest of the bin is one free cell.
  const freeOff = skOff + skSize;
  buf.writeInt32LE(0x1000 - freeOff, BASE + freeOff);
  buf.writeUInt32LE(checksum(buf), 0x1fc);
  return buf;
}

export class Hive {
  private buf: Buffer;
  /** End of the hive bins, relative to BASE. */
  private binsEnd: number;
  /** Free space for new cells at the end of the last bin we appended: [start, end) relative to BASE. */
  private bump = { start: 0, end: 0 };
  private readonly now = filetime(Date.now());

  private constructor(buf: Buffer, private readonly what: string) {
    this.buf = buf;
    this.binsEnd = buf.readUInt32LE(0x28);
  }

  /** Parse a hive's bytes; `what` names it in errors ("SYSTEM hive /Windows/System32/config/SYSTEM"). */
  static parse(data: Buffer, what: string): Hive {
    const bad = (why: string): V2vError =>
      new V2vError("CONVERSION", `the ${what} is not a usable registry hive (${why}); the guest's registry may be damaged: check it on the source hypervisor`);
    if (data.length < BASE + 0x1000 || data.toString("latin1", 0, 4) !== "regf") throw bad("no regf header");
    const bins = data.readUInt32LE(0x28);
    if (bins < 0x1000 || bins % 0x1000 !== 0 || BASE + bins > data.length) throw bad(`hive bins size ${bins} does not fit the file`);
    if (data.toString("latin1", BASE, BASE + 4) !== "hbin") throw bad("no first hive bin");
    const hive = new Hive(Buffer.from(data.subarray(0, BASE + bins)), what);
    hive.nk(hive.rootOffset); // the root must be a key
    return hive;
  }

  get rootOffset(): number {
    return this.buf.readUInt32LE(0x24);
  }

  private fail(why: string): V2vError {
    return new V2vError("CONVERSION", `the ${this.what} is damaged (${why}); check the guest's registry on the source hypervisor`);
  }

  // ---- cells -------------------------------------------------------------------------------

  /** The record of the in-use cell at `off` (relative): its absolute start and usable length. */
  private cell(off: number): { at: number; len: number } {
    if (off === NONE || off % 8 !== 0 || off < HBIN_HEADER || off + 4 > this.binsEnd) throw this.fail(`cell offset 0x${off.toString(16)} out of range`);
    const size = this.buf.readInt32LE(BASE + off);
    if (size >= 0) throw this.fail(`cell at 0x${off.toString(16)} is not in use`);
    const len = -size;
    if (len < 8 || off + len > this.binsEnd) throw this.fail(`cell at 0x${off.toString(16)} has a bad size`);
    return { at: BASE + off + 4, len: len - 4 };
  }

  private record(off: number, sig: string, minLen: number): number {
    const c = this.cell(off);
    if (c.len < minLen) throw this.fail(`record at 0x${off.toString(16)} is too short`);
    if (sig && this.buf.toString("latin1", c.at, c.at + 2) !== sig) throw this.fail(`expected "${sig}" at 0x${off.toString(16)}`);
    return c.at;
  }

  private nk(off: number): number {
    const at = this.record(off, "nk", NK.name);
    const c = this.cell(off);
    if (NK.name + this.buf.readUInt16LE(at + NK.nameLength) > c.len) throw this.fail(`key name at 0x${off.toString(16)} overruns its cell`);
    return at;
  }

  private alloc(recordLen: number): number {
    const size = align8(recordLen + 4);
    if (this.bump.end - this.bump.start < size) this.appendBin(size);
    const off = this.bump.start;
    this.bump.start += size;
    this.buf.fill(0, BASE + off, BASE + off + size);
    this.buf.writeInt32LE(-size, BASE + off);
    const rest = this.bump.end - this.bump.start;
    if (rest > 0) this.buf.writeInt32LE(rest, BASE + this.bump.start);
    return off;
  }

  private appendBin(need: number): void {
    const binSize = Math.ceil((need + HBIN_HEADER) / 0x1000) * 0x1000;
    const off = this.binsEnd;
    const grown = Buffer.alloc(BASE + off + binSize);
    this.buf.copy(grown, 0, 0, BASE + off);
    this.buf = grown;
    const at = BASE + off;
    this.buf.write("hbin", at, "latin1");
    this.buf.writeUInt32LE(off, at + 4);
    this.buf.writeUInt32LE(binSize, at + 8);
    this.buf.writeBigUInt64LE(this.now, at + 0x14);
    this.binsEnd = off + binSize;
    this.bump = { start: off + HBIN_HEADER, end: off + binSize };
    this.buf.writeInt32LE(binSize - HBIN_HEADER, BASE + this.bump.start);
  }

  private free(off: number): void {
    if (off === NONE) return;
    const size = this.buf.readInt32LE(BASE + off);
    if (size < 0) this.buf.writeInt32LE(-size, BASE + off);
  }

  // ---- keys --------------------------------------------------------------------------------

  private keyName(off: number): string {
    const at = this.nk(off);
    const len = this.buf.readUInt16LE(at + NK.nameLength);
    const enc = this.buf.readUInt16LE(at + NK.flags) & NK_COMP_NAME ? "latin1" : "utf16le";
    return this.buf.toString(enc, at + NK.name, at + NK.name + len);
  }

  /** Offsets of a key's subkeys, in list order. */
  private children(off: number): number[] {
    const at = this.nk(off);
    const count = this.buf.readUInt32LE(at + NK.subkeyCount);
    const list = this.buf.readUInt32LE(at + NK.subkeyList);
    if (count === 0 || list === NONE) return [];
    const out = this.listEntries(list, 0);
    if (out.length !== count) throw this.fail(`key at 0x${off.toString(16)} says ${count} subkeys, its list has ${out.length}`);
    return out;
  }

  private listEntries(list: number, depth: number): number[] {
    const c = this.cell(list);
    const sig = this.buf.toString("latin1", c.at, c.at + 2);
    const n = this.buf.readUInt16LE(c.at + 2);
    const stride = sig === "lf" || sig === "lh" ? 8 : sig === "li" || sig === "ri" ? 4 : 0;
    if (!stride) throw this.fail(`unknown subkey list "${sig}" at 0x${list.toString(16)}`);
    if (4 + n * stride > c.len || n > MAX_LIST) throw this.fail(`subkey list at 0x${list.toString(16)} overruns its cell`);
    const entries = Array.from({ length: n }, (_, i) => this.buf.readUInt32LE(c.at + 4 + i * stride));
    if (sig !== "ri") return entries;
    if (depth > 0) throw this.fail("nested index roots");
    return entries.flatMap((e) => this.listEntries(e, depth + 1));
  }

  private childOf(off: number, name: string): number | undefined {
    const want = upper(name);
    return this.children(off).find((c) => upper(this.keyName(c)) === want);
  }

  /** The key's offset, or undefined when some part of the path is missing. */
  private find(path: KeyPath): number | undefined {
    if (path.length > MAX_DEPTH) throw this.fail("key path too deep");
    let off = this.rootOffset;
    for (const name of path) {
      const next = this.childOf(off, name);
      if (next === undefined) return undefined;
      off = next;
    }
    return off;
  }

  hasKey(path: KeyPath): boolean {
    return this.find(path) !== undefined;
  }

  /** Names of a key's subkeys; undefined when the key does not exist. */
  subkeys(path: KeyPath): string[] | undefined {
    const off = this.find(path);
    return off === undefined ? undefined : this.children(off).map((c) => this.keyName(c));
  }

  private writeSubkeyList(parent: number, kids: number[]): void {
    const at = this.nk(parent);
    this.freeList(this.buf.readUInt32LE(at + NK.subkeyList), 0);
    const names = new Map(kids.map((k) => [k, this.keyName(k)]));
    kids.sort((a, b) => {
      const x = upper(names.get(a)!), y = upper(names.get(b)!);
      return x < y ? -1 : x > y ? 1 : 0;
    });
    let list = NONE;
    if (kids.length > 0) {
      list = this.alloc(4 + 8 * kids.length);
      const l = BASE + list + 4;
      this.buf.write("lh", l, "latin1");
      this.buf.writeUInt16LE(kids.length, l + 2);
      kids.forEach((k, i) => {
        this.buf.writeUInt32LE(k, l + 4 + 8 * i);
        this.buf.writeUInt32LE(lhHash(names.get(k)!), l + 8 + 8 * i);
      });
    }
    const p = this.nk(parent); // the buffer may have grown
    this.buf.writeUInt32LE(list, p + NK.subkeyList);
    this.buf.writeUInt32LE(kids.length, p + NK.subkeyCount);
    const longest = Math.max(0, ...[...names.values()].map((n) => n.length * 2));
    this.buf.writeUInt32LE(longest, p + NK.maxSubkeyName);
    this.buf.writeBigUInt64LE(this.now, p + NK.timestamp);
  }

  private freeList(list: number, depth: number): void {
    if (list === NONE) return;
    const c = this.cell(list);
    if (this.buf.toString("latin1", c.at, c.at + 2) === "ri" && depth === 0) {
      const n = this.buf.readUInt16LE(c.at + 2);
      for (let i = 0; i < n && 4 + 4 * i < c.len; i++) this.freeList(this.buf.readUInt32LE(c.at + 4 + 4 * i), 1);
    }
    this.free(list);
  }

  private addChild(parent: number, name: string): number {
    if (name.length === 0 || name.length > 255 || name.includes("\\")) throw new V2vError("CONVERSION", `cannot create registry key "${name}" in the ${this.what}: a key name is 1 to 255 characters without "\\"`);
    const latin = isLatin1(name);
    const nameBytes = latin ? Buffer.from(name, "latin1") : Buffer.from(name, "utf16le");
    const parentSk = this.buf.readUInt32LE(this.nk(parent) + NK.security);
    const off = this.alloc(NK.name + nameBytes.length);
    const at = BASE + off + 4;
    this.buf.write("nk", at, "latin1");
    this.buf.writeUInt16LE(latin ? NK_COMP_NAME : 0, at + NK.flags);
    this.buf.writeBigUInt64LE(this.now, at + NK.timestamp);
    this.buf.writeUInt32LE(parent, at + NK.parent);
    this.buf.writeUInt32LE(NONE, at + NK.subkeyList);
    this.buf.writeUInt32LE(NONE, at + 0x20);
    this.buf.writeUInt32LE(NONE, at + NK.valueList);
    this.buf.writeUInt32LE(parentSk, at + NK.security);
    this.buf.writeUInt32LE(NONE, at + NK.className);
    this.buf.writeUInt16LE(nameBytes.length, at + NK.nameLength);
    nameBytes.copy(this.buf, at + NK.name);
    if (parentSk !== NONE) {
      const sk = this.record(parentSk, "sk", 0x14);
      this.buf.writeUInt32LE(this.buf.readUInt32LE(sk + 12) + 1, sk + 12);
    }
    this.writeSubkeyList(parent, [...this.children(parent), off]);
    return off;
  }

  /** Create the key and its missing parents; true when something was created. */
  ensureKey(path: KeyPath): boolean {
    let off = this.rootOffset;
    let created = false;
    for (const name of path) {
      const next = this.childOf(off, name);
      if (next !== undefined) off = next;
      else {
        off = this.addChild(off, name);
        created = true;
      }
    }
    return created;
  }

  /** Delete a key and everything below it; false when it did not exist. The root cannot go. */
  deleteKey(path: KeyPath): boolean {
    if (path.length === 0) throw new V2vError("CONVERSION", `refusing to delete the root key of the ${this.what}`);
    const off = this.find(path);
    if (off === undefined) return false;
    const parent = this.buf.readUInt32LE(this.nk(off) + NK.parent);
    this.freeTree(off, 0);
    this.writeSubkeyList(parent, this.children(parent).filter((c) => c !== off));
    return true;
  }

  private freeTree(off: number, depth: number): void {
    if (depth > MAX_DEPTH) throw this.fail("key tree too deep");
    for (const c of this.children(off)) this.freeTree(c, depth + 1);
    const at = this.nk(off);
    this.freeList(this.buf.readUInt32LE(at + NK.subkeyList), 0);
    for (const v of this.valueOffsets(off)) this.freeValue(v);
    this.free(this.buf.readUInt32LE(at + NK.valueList));
    const sk = this.buf.readUInt32LE(at + NK.security);
    if (sk !== NONE) {
      const s = this.record(sk, "sk", 0x14);
      const refs = this.buf.readUInt32LE(s + 12);
      if (refs > 0) this.buf.writeUInt32LE(refs - 1, s + 12);
    }
    this.free(off);
  }

  // ---- values ------------------------------------------------------------------------------

  private valueOffsets(key: number): number[] {
    const at = this.nk(key);
    const count = this.buf.readUInt32LE(at + NK.valueCount);
    const list = this.buf.readUInt32LE(at + NK.valueList);
    if (count === 0 || list === NONE) return [];
    const c = this.cell(list);
    if (count * 4 > c.len) throw this.fail(`value list of key at 0x${key.toString(16)} overruns its cell`);
    return Array.from({ length: count }, (_, i) => this.buf.readUInt32LE(c.at + 4 * i));
  }

  private vkName(vk: number): string {
    const at = this.record(vk, "vk", 0x14);
    const len = this.buf.readUInt16LE(at + 2);
    if (0x14 + len > this.cell(vk).len) throw this.fail(`value name at 0x${vk.toString(16)} overruns its cell`);
    const enc = this.buf.readUInt16LE(at + 0x10) & VK_COMP_NAME ? "latin1" : "utf16le";
    return this.buf.toString(enc, at + 0x14, at + 0x14 + len);
  }

  private vkValue(vk: number): RegValue {
    const at = this.record(vk, "vk", 0x14);
    const raw = this.buf.readUInt32LE(at + 4);
    const type = this.buf.readUInt32LE(at + 0x0c);
    const name = this.vkName(vk);
    if (raw & 0x80000000) {
      const len = raw & 0x7fffffff;
      if (len > 4) throw this.fail(`inline value "${name}" longer than 4 bytes`);
      return { name, type, data: Buffer.from(this.buf.subarray(at + 8, at + 8 + len)) };
    }
    if (raw === 0) return { name, type, data: Buffer.alloc(0) };
    const dataOff = this.buf.readUInt32LE(at + 8);
    const c = this.cell(dataOff);
    if (raw > MAX_DIRECT_DATA && this.buf.toString("latin1", c.at, c.at + 2) === "db") return { name, type, data: this.bigData(c.at, raw) };
    if (raw > c.len) throw this.fail(`value "${name}" overruns its data cell`);
    return { name, type, data: Buffer.from(this.buf.subarray(c.at, c.at + raw)) };
  }

  private bigData(at: number, total: number): Buffer {
    const n = this.buf.readUInt16LE(at + 2);
    const list = this.cell(this.buf.readUInt32LE(at + 4));
    if (n * 4 > list.len) throw this.fail("big-data segment list overruns its cell");
    const parts: Buffer[] = [];
    let left = total;
    for (let i = 0; i < n && left > 0; i++) {
      const seg = this.cell(this.buf.readUInt32LE(list.at + 4 * i));
      const take = Math.min(left, seg.len, MAX_DIRECT_DATA);
      parts.push(Buffer.from(this.buf.subarray(seg.at, seg.at + take)));
      left -= take;
    }
    if (left > 0) throw this.fail("big-data value shorter than its size");
    return Buffer.concat(parts);
  }

  private freeValue(vk: number): void {
    const at = this.record(vk, "vk", 0x14);
    const raw = this.buf.readUInt32LE(at + 4);
    if (!(raw & 0x80000000) && raw !== 0) {
      const dataOff = this.buf.readUInt32LE(at + 8);
      const c = this.cell(dataOff);
      if (raw > MAX_DIRECT_DATA && this.buf.toString("latin1", c.at, c.at + 2) === "db") {
        const list = this.buf.readUInt32LE(c.at + 4);
        const l = this.cell(list);
        const n = this.buf.readUInt16LE(c.at + 2);
        for (let i = 0; i < n && 4 * i < l.len; i++) this.free(this.buf.readUInt32LE(l.at + 4 * i));
        this.free(list);
      }
      this.free(dataOff);
    }
    this.free(vk);
  }

  /** Every value of a key; undefined when the key does not exist. */
  values(path: KeyPath): RegValue[] | undefined {
    const off = this.find(path);
    return off === undefined ? undefined : this.valueOffsets(off).map((v) => this.vkValue(v));
  }

  /** One value ("" = the default value); undefined when the key or the value is missing. */
  value(path: KeyPath, name: string): RegValue | undefined {
    const off = this.find(path);
    if (off === undefined) return undefined;
    const want = upper(name);
    const vk = this.valueOffsets(off).find((v) => upper(this.vkName(v)) === want);
    return vk === undefined ? undefined : this.vkValue(vk);
  }

  /** Set (create or replace) a value, creating the key and its parents when missing. */
  setValue(path: KeyPath, v: RegValue): void {
    if (v.data.length > MAX_DIRECT_DATA) throw new V2vError("CONVERSION", `registry value "${v.name}" is ${v.data.length} bytes; at most ${MAX_DIRECT_DATA} are supported`);
    this.ensureKey(path);
    const key = this.find(path)!;
    const want = upper(v.name);
    const old = this.valueOffsets(key);
    const replaced = old.find((o) => upper(this.vkName(o)) === want);
    const vk = this.writeVk(v);
    const list = replaced === undefined ? [...old, vk] : old.map((o) => (o === replaced ? vk : o));
    if (replaced !== undefined) this.freeValue(replaced);
    this.writeValueList(key, list);
  }

  /** Remove a value; false when it was not there. */
  deleteValue(path: KeyPath, name: string): boolean {
    const key = this.find(path);
    if (key === undefined) return false;
    const want = upper(name);
    const old = this.valueOffsets(key);
    const gone = old.find((o) => upper(this.vkName(o)) === want);
    if (gone === undefined) return false;
    this.freeValue(gone);
    this.writeValueList(key, old.filter((o) => o !== gone));
    return true;
  }

  private writeVk(v: RegValue): number {
    const latin = isLatin1(v.name);
    const nameBytes = latin ? Buffer.from(v.name, "latin1") : Buffer.from(v.name, "utf16le");
    let dataOff = 0;
    if (v.data.length > 4) {
      dataOff = this.alloc(v.data.length);
      v.data.copy(this.buf, BASE + dataOff + 4);
    }
    const off = this.alloc(0x14 + nameBytes.length);
    const at = BASE + off + 4;
    this.buf.write("vk", at, "latin1");
    this.buf.writeUInt16LE(nameBytes.length, at + 2);
    if (v.data.length <= 4) {
      this.buf.writeUInt32LE((v.data.length | 0x80000000) >>> 0, at + 4);
      v.data.copy(this.buf, at + 8);
    } else {
      this.buf.writeUInt32LE(v.data.length, at + 4);
      this.buf.writeUInt32LE(dataOff, at + 8);
    }
    this.buf.writeUInt32LE(v.type >>> 0, at + 0x0c);
    this.buf.writeUInt16LE(latin ? VK_COMP_NAME : 0, at + 0x10);
    nameBytes.copy(this.buf, at + 0x14);
    return off;
  }

  private writeValueList(key: number, vks: readonly number[]): void {
    this.free(this.buf.readUInt32LE(this.nk(key) + NK.valueList));
    let list = NONE;
    if (vks.length > 0) {
      list = this.alloc(4 * vks.length);
      vks.forEach((v, i) => this.buf.writeUInt32LE(v, BASE + list + 4 + 4 * i));
    }
    const values = vks.map((o) => this.vkValue(o));
    const at = this.nk(key);
    this.buf.writeUInt32LE(list, at + NK.valueList);
    this.buf.writeUInt32LE(vks.length, at + NK.valueCount);
    this.buf.writeUInt32LE(Math.max(0, ...values.map((x) => x.name.length * 2)), at + NK.maxValueName);
    this.buf.writeUInt32LE(Math.max(0, ...values.map((x) => x.data.length)), at + NK.maxValueData);
    this.buf.writeBigUInt64LE(this.now, at + NK.timestamp);
  }

  // ---- output ------------------------------------------------------------------------------

  /** The hive's bytes, with the base block updated (sequence numbers, size, checksum). */
  toBuffer(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, BASE + this.binsEnd));
    const seq = (out.readUInt32LE(0x04) + 1) >>> 0;
    out.writeUInt32LE(seq, 0x04);
    out.writeUInt32LE(seq, 0x08);
    out.writeBigUInt64LE(this.now, 0x0c);
    out.writeUInt32LE(this.binsEnd, 0x28);
    out.writeUInt32LE(checksum(out), 0x1fc);
    return out;
  }
}
