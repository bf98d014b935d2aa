// Pure: what each converter did to a Windows guest, and where the two converters disagree.
//
// A hive is compared as a flat map (flattenHive): one entry per value, "key\path:valuename" ->
// "type:hexdata", plus one entry per key that holds neither value nor subkey ("key\path\" ->
// "key"), so an added empty key is seen too. Paths and value names are lower-cased: the registry compares names
// without case, and the two tools do not spell every key alike. Each tool's effect is the
// difference between the source guest and the disk it converted; the differential rows are the
// entries where those two effects are not the same (an edit both made alike is no row).
import { XMLParser } from "fast-xml-parser";
import type { Hive, KeyPath } from "../../registry/hive.js";
import { REG } from "../../registry/values.js";

/** "key\path:valuename" (or "key\path\" for a key without values) -> "type:hexdata" (or "key"). */
export type FlatHive = ReadonlyMap<string, string>;

/** The marker of a key that holds no value. */
export const EMPTY_KEY = "key";

/** Walks stop here: real SYSTEM hives hold a few hundred thousand values; bounded all the same. */
const MAX_FLAT_ENTRIES = 2_000_000;

/** Every value of the hive (or of the subtree at `from`), as a flat map. */
export function flattenHive(hive: Hive, from: KeyPath = []): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (path: string[]): void => {
    if (out.size > MAX_FLAT_ENTRIES) throw new Error(`hive has more than ${MAX_FLAT_ENTRIES} values; not compared`);
    const prefix = path.join("\\").toLowerCase();
    const values = hive.values(path) ?? [];
    for (const v of values) out.set(`${prefix}:${v.name.toLowerCase()}`, `${v.type}:${v.data.toString("hex")}`);
    const subkeys = hive.subkeys(path) ?? [];
    if (values.length === 0 && subkeys.length === 0 && path.length > 0) out.set(`${prefix}\\`, EMPTY_KEY);
    for (const k of subkeys) walk([...path, k]);
  };
  walk([...from]);
  return out;
}

export type ChangeKind = "added" | "changed" | "removed";

export interface Change {
  readonly kind: ChangeKind;
  readonly before?: string;
  readonly after?: string;
}

// The stand-in DriverDatabase package each tool registers for the boot driver has its own
// name: ours v2v<driver>.inf (package v2v<driver>.inf_v2v, configuration v2v<driver>_conf),
// virt-v2v 2.2's guestor.inf (guestor.inf_tmp, guestor_conf). Both are renamed to placeholders
// before the comparison, so what the packages hold is compared entry by entry.
const PACKAGE_NAMES: ReadonlyArray<readonly [RegExp, string]> = [
  [/v2v[a-z0-9_]+\.inf_v2v|guestor\.inf_tmp/gi, "<package>"],
  [/v2v[a-z0-9_]+_conf|guestor_conf/gi, "<configuration>"],
  [/v2v[a-z0-9_]+\.inf|guestor\.inf/gi, "<inf>"],
];

const renamePackage = (s: string): string => PACKAGE_NAMES.reduce((t, [re, to]) => t.replace(re, to), s);

/** Pure: the DriverDatabase entries with both tools' stand-in package names replaced by placeholders. */
export function normaliseDriverPackage(flat: FlatHive): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of flat) {
    if (!k.startsWith("driverdatabase\\")) {
      out.set(k, v);
      continue;
    }
    const colon = v.indexOf(":");
    const type = Number(v.slice(0, colon));
    let data = v;
    if (v !== EMPTY_KEY && (type === REG.SZ || type === REG.EXPAND_SZ || type === REG.MULTI_SZ)) {
      const text = Buffer.from(v.slice(colon + 1), "hex").toString("utf16le");
      data = `${type}:${Buffer.from(renamePackage(text), "utf16le").toString("hex")}`;
    }
    out.set(renamePackage(k), data);
  }
  return out;
}

/** What one tool did: every entry whose data differs between the source and its converted disk. */
export function hiveChanges(source: FlatHive, converted: FlatHive): Map<string, Change> {
  const out = new Map<string, Change>();
  for (const [k, before] of source) {
    const after = converted.get(k);
    if (after === undefined) out.set(k, { kind: "removed", before });
    else if (after !== before) out.set(k, { kind: "changed", before, after });
  }
  for (const [k, after] of converted) if (!source.has(k)) out.set(k, { kind: "added", after });
  return out;
}

