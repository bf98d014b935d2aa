// Registry value types and their encodings (pure). A value's data is kept as the bytes the
// hive stores; these helpers turn strings and numbers into those bytes and back.

/** Value types used by the converter and the checks (winnt.h REG_* numbers). */
export const REG = {
  NONE: 0,
  SZ: 1,
  EXPAND_SZ: 2,
  BINARY: 3,
  DWORD: 4,
  MULTI_SZ: 7,
  QWORD: 11,
} as const;

export interface RegValue {
  /** The value's name; "" is the key's default value ("@" in .reg files). */
  readonly name: string;
  readonly type: number;
  readonly data: Buffer;
}

/** REG_SZ / REG_EXPAND_SZ bytes: UTF-16LE with its terminating NUL. */
export const utf16z = (s: string): Buffer => Buffer.from(`${s}\0`, "utf16le");

export const sz = (name: string, s: string): RegValue => ({ name, type: REG.SZ, data: utf16z(s) });
export const expandSz = (name: string, s: string): RegValue => ({ name, type: REG.EXPAND_SZ, data: utf16z(s) });

export function dword(name: string, n: number): RegValue {
  const data = Buffer.alloc(4);
  data.writeUInt32LE(n >>> 0);
  return { name, type: REG.DWORD, data };
}

/** REG_MULTI_SZ: each string NUL-terminated, then one more NUL. */
export function multiSz(name: string, items: readonly string[]): RegValue {
  return { name, type: REG.MULTI_SZ, data: Buffer.from(`${items.map((s) => `${s}\0`).join("")}\0`, "utf16le") };
}

export const binary = (name: string, bytes: readonly number[] | Buffer): RegValue => ({
  name,
  type: REG.BINARY,
  data: Buffer.from(bytes as readonly number[]),
});

/** The text of a string value (stops at the first NUL); undefined for other types. */
export function valueString(v: RegValue | undefined): string | undefined {
  if (!v || (v.type !== REG.SZ && v.type !== REG.EXPAND_SZ)) return undefined;
  const text = v.data.subarray(0, v.data.length - (v.data.length % 2)).toString("utf16le");
  const nul = text.indexOf("\0");
  return nul >= 0 ? text.slice(0, nul) : text;
}

/** The number of a REG_DWORD value; undefined for other types or short data. */
export function valueDword(v: RegValue | undefined): number | undefined {
  if (!v || v.type !== REG.DWORD || v.data.length < 4) return undefined;
  return v.data.readUInt32LE(0);
}

/** The strings of a REG_MULTI_SZ value (empty strings dropped); undefined for other types. */
export function valueMultiSz(v: RegValue | undefined): string[] | undefined {
  if (!v || v.type !== REG.MULTI_SZ) return undefined;
  return v.data
    .subarray(0, v.data.length - (v.data.length % 2))
    .toString("utf16le")
    .split("\0")
    .filter((s) => s.length > 0);
}
