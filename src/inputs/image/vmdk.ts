// Pure: VMDK sparse headers and text descriptors, read for the files they make qemu open
// (extents and the parent of a snapshot delta). Layout from VMware's "Virtual Disk Format 5.0".

export interface VmdkSparseHeader {
  readonly capacitySectors: number;
  /** Where the embedded descriptor is, in bytes; undefined when the image has none. */
  readonly descriptor?: { readonly offset: number; readonly length: number };
}

/** Descriptors bigger than this are not descriptors. */
export const MAX_DESCRIPTOR_BYTES = 1024 * 1024;
/** More extents than this is not a disk a hypervisor wrote. */
export const MAX_EXTENTS = 1024;

/** Parse the 512-byte header of a sparse (KDMV) extent. Throws a plain Error on nonsense. */
export function parseSparseHeader(buf: Buffer): VmdkSparseHeader {
  if (buf.length < 512 || buf.toString("latin1", 0, 4) !== "KDMV") throw new Error("not a VMDK sparse header");
  const capacitySectors = Number(buf.readBigUInt64LE(12));
  const descOffsetSectors = Number(buf.readBigUInt64LE(28));
  const descSectors = Number(buf.readBigUInt64LE(36));
  if (!Number.isSafeInteger(capacitySectors * 512)) throw new Error("the capacity is impossible");
  if (descOffsetSectors === 0 || descSectors === 0) return { capacitySectors };
  const length = descSectors * 512;
  if (!Number.isSafeInteger(descOffsetSectors * 512) || length > MAX_DESCRIPTOR_BYTES) {
    throw new Error(`the embedded descriptor (${descSectors} sectors at sector ${descOffsetSectors}) is impossible`);
  }
  return { capacitySectors, descriptor: { offset: descOffsetSectors * 512, length } };
}

export type ExtentType = "FLAT" | "SPARSE" | "ZERO" | "VMFS" | "VMFSSPARSE" | "VMFSRDM" | "VMFSRAW" | "SESPARSE";

export interface VmdkExtent {
  readonly access: "RW" | "RDONLY" | "NOACCESS";
  readonly sectors: number;
  readonly type: ExtentType;
  /** The file, as written (relative to the descriptor); undefined for ZERO extents. */
  readonly file?: string;
  /** FLAT/VMFS: where the extent's data starts in the file, in sectors. */
  readonly offsetSectors: number;
}

export interface VmdkDescriptor {
  readonly createType?: string;
  readonly extents: readonly VmdkExtent[];
  /** The parent image of a snapshot delta (when parentCID is not ffffffff). */
  readonly parentFileNameHint?: string;
}

const EXTENT_LINE = /^(RW|RDONLY|NOACCESS)\s+(\d+)\s+(FLAT|SPARSE|ZERO|VMFS|VMFSSPARSE|VMFSRDM|VMFSRAW|SESPARSE)(?:\s+"([^"]*)"(?:\s+(\d+))?)?\s*$/;

const unquote = (v: string): string => v.trim().replace(/^"(.*)"$/, "$1");

/** Parse descriptor text. Unknown lines are ignored, as VMware does; a malformed extent line is an error. */
export function parseDescriptor(text: string): VmdkDescriptor {
  if (text.length > MAX_DESCRIPTOR_BYTES) throw new Error("the descriptor is too big");
  const extents: VmdkExtent[] = [];
  let createType: string | undefined;
  let parentCID: string | undefined;
  let parentHint: string | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\0.*$/, "").trim();
    if (line === "" || line.startsWith("#")) continue;
    if (/^(RW|RDONLY|NOACCESS)\s/.test(line)) {
      const m = EXTENT_LINE.exec(line);
      if (!m) throw new Error(`extent line "${line.slice(0, 80)}" is malformed`);
      const type = m[3] as ExtentType;
      if (type !== "ZERO" && m[4] === undefined) throw new Error(`a ${type} extent names no file`);
      extents.push({
        access: m[1] as VmdkExtent["access"],
        sectors: Number(m[2]),
        type,
        ...(m[4] !== undefined ? { file: m[4] } : {}),
        offsetSectors: m[5] === undefined ? 0 : Number(m[5]),
      });
      if (extents.length > MAX_EXTENTS) throw new Error(`more than ${MAX_EXTENTS} extents`);
      continue;
    }
    const kv = /^([A-Za-z0-9_.]+)\s*=\s*(.*)$/.exec(line);
    if (!kv) continue;
    const [, key, value] = kv as unknown as [string, string, string];
    if (key === "createType") createType = unquote(value);
    else if (key === "parentCID") parentCID = unquote(value).toLowerCase();
    else if (key === "parentFileNameHint") parentHint = unquote(value);
  }
  for (const e of extents) {
    if (!Number.isSafeInteger(e.sectors * 512) || !Number.isSafeInteger(e.offsetSectors * 512)) throw new Error("an extent's size is impossible");
  }
  const hasParent = parentHint !== undefined && parentHint !== "" && parentCID !== undefined && parentCID !== "ffffffff";
  return { ...(createType !== undefined ? { createType } : {}), extents, ...(hasParent ? { parentFileNameHint: parentHint } : {}) };
}
