// Pure: what a driver's .inf says (class, hardware ids, service), and well-known values for the
// virtio drivers when the .inf is missing, empty or says nothing usable.
//
// The tree is user-supplied, so the parser never throws on content: it reads what it recognises
// and ignores the rest, within fixed limits (INF_MAX_BYTES, INF_MAX_LINES, INF_MAX_IDS).
// Understood: UTF-8 (with or without BOM) and UTF-16LE/BE with BOM, UTF-16LE without BOM when
// it looks like it; CRLF/LF/CR; `;` comments outside double quotes; `\` line continuation;
// case-insensitive section and key names; %token% substitution from [Strings] (then from any
// localised [Strings.xxxx]); `%%` as a literal `%`.

export const INF_MAX_BYTES = 1024 * 1024;
export const INF_MAX_LINES = 50_000;
export const INF_MAX_IDS = 512;
const MAX_LINE = 4096;

export const CLASS_GUIDS = {
  SCSIAdapter: "{4D36E97B-E325-11CE-BFC1-08002BE10318}",
  Net: "{4D36E972-E325-11CE-BFC1-08002BE10318}",
  System: "{4D36E97D-E325-11CE-BFC1-08002BE10318}",
} as const;

export interface InfInfo {
  class?: string;
  classGuid?: string;
  provider?: string;
  driverVer?: string;
  catalogFile?: string;
  /** Hardware and compatible ids from the models sections, upper-cased, in order, without repeats. */
  hardwareIds: string[];
  /** The service installed by AddService in a *.Services section (the associated one first). */
  service?: string;
}

/** Pure: the text of an .inf file's bytes (see the header for the encodings). */
export function decodeInfBytes(bytes: Uint8Array): string {
  const b = bytes.length > INF_MAX_BYTES ? bytes.subarray(0, INF_MAX_BYTES) : bytes;
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2, 2 + ((buf.length - 2) & ~1)).toString("utf16le");
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) {
    const body = Buffer.from(buf.subarray(2, 2 + ((buf.length - 2) & ~1)));
    body.swap16();
    return body.toString("utf16le");
  }
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return buf.subarray(3).toString("utf8");
  // UTF-16LE without a BOM: ASCII text has a zero in every odd byte.
  if (buf.length >= 4 && buf.length % 2 === 0) {
    let zeros = 0;
    const n = Math.min(buf.length, 512);
    for (let i = 1; i < n; i += 2) if (buf[i] === 0) zeros++;
    if (zeros >= (n / 2) * 0.9 && buf[0] !== 0) return buf.toString("utf16le");
  }
  return buf.toString("utf8");
}

interface Line {
  readonly key?: string;
  readonly value: string;
}

/** Pure: remove a `;` comment that is not inside double quotes. */
function stripComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (c === ";" && !quoted) return line.slice(0, i);
  }
  return line;
}

/** Pure: the sections of an .inf, keyed by lowercased name, each a list of lines. */
export function infSections(text: string): Map<string, Line[]> {
  const sections = new Map<string, Line[]>();
  let current: Line[] | undefined;
  const raw = text.slice(0, INF_MAX_BYTES).replace(/^\uFEFF/, "").split(/\r\n|\r|\n/, INF_MAX_LINES);
  let pending = "";
  for (const r of raw) {
    let line = stripComment(r.slice(0, MAX_LINE)).trim();
    if (pending) {
      line = `${pending} ${line}`.trim();
      pending = "";
    }
    if (line.endsWith("\\")) {
      pending = line.slice(0, -1).slice(0, MAX_LINE);
      continue;
    }
    if (!line) continue;
    const sec = /^\[([^\]]*)\]/.exec(line);
    if (sec) {
      const name = sec[1]!.trim().toLowerCase();
      current = sections.get(name) ?? [];
      sections.set(name, current);
      continue;
    }
    if (!current) continue; // text before the first section
    const eq = indexOfUnquoted(line, "=");
    if (eq > 0) current.push({ key: line.slice(0, eq).trim().toLowerCase(), value: line.slice(eq + 1).trim() });
    else current.push({ value: line });
  }
  return sections;
}

function indexOfUnquoted(s: string, ch: string): number {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '"') quoted = !quoted;
    else if (s[i] === ch && !quoted) return i;
  }
  return -1;
}