/** Where a row comes from. */
export type Area = "SYSTEM" | "SOFTWARE" | "BCD" | "VirtIO" | "Firstboot" | "XML";

/** One difference between the two tools. `ours` and `theirs` are already readable text. */
export interface DiffRow {
  readonly area: Area;
  readonly key: string;
  readonly ours: string;
  readonly theirs: string;
}

const typeName = (t: number): string =>
  ({ [REG.NONE]: "NONE", [REG.SZ]: "SZ", [REG.EXPAND_SZ]: "EXPAND_SZ", [REG.BINARY]: "BINARY", [REG.DWORD]: "DWORD", [REG.MULTI_SZ]: "MULTI_SZ", [REG.QWORD]: "QWORD" })[t] ??
  `type${t}`;

/** "1:4100..." -> `SZ "A"`; binary data longer than 24 bytes is cut. Readable, for the report. */
export function describeData(flat: string | undefined): string {
  if (flat === undefined) return "-";
  if (flat === EMPTY_KEY) return "(empty key)";
  const colon = flat.indexOf(":");
  const type = Number(flat.slice(0, colon));
  const data = Buffer.from(flat.slice(colon + 1), "hex");
  const text = (): string => data.subarray(0, data.length - (data.length % 2)).toString("utf16le");
  switch (type) {
    case REG.SZ:
    case REG.EXPAND_SZ:
      return `${typeName(type)} "${text().replace(/\0+$/, "")}"`;
    case REG.MULTI_SZ:
      return `MULTI_SZ [${text().split("\0").filter((s) => s.length > 0).map((s) => `"${s}"`).join(", ")}]`;
    case REG.DWORD:
      return data.length >= 4 ? `DWORD 0x${data.readUInt32LE(0).toString(16)}` : `DWORD (${data.length} bytes)`;
    default: {
      const hex = data.subarray(0, 24).toString("hex").replace(/(..)(?!$)/g, "$1 ");
      return `${typeName(type)} ${hex}${data.length > 24 ? ` … (${data.length} bytes)` : ""}`;
    }
  }
}

/** What a tool did to one entry, as report text. */
export function describeChange(c: Change | undefined): string {
  if (!c) return "(not touched)";
  if (c.kind === "removed") return "removed";
  if (c.kind === "added") return `added ${describeData(c.after)}`;
  return `set ${describeData(c.after)}`;
}

const sameChange = (a: Change, b: Change): boolean => a.kind === b.kind && a.after === b.after;

/** Rows where the two tools' effects on one hive differ, sorted by key. */
export function compareChanges(area: Area, ours: ReadonlyMap<string, Change>, theirs: ReadonlyMap<string, Change>): DiffRow[] {
  const keys = [...new Set([...ours.keys(), ...theirs.keys()])].sort();
  const rows: DiffRow[] = [];
  for (const k of keys) {
    const o = ours.get(k), t = theirs.get(k);
    if (o && t && sameChange(o, t)) continue;
    rows.push({ area, key: k, ours: describeChange(o), theirs: describeChange(t) });
  }
  return rows;
}

/** Rows for two lists of names (lower-cased): a name only one tool has. */
export function compareListings(area: Area, ours: readonly string[], theirs: readonly string[]): DiffRow[] {
  const o = new Set(ours.map((s) => s.toLowerCase()));
  const t = new Set(theirs.map((s) => s.toLowerCase()));
  const rows: DiffRow[] = [];
  for (const n of [...new Set([...o, ...t])].sort()) {
    if (o.has(n) && t.has(n)) continue;
    rows.push({ area, key: n, ours: o.has(n) ? "present" : "absent", theirs: t.has(n) ? "present" : "absent" });
  }
  return rows;
}

// ---- libvirt XML ------------------------------------------------------------------------------

type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  isArray: () => true,
  processEntities: false,
});

