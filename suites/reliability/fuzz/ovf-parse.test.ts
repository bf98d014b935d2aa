// Property-based fuzzing of parseOvf: arbitrary text, XML-ish trees, OVFs assembled from hostile
// parts, and mutations of the valid fixtures. Whatever the input: a ParsedOvf whose every value is
// within the rules, or a one-line BAD_INPUT; in bounded time and memory.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, test } from "vitest";
import { OVF_LIMITS, parseOvf, type ParsedOvf } from "../../../src/inputs/ovf-parse.js";
import { MEMORY_MAX_BYTES, MEMORY_MIN_BYTES, VCPUS_MAX, networkNameProblem } from "../../../src/model/untrusted.js";
import { makeOvf } from "../../unit/inputs/ova-fixtures.js";
import { Tally, checkRefusal, expectBounded, fuzzParameters } from "./fuzz-budget.js";

const FIXTURE_DIR = join(import.meta.dirname, "..", "..", "unit", "fixtures", "inputs");
// NAME.refused.ovf fixtures are ones v2v must refuse (the unit tests check how); the rest parse.
const FIXTURES: readonly string[] = [
  ...readdirSync(FIXTURE_DIR).filter((f) => f.endsWith(".ovf") && !f.endsWith(".refused.ovf")).map((f) => readFileSync(join(FIXTURE_DIR, f), "utf8")),
  makeOvf([{ href: "a.vmdk" }, { href: "b.vmdk.gz", compression: "gzip" }]),
];

/** Every value of an accepted OVF must be one the rest of v2v can use without further checks. */
function checkAccepted(ovf: ParsedOvf): void {
  const fail = (why: string): never => { throw new Error(`accepted an OVF with ${why}`); };
  if (!(Number.isSafeInteger(ovf.memoryBytes) && ovf.memoryBytes >= MEMORY_MIN_BYTES && ovf.memoryBytes <= MEMORY_MAX_BYTES)) fail(`memory ${ovf.memoryBytes}`);
  if (!(Number.isInteger(ovf.vcpus) && ovf.vcpus >= 1 && ovf.vcpus <= VCPUS_MAX)) fail(`${ovf.vcpus} vCPUs`);
  const t = ovf.cpuTopology;
  if (t && t.sockets * t.coresPerSocket * t.threadsPerCore !== ovf.vcpus) fail(`a topology that does not multiply to ${ovf.vcpus}`);
  if (ovf.disks.length > OVF_LIMITS.disks || ovf.nics.length > OVF_LIMITS.nics) fail("too many disks or NICs");
  if (ovf.name !== undefined && ovf.name.length > OVF_LIMITS.nameChars) fail("a name too long");
  for (const what of ["diskId", "href"] as const) {
    if (new Set(ovf.disks.map((d) => d[what])).size !== ovf.disks.length) fail(`two disks with the same ${what}`);
  }
  for (const d of ovf.disks) {
    const size = d.virtualSizeBytes;
    if (size !== undefined && !(Number.isSafeInteger(size) && size > 0 && size <= OVF_LIMITS.capacityBytes)) fail(`capacity ${size}`);
  }
  for (const n of ovf.nics) {
    if (n.mac !== undefined && !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(n.mac)) fail(`MAC ${JSON.stringify(n.mac)}`);
    if (networkNameProblem(n.networkName) !== undefined) fail(`network name ${JSON.stringify(n.networkName)}`);
  }
}

let tally = new Tally();

async function checkParse(xml: string): Promise<void> {
  const outcome = await expectBounded(() => parseOvf(xml, "fuzz.ovf"));
  tally.add(outcome);
  const { result, error } = outcome;
  if (error) {
    checkRefusal(error);
    if (!error.message.startsWith("fuzz.ovf: ")) throw new Error(`the refusal does not name the file: ${error.message}`);
  }
  if (result) checkAccepted(result);
}

// ---- generators ---------------------------------------------------------------------------