/** Pure: split a value on commas outside quotes, trim each field and remove its surrounding quotes. */
export function infFields(value: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (const c of value) {
    if (c === '"') quoted = !quoted;
    if (c === "," && !quoted) {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out.map(unquote);
}

const unquote = (s: string): string => {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t;
};

/** Pure: the [Strings] table, lowercased keys; [Strings] wins over localised [Strings.xxxx]. */
function stringsTable(sections: Map<string, Line[]>): Map<string, string> {
  const t = new Map<string, string>();
  const names = [...sections.keys()].filter((n) => n.startsWith("strings.")).sort();
  for (const n of ["strings", ...names]) {
    for (const l of sections.get(n) ?? []) {
      if (l.key !== undefined && !t.has(l.key)) t.set(l.key, unquote(l.value));
    }
  }
  return t;
}

/** Pure: replace %token% with its string; unknown tokens stay as written; %% is a literal %. */
function substitute(s: string, strings: Map<string, string>): string {
  return s.replace(/%([^%]*)%/g, (whole, tok: string) => (tok === "" ? "%" : strings.get(tok.toLowerCase()) ?? whole));
}

/** A device id: an enumerator, a backslash, then something (PCI\VEN_…, ACPI\QEMU0002…), or a bare ACPI-style id. */
const DEVICE_ID = /^[A-Za-z0-9_]{1,32}\\[!-~]{1,200}$|^[A-Za-z]{3,4}[0-9A-Fa-f]{4}$|^\*[A-Za-z]{3}[0-9A-Fa-f]{4}$/;

/** Pure: parse an .inf (text or bytes). Never throws on content. */
export function parseInf(input: string | Uint8Array): InfInfo {
  const text = typeof input === "string" ? input : decodeInfBytes(input);
  const sections = infSections(text);
  const strings = stringsTable(sections);
  const value = (section: string, key: string): string | undefined => {
    const l = sections.get(section)?.find((x) => x.key === key);
    if (!l) return undefined;
    const v = unquote(substitute(l.value, strings)).trim();
    return v === "" ? undefined : v.slice(0, 256);
  };
  const info: InfInfo = { hardwareIds: [] };
  const set = <K extends keyof InfInfo>(k: K, v: InfInfo[K] | undefined): void => {
    if (v !== undefined) info[k] = v;
  };
  set("class", value("version", "class"));
  set("classGuid", value("version", "classguid")?.toUpperCase());
  set("provider", value("version", "provider"));
  set("driverVer", value("version", "driverver"));
  set("catalogFile", value("version", "catalogfile"));

  // [Manufacturer]: %VENDOR% = Models[, NTamd64[, NTx86…]] names the models sections.
  const modelSections: string[] = [];
  for (const l of sections.get("manufacturer") ?? []) {
    const [base, ...decorations] = infFields(substitute(l.value, strings)).map((f) => f.toLowerCase());
    if (!base) continue;
    modelSections.push(base, ...decorations.filter((d) => d).map((d) => `${base}.${d}`));
  }
  const seen = new Set<string>();
  for (const s of modelSections) {
    for (const l of sections.get(s) ?? []) {
      if (l.key === undefined) continue;
      // description = install-section, hardware-id[, compatible-id…]
      for (const id of infFields(substitute(l.value, strings)).slice(1)) {
        const up = id.toUpperCase();
        if (!DEVICE_ID.test(id) || seen.has(up) || info.hardwareIds.length >= INF_MAX_IDS) continue;
        seen.add(up);
        info.hardwareIds.push(up);
      }
    }
  }

  // AddService = name, flags, service-install-section: the one flagged 0x2 (associated) first.
  let first: string | undefined;
  let associated: string | undefined;
  for (const [name, lines] of sections) {
    if (!name.endsWith(".services")) continue;
    for (const l of lines) {
      if (l.key !== "addservice") continue;
      const [svc, flags] = infFields(substitute(l.value, strings));
      if (!svc || !/^[A-Za-z0-9_.-]{1,64}$/.test(svc)) continue;
      first ??= svc;
      const f = Number.parseInt(flags ?? "0", (flags ?? "").toLowerCase().startsWith("0x") ? 16 : 10);
      if (associated === undefined && Number.isFinite(f) && (f & 2) !== 0) associated = svc;
    }
  }
  set("service", associated ?? first);
  return info;
}

export interface WellKnownDriver {
  readonly class: string;
  readonly classGuid: string;
  readonly hardwareIds: readonly string[];
  readonly service: string;
}

/**
 * The ids the virtio devices have: vendor 1AF4 (Red Hat), legacy/transitional device ids
 * 1000–1005 and 1004 with subsystem = the virtio device type, and modern (virtio 1.0) ids
 * 1040 + type with subsystem 1100 and revision 01. ACPI ids for QEMU's pvpanic and fw_cfg.
 */
export const WELL_KNOWN: Readonly<Record<string, WellKnownDriver>> = {
  viostor: {
    class: "SCSIAdapter", classGuid: CLASS_GUIDS.SCSIAdapter, service: "viostor",
    hardwareIds: ["PCI\\VEN_1AF4&DEV_1001&SUBSYS_00021AF4&REV_00", "PCI\\VEN_1AF4&DEV_1042&SUBSYS_11001AF4&REV_01"],
  },
  vioscsi: {
    class: "SCSIAdapter", classGuid: CLASS_GUIDS.SCSIAdapter, service: "vioscsi",
    hardwareIds: ["PCI\\VEN_1AF4&DEV_1004&SUBSYS_00081AF4&REV_00", "PCI\\VEN_1AF4&DEV_1048&SUBSYS_11001AF4&REV_01"],
  },
  netkvm: {
    class: "Net", classGuid: CLASS_GUIDS.Net, service: "netkvm",
    hardwareIds: ["PCI\\VEN_1AF4&DEV_1000&SUBSYS_00011AF4&REV_00", "PCI\\VEN_1AF4&DEV_1041&SUBSYS_11001AF4&REV_01"],
  },
  balloon: {
    class: "System", classGuid: CLASS_GUIDS.System, service: "BALLOON",
    hardwareIds: ["PCI\\VEN_1AF4&DEV_1002&SUBSYS_00051AF4&REV_00", "PCI\\VEN_1AF4&DEV_1045&SUBSYS_11001AF4&REV_01"],
  },
  viorng: {
    class: "System", classGuid: CLASS_GUIDS.System, service: "VirtRng",
    hardwareIds: ["PCI\\VEN_1AF4&DEV_1005&SUBSYS_00041AF4&REV_00", "PCI\\VEN_1AF4&DEV_1044&SUBSYS_11001AF4&REV_01"],
  },
  vioser: {
    class: "System", classGuid: CLASS_GUIDS.System, service: "VirtioSerial",
    hardwareIds: ["PCI\\VEN_1AF4&DEV_1003&SUBSYS_00031AF4&REV_00", "PCI\\VEN_1AF4&DEV_1043&SUBSYS_11001AF4&REV_01"],
  },
  viosock: {
    class: "System", classGuid: CLASS_GUIDS.System, service: "VirtioSocket",
    hardwareIds: ["PCI\\VEN_1AF4&DEV_1053&SUBSYS_11001AF4&REV_01"],
  },
  pvpanic: {
    class: "System", classGuid: CLASS_GUIDS.System, service: "pvpanic",
    hardwareIds: ["ACPI\\QEMU0001"],
  },
  fwcfg: {
    class: "System", classGuid: CLASS_GUIDS.System, service: "FwCfg",
    hardwareIds: ["ACPI\\VEN_QEMU&DEV_0002", "ACPI\\QEMU0002"],
  },
};

export interface DriverInfo {
  /** Lowercased .inf base name ("viostor"). */
  readonly name: string;
  readonly class?: string;
  readonly classGuid?: string;
  readonly provider?: string;
  readonly driverVer?: string;
  readonly hardwareIds: readonly string[];
  readonly service?: string;
  /**
   * Where the hardware ids (and the class, when the .inf lacks one) came from: the .inf, the
   * WELL_KNOWN table (the .inf is missing, empty or lists no ids), or nowhere (an unknown driver
   * whose .inf lists no ids).
   */
  readonly source: "inf" | "well-known" | "none";
}

/**
 * Pure: a driver's facts, from its .inf where it has them and from WELL_KNOWN otherwise. The
 * .inf's ids win as a whole (never merged with the well-known ones); other fields fall back one
 * by one.
 */
export function driverInfo(name: string, inf: string | Uint8Array | undefined): DriverInfo {
  const key = name.toLowerCase();
  const parsed: InfInfo = inf === undefined ? { hardwareIds: [] } : parseInf(inf);
  const wk = Object.hasOwn(WELL_KNOWN, key) ? WELL_KNOWN[key] : undefined;
  const fromInf = parsed.hardwareIds.length > 0;
  const source = fromInf ? "inf" : wk ? "well-known" : "none";
  const pick = <T>(a: T | undefined, b: T | undefined): { v?: T } => (a !== undefined ? { v: a } : b !== undefined ? { v: b } : {});
  const cls = pick(parsed.class, wk?.class).v;
  const guid = pick(parsed.classGuid, wk?.classGuid).v;
  const svc = pick(parsed.service, wk?.service).v;
  return {
    name: key,
    ...(cls !== undefined ? { class: cls } : {}),
    ...(guid !== undefined ? { classGuid: guid } : {}),
    ...(parsed.provider !== undefined ? { provider: parsed.provider } : {}),
    ...(parsed.driverVer !== undefined ? { driverVer: parsed.driverVer } : {}),
    hardwareIds: fromInf ? parsed.hardwareIds : [...(wk?.hardwareIds ?? [])],
    ...(svc !== undefined ? { service: svc } : {}),
    source,
  };
}