const asNodes = (v: unknown): XmlNode[] => (Array.isArray(v) ? (v as XmlNode[]) : v && typeof v === "object" ? [v as XmlNode] : []);
const children = (n: XmlNode | undefined, name: string): XmlNode[] => (n ? asNodes(n[name]) : []);
const attr = (n: XmlNode | undefined, name: string): string | undefined => {
  const v = n?.[`@${name}`];
  return v === undefined ? undefined : String(v);
};
const text = (n: XmlNode | undefined): string | undefined => {
  const v = n?.["#text"];
  return v === undefined ? undefined : String(v);
};
const elementNames = (n: XmlNode | undefined): string[] => (n ? Object.keys(n).filter((k) => !k.startsWith("@") && k !== "#text") : []);

/**
 * Pure: the facts of a libvirt domain XML that the comparison looks at, as "facet" -> value.
 * Comments, names, UUIDs, MAC addresses and file paths are left out (they differ by design);
 * only which kind of path is there (a loader, an nvram template) is kept.
 */
export function xmlFacets(xml: string): Map<string, string> {
  const doc = parser.parse(xml.replace(/<!--[\s\S]*?-->/g, "")) as XmlNode;
  const dom = children(doc, "domain")[0];
  const f = new Map<string, string>();
  if (!dom) {
    f.set("domain", "(no <domain> element)");
    return f;
  }
  const set = (k: string, v: string | undefined): void => {
    if (v !== undefined && v !== "") f.set(k, v);
  };
  set("domain type", attr(dom, "type"));
  const osinfo = children(children(children(dom, "metadata")[0], "libosinfo:libosinfo")[0], "libosinfo:os")[0];
  set("osinfo", attr(osinfo, "id") ?? "(none)");
  set("memory", `${text(children(dom, "memory")[0]) ?? "?"} ${attr(children(dom, "memory")[0], "unit") ?? ""}`.trim());
  set("vcpu", text(children(dom, "vcpu")[0]));
  const os = children(dom, "os")[0];
  const type = children(os, "type")[0];
  set("os arch", attr(type, "arch"));
  set("os machine", attr(type, "machine"));
  set("os firmware", attr(os, "firmware"));
  const loader = children(os, "loader")[0];
  if (loader) set("loader", ["readonly", "type", "secure"].map((a) => `${a}=${attr(loader, a) ?? "-"}`).join(" "));
  if (children(os, "nvram")[0]) set("nvram", "present");
  set("os boot", children(os, "boot").map((b) => attr(b, "dev")).join(",") || undefined);
  const features = children(dom, "features")[0];
  set("features", elementNames(features).sort().join(",") || "(none)");
  const hv = children(features, "hyperv")[0];
  if (hv) set("features hyperv", elementNames(hv).sort().join(","));
  const cpu = children(dom, "cpu")[0];
  if (cpu) set("cpu", `mode=${attr(cpu, "mode") ?? "-"} model=${text(children(cpu, "model")[0]) ?? "-"}`);
  const clock = children(dom, "clock")[0];
  if (clock) {
    const timers = children(clock, "timer").map((t) => `${attr(t, "name")}${attr(t, "present") ? `(present=${attr(t, "present")})` : ""}`).sort();
    set("clock", `offset=${attr(clock, "offset") ?? "-"}${timers.length ? ` timers=${timers.join(",")}` : ""}`);
  } else set("clock", "(none)");
  const devs = children(dom, "devices")[0];
  children(devs, "disk").forEach((d, i) => {
    const t = children(d, "target")[0];
    set(`disk ${i + 1}`, `device=${attr(d, "device") ?? "-"} bus=${attr(t, "bus") ?? "-"} dev=${attr(t, "dev") ?? "-"} format=${attr(children(d, "driver")[0], "type") ?? "-"}`);
  });
  children(devs, "interface").forEach((n, i) => set(`nic ${i + 1} model`, attr(children(n, "model")[0], "type") ?? "(none)"));
  set("memballoon", children(devs, "memballoon").map((m) => attr(m, "model")).join(",") || "(none)");
  set("rng", children(devs, "rng").map((r) => `${attr(r, "model")}:${text(children(r, "backend")[0]) ?? attr(children(r, "backend")[0], "model") ?? ""}`).join(",") || "(none)");
  set("tpm", children(devs, "tpm").map((t) => `${attr(t, "model")}/${attr(children(t, "backend")[0], "type") ?? "-"}-${attr(children(t, "backend")[0], "version") ?? "-"}`).join(",") || "(none)");
  set("video", children(devs, "video").map((v) => attr(children(v, "model")[0], "type")).join(",") || "(none)");
  set("graphics", children(devs, "graphics").map((g) => attr(g, "type")).join(",") || "(none)");
  set("panic", children(devs, "panic").map((p) => attr(p, "model")).join(",") || "(none)");
  set("controllers", children(devs, "controller").map((c) => `${attr(c, "type")}${attr(c, "model") ? `/${attr(c, "model")}` : ""}`).sort().join(",") || "(none)");
  set("inputs", children(devs, "input").map((x) => `${attr(x, "type")}/${attr(x, "bus")}`).sort().join(",") || "(none)");
  set("channels", children(devs, "channel").map((c) => `${attr(c, "type")}:${attr(children(c, "target")[0], "name") ?? "-"}`).sort().join(",") || "(none)");
  set("consoles", children(devs, "console").map((c) => attr(c, "type")).join(",") || "(none)");
  set("sound", children(devs, "sound").map((s) => attr(s, "model")).join(",") || "(none)");
  set("other devices", elementNames(devs).filter((n) => !KNOWN_DEVICES.has(n)).sort().join(",") || "(none)");
  return f;
}