const HOSTILE_TEXT = fc.constantFrom(
  "", " ", "0", "-1", "1.5", "1e309", "NaN", "Infinity", "0x10", "99999999999999999999", "4096", "4097", "16384",
  "byte", "byte * 2^20", "byte * 2^30", "byte * 2^9999", "byte * 0^0", "MegaBytes", "furlongs", "hertz * 10^6",
  "ovf:/disk/d0", "ovf:/disk/d1", "ovf:/file/f0", "/disk/", "d0", "d1", "f0", "f1", "efi", "bios", "gzip", "xz",
  "00:50:56:ab:cd:ef", "00-50-56-AB-CD-EF", "00:50:56:ab:cd:ef,id=x", "VM Network", "-netdev", "lan;$(reboot)",
  "a\nb", "\x1b[2J", "\u202e", "]]>", "&amp;", "&#0;", "&#x1b;", "&#10;", "&lt;", "&unknown;", "${disk.size}",
);
const VALUE = fc.oneof(HOSTILE_TEXT, fc.string({ maxLength: 16 }), fc.nat().map(String));
const TAG = fc.constantFrom(
  "Envelope", "References", "File", "DiskSection", "Disk", "VirtualSystem", "VirtualSystemCollection", "Name", "Info",
  "VirtualHardwareSection", "Item", "StorageItem", "EthernetPortItem", "rasd:ResourceType", "rasd:VirtualQuantity",
  "rasd:AllocationUnits", "rasd:HostResource", "rasd:InstanceID", "rasd:Parent", "rasd:Address", "rasd:Connection",
  "rasd:ResourceSubType", "rasd:ElementName", "vmw:Config", "vmw:CoresPerSocket", "__proto__", "constructor", "x",
);
const ATTR = fc.constantFrom(
  "ovf:id", "ovf:href", "ovf:diskId", "ovf:fileRef", "ovf:capacity", "ovf:capacityAllocationUnits", "ovf:compression",
  "ovf:chunkSize", "vmw:key", "vmw:value", "xmlns", "xmlns:ovf", "__proto__",
);

/** Escaped for XML, or (sometimes) raw so the document may be malformed. */
const xmlText = (s: string, raw: boolean): string =>
  raw ? s : s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");

interface Tree { readonly tag: string; readonly attrs: readonly (readonly [string, string])[]; readonly children: readonly (Tree | string)[] }

const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.record({
    tag: TAG,
    attrs: fc.array(fc.tuple(ATTR, VALUE), { maxLength: 4 }),
    children: fc.array(fc.oneof({ maxDepth: 6, depthSize: "small" }, VALUE, tie("tree")), { maxLength: 5 }),
  }),
}));

function serialize(t: Tree | string, raw: boolean): string {
  if (typeof t === "string") return xmlText(t, raw);
  const attrs = t.attrs.map(([k, v]) => ` ${k}="${xmlText(v, raw)}"`).join("");
  return `<${t.tag}${attrs}>${t.children.map((c) => serialize(c, raw)).join("")}</${t.tag}>`;
}

const XML_TREES = fc.tuple(tree, fc.boolean(), fc.boolean()).map(([t, raw, envelope]) =>
  `<?xml version="1.0"?>\n${envelope ? `<Envelope>${serialize(t, raw)}</Envelope>` : serialize(t, raw)}`);

/** An OVF put together from parts drawn from small id pools, so duplicates and dangling references happen. */
const ID = fc.constantFrom("d0", "d1", "d2", "f0", "f1", "f2");
/** Mostly plausible values, sometimes hostile ones. */
const mostly = <T,>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>): fc.Arbitrary<T> => fc.oneof({ arbitrary: good, weight: 4 }, { arbitrary: bad, weight: 1 });
const ITEM_FIELD = fc.oneof(
  fc.tuple(fc.constant("rasd:VirtualQuantity"), mostly(fc.constantFrom("1", "2", "4", "1024", "2048"), VALUE)),
  fc.tuple(fc.constant("rasd:AllocationUnits"), mostly(fc.constantFrom("byte * 2^20", "byte * 2^30", "MegaBytes"), VALUE)),
  fc.tuple(fc.constant("rasd:HostResource"), mostly(fc.constantFrom("ovf:/disk/d0", "ovf:/disk/d1", "ovf:/disk/d2", "ovf:/file/f0", "ovf:/file/f1"), VALUE)),
  fc.tuple(fc.constant("rasd:Address"), mostly(fc.constantFrom("00:50:56:ab:cd:ef", "00-50-56-AB-CD-01", "0"), VALUE)),
  fc.tuple(fc.constant("rasd:Connection"), mostly(fc.constantFrom("VM Network", "PG/VLAN 60", "lan"), VALUE)),
  fc.tuple(fc.constant("rasd:Parent"), mostly(fc.constantFrom("0", "1", "2", "3"), VALUE)),
  fc.tuple(fc.constant("vmw:CoresPerSocket"), mostly(fc.constantFrom("1", "2", "3"), VALUE)),
  fc.tuple(fc.constant("rasd:ResourceSubType"), mostly(fc.constantFrom("vmxnet3", "E1000", "lsilogic", "vmware.nvme.controller"), VALUE)),
  fc.tuple(TAG, VALUE),
);
const ASSEMBLED = fc.record({
  files: fc.array(fc.record({
    id: ID,
    href: mostly(fc.constantFrom("a.vmdk", "b.vmdk", "c.vmdk.gz"), fc.oneof(fc.constantFrom("../x", "/etc/passwd", "a.vmdk\0"), VALUE)),
    comp: fc.option(mostly(fc.constantFrom("gzip", "identity"), VALUE)),
  }), { maxLength: 4 }),
  disks: fc.array(fc.record({
    id: ID,
    fileRef: fc.option(ID, { freq: 8 }),
    capacity: fc.option(mostly(fc.constantFrom("1", "8", "1024"), VALUE)),
    units: fc.option(mostly(fc.constantFrom("byte * 2^30", "byte"), VALUE)),
  }), { maxLength: 4 }),
  items: fc.array(fc.record({
    type: mostly(fc.constantFrom("3", "4", "5", "6", "10", "15", "17", "20"), VALUE),
    fields: fc.array(ITEM_FIELD, { maxLength: 4 }),
  }), { maxLength: 10 }),
  name: fc.option(mostly(fc.constantFrom("vm", "web (prod) #2"), VALUE)),
  firmware: fc.option(mostly(fc.constantFrom("efi", "bios", "EFI"), VALUE), { freq: 2 }),
}).map((p) => {
  const opt = (k: string, v: string | null): string => (v === null ? "" : ` ${k}="${xmlText(v, false)}"`);
  const files = p.files.map((f) => `<File ovf:id="${f.id}" ovf:href="${xmlText(f.href, false)}"${opt("ovf:compression", f.comp)}/>`).join("");
  const disks = p.disks.map((d) => `<Disk ovf:diskId="${d.id}"${opt("ovf:fileRef", d.fileRef)}${opt("ovf:capacity", d.capacity)}${opt("ovf:capacityAllocationUnits", d.units)}/>`).join("");
  const items = p.items.map((it, i) => `<Item><rasd:InstanceID>${i}</rasd:InstanceID><rasd:ResourceType>${xmlText(it.type, false)}</rasd:ResourceType>${
    it.fields.map(([k, v]) => `<${k}>${xmlText(v, false)}</${k}>`).join("")}</Item>`).join("");
  return `<Envelope xmlns:ovf="o" xmlns:rasd="r" xmlns:vmw="v"><References>${files}</References><DiskSection>${disks}</DiskSection>` +
    `<VirtualSystem>${p.name === null ? "" : `<Name>${xmlText(p.name, false)}</Name>`}<VirtualHardwareSection>${items}` +
    `${p.firmware === null ? "" : `<vmw:Config vmw:key="firmware" vmw:value="${xmlText(p.firmware, false)}"/>`}</VirtualHardwareSection></VirtualSystem></Envelope>`;
});

/** Edits applied to a valid OVF; positions wrap around the text's length. */
type Mutation =
  | { readonly kind: "insert"; readonly at: number; readonly text: string }
  | { readonly kind: "delete"; readonly at: number; readonly length: number }
  | { readonly kind: "replace"; readonly at: number; readonly length: number; readonly text: string }
  | { readonly kind: "duplicate"; readonly tag: string; readonly nth: number }
  | { readonly kind: "huge"; readonly at: number; readonly unit: string; readonly count: number }
  | { readonly kind: "deep"; readonly at: number; readonly depth: number }
  | { readonly kind: "entities" }
  | { readonly kind: "number"; readonly nth: number; readonly value: string };