const KNOWN_DEVICES = new Set(["disk", "interface", "memballoon", "rng", "tpm", "video", "graphics", "panic", "controller", "input", "channel", "console", "sound"]);

/** Rows for the XML facets the two documents disagree on. */
export function compareXml(ours: string, theirs: string): DiffRow[] {
  const o = xmlFacets(ours), t = xmlFacets(theirs);
  const rows: DiffRow[] = [];
  for (const k of [...new Set([...o.keys(), ...t.keys()])]) {
    const a = o.get(k), b = t.get(k);
    if (a === b) continue;
    rows.push({ area: "XML", key: k, ours: a ?? "(absent)", theirs: b ?? "(absent)" });
  }
  return rows;
}

// ---- a whole guest ---------------------------------------------------------------------------

/** What collect.ts reads from one disk (the source, or one tool's converted disk). */
export interface GuestState {
  readonly system: FlatHive;
  readonly software: FlatHive;
  /** The ESP's BCD, on UEFI guests. */
  readonly bcd?: FlatHive;
  /** File names under Windows/Drivers/VirtIO, lower-cased. */
  readonly virtio: readonly string[];
  /** The first-boot folder found ("Program Files/V2V/Firstboot"), and its files relative to it. */
  readonly firstboot?: { readonly dir: string; readonly files: readonly string[] };
}

export interface ConvertedPair {
  readonly source: GuestState;
  readonly ours: GuestState;
  readonly theirs: GuestState;
  /** -o local NAME.xml of each tool. */
  readonly oursXml: string;
  readonly theirsXml: string;
}

const firstbootText = (f: GuestState["firstboot"]): string =>
  f ? `${f.dir}: ${f.files.length} files (${[...f.files].sort().slice(0, 8).join(", ")}${f.files.length > 8 ? ", …" : ""})` : "(none)";

/** Every difference between the two conversions of one guest. */
export function diffGuest(p: ConvertedPair): DiffRow[] {
  const hive = (area: Area, pick: (s: GuestState) => FlatHive | undefined): DiffRow[] => {
    const src = pick(p.source) ?? new Map<string, string>();
    return compareChanges(area, hiveChanges(src, pick(p.ours) ?? new Map()), hiveChanges(src, pick(p.theirs) ?? new Map()));
  };
  const rows = [
    ...hive("SYSTEM", (s) => normaliseDriverPackage(s.system)),
    ...hive("SOFTWARE", (s) => s.software),
    ...(p.source.bcd || p.ours.bcd || p.theirs.bcd ? hive("BCD", (s) => s.bcd) : []),
    ...compareListings("VirtIO", p.ours.virtio, p.theirs.virtio),
    ...compareXml(p.oursXml, p.theirsXml),
  ];
  const fo = firstbootText(p.ours.firstboot), ft = firstbootText(p.theirs.firstboot);
  if (fo !== ft) rows.push({ area: "Firstboot", key: "first-boot folder", ours: fo, theirs: ft });
  return rows;
}