const AT = fc.nat({ max: 1_000_000 });
const SNIPPET = fc.oneof(
  fc.string({ maxLength: 12, unit: "binary" }),
  HOSTILE_TEXT,
  fc.constantFrom("<", ">", "</", "/>", "<!--", "-->", "<![CDATA[", "]]>", "<?x?>", "<!DOCTYPE x>", "\0", "\uffff", "\ud800", '"', "'", "="),
);
const MUTATION: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("insert" as const), at: AT, text: SNIPPET }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("delete" as const), at: AT, length: fc.nat({ max: 300 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("replace" as const), at: AT, length: fc.nat({ max: 40 }), text: SNIPPET }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("duplicate" as const), tag: fc.constantFrom("Item", "Disk", "File", "rasd:Address", "rasd:VirtualQuantity", "Name", "VirtualSystem", "rasd:Connection", "rasd:HostResource"), nth: fc.nat({ max: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("huge" as const), at: AT, unit: fc.constantFrom("x", " ", "&amp;", "<a/>", "<a>", "a=\"1\" "), count: fc.integer({ min: 1000, max: 120_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("deep" as const), at: AT, depth: fc.integer({ min: 30, max: 20_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("entities" as const) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("number" as const), nth: fc.nat({ max: 40 }), value: fc.constantFrom("0", "-1", "1e309", "NaN", "99999999999999999999", "4097", "1.5", "", "3", "17") }) },
);

/** Index of the start of the `nth` (wrapping) element `<tag ...>...</tag>` or `<tag .../>`, with its end. */
function findElement(xml: string, tag: string, nth: number): [number, number] | undefined {
  const starts: number[] = [];
  for (let i = xml.indexOf(`<${tag}`); i !== -1; i = xml.indexOf(`<${tag}`, i + 1)) {
    if (/[\s>/]/.test(xml[i + tag.length + 1] ?? "")) starts.push(i);
  }
  if (starts.length === 0) return undefined;
  const start = starts[nth % starts.length]!;
  const gt = xml.indexOf(">", start);
  if (gt === -1) return undefined;
  if (xml[gt - 1] === "/") return [start, gt + 1];
  const close = xml.indexOf(`</${tag}>`, gt);
  return close === -1 ? undefined : [start, close + tag.length + 3];
}

function applyMutation(xml: string, m: Mutation): string {
  const at = (n: number): number => (xml.length === 0 ? 0 : n % (xml.length + 1));
  switch (m.kind) {
    case "insert": return xml.slice(0, at(m.at)) + m.text + xml.slice(at(m.at));
    case "delete": return xml.slice(0, at(m.at)) + xml.slice(at(m.at) + m.length);
    case "replace": return xml.slice(0, at(m.at)) + m.text + xml.slice(at(m.at) + m.length);
    case "duplicate": {
      const span = findElement(xml, m.tag, m.nth);
      return span ? xml.slice(0, span[1]) + xml.slice(span[0], span[1]) + xml.slice(span[1]) : xml;
    }
    case "huge": return xml.slice(0, at(m.at)) + m.unit.repeat(m.count) + xml.slice(at(m.at));
    case "deep": return xml.slice(0, at(m.at)) + "<a>".repeat(m.depth) + "</a>".repeat(m.depth) + xml.slice(at(m.at));
    case "entities": {
      const dtd = '<!DOCTYPE Envelope [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>';
      return xml.replace(/^(<\?xml[^>]*\?>)?/, (decl) => `${decl}${dtd}`).replace("<Name>", "<Name>&c;");
    }
    case "number": {
      let n = 0;
      return xml.replace(/\d+/g, (digits) => (n++ === m.nth ? m.value : digits));
    }
  }
}

const MUTATED = fc.tuple(fc.constantFrom(...FIXTURES), fc.array(MUTATION, { minLength: 1, maxLength: 3 }))
  .map(([xml, ms]) => ms.reduce(applyMutation, xml));

// ---- properties ---------------------------------------------------------------------------

describe("parseOvf fuzzing: a valid ParsedOvf or a one-line BAD_INPUT, in bounded time and memory", () => {
  beforeEach(() => { tally = new Tally(); });
  afterEach((ctx) => { process.stderr.write(`fuzz ${tally.summary(ctx.task.name)}\n`); });

  test("the valid fixtures parse (the mutations start from accepted documents)", async () => {
    for (const xml of FIXTURES) {
      const { result } = await expectBounded(() => parseOvf(xml, "fuzz.ovf"));
      if (!result) throw new Error("a fixture was refused");
    }
  });

  test("arbitrary strings", async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(fc.string({ unit: "binary", maxLength: 2000 }), fc.string({ unit: fc.constantFrom("<", ">", "/", "!", "?", "-", "[", "]", "&", ";", "\"", "=", "a", " ", "\n"), maxLength: 500 })), checkParse), fuzzParameters());
  });

  test("arbitrary XML-ish trees", async () => {
    await fc.assert(fc.asyncProperty(XML_TREES, checkParse), fuzzParameters());
  });

  test("OVFs assembled from hostile parts (duplicate and dangling ids, odd values)", async () => {
    await fc.assert(fc.asyncProperty(ASSEMBLED, checkParse), fuzzParameters());
  });

  test("mutations of the valid fixtures (edits, duplicated elements, huge values, deep nesting, entities)", async () => {
    await fc.assert(fc.asyncProperty(MUTATED, checkParse), fuzzParameters());
  });
});
