// Pure parse of an OVF descriptor (VMware OVF 1.0, also OVF 2.0 StorageItem/EthernetPortItem) into
// the parts of a Source it can state; disk files are left as hrefs for the OVA module to find.
// The OVF is untrusted: its shape is bounded before the XML library sees it, and every value that
// reaches a renderer or the host is checked here, when it is parsed (see pipeline/untrusted.ts).
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { OVF_LIMITS, checkXmlShape } from "./xml-shape.js";
import { badInput, V2vError } from "../model/errors.js";
import type { CpuTopology, SourceController, SourceNic } from "../model/types.js";
import {
  MEMORY_MAX_BYTES, MEMORY_MIN_BYTES, VCPUS_MAX, escapeForTerminal, networkNameProblem, normalizeMac, quoteForMessage,
} from "../model/untrusted.js";

/** One disk of the OVF, in document order, before its file is located. */
export interface OvfDisk {
  /** `ovf:diskId` (or the File id for old `ovf:/file/ID` references), for messages. */
  readonly diskId: string;
  /** `References/File/@ovf:href`, as written (relative to the OVF). */
  readonly href: string;
  readonly compression: "none" | "gzip";
  readonly controller?: SourceController;
  /** From `ovf:capacity` x `ovf:capacityAllocationUnits`, when stated (1 byte .. 1 PiB). */
  readonly virtualSizeBytes?: number;
}

export interface ParsedOvf {
  /**
   * `VirtualSystem/Name` as written (at most 4096 characters, otherwise not checked: -on may
   * replace it, so the caller checks the final name); undefined when absent.
   */
  readonly name?: string;
  /** 1 GiB when the OVF has no memory item; otherwise within MEMORY_MIN_BYTES..MEMORY_MAX_BYTES. */
  readonly memoryBytes: number;
  /** 1 when the OVF has no CPU item; otherwise 1..VCPUS_MAX. */
  readonly vcpus: number;
  readonly cpuTopology?: CpuTopology;
  /** From `vmw:Config key="firmware"`: efi -> uefi; bios or absent -> bios. */
  readonly firmware: "bios" | "uefi";
  /**
   * From `vmw:Config` or `vmw:ExtraConfig` key="uefi.secureBoot.enabled" (true/false in any case),
   * with firmware uefi only; undefined when the OVF does not say. Other values are refused.
   */
  readonly secureBoot?: boolean;
  /** At most OVF_LIMITS.disks; ids, files and hrefs all distinct. */
  readonly disks: readonly OvfDisk[];
  /** At most OVF_LIMITS.nics; MACs normalised, network names checked by networkNameProblem. */
  readonly nics: readonly SourceNic[];
  /** CD-ROM, DVD and floppy items (ResourceType 14, 15, 16). */
  readonly removableCount: number;
  /** Sentences for ctx.reporter.warning; parsing carried on. */
  readonly warnings: readonly string[];
}

export { OVF_LIMITS, checkXmlShape };

type Node = Record<string, unknown>;

const MiB = 1024 * 1024;
const REPEATABLE = new Set(["Item", "StorageItem", "EthernetPortItem", "Disk", "File", "Config", "ExtraConfig", "VirtualSystem", "VirtualHardwareSection"]);
const FIX = "fix the OVF or export the VM again";

/** CIM ResourceType values we read (DMTF CIM_ResourceAllocationSettingData). */
const RT = { cpu: "3", memory: "4", ide: "5", scsi: "6", nic: "10", floppy: "14", cdrom: "15", dvd: "16", disk: "17", otherStorage: "20" } as const;

/**
 * Multiplier (bytes per unit) of a DMTF programmatic unit such as "byte * 2^20", or the older
 * spellings "KiloBytes"/"MegaBytes"/"GigaBytes"/"MB". Undefined when unrecognised or when the
 * multiplier is not a positive whole number of bytes that JavaScript can count exactly.
 */
export function parseAllocationUnits(units: string): number | undefined {
  const u = units.trim();
  const m = /^byte(?:\s*\*\s*(\d{1,4})\s*\^\s*(\d{1,4}))?$/i.exec(u);
  if (m) {
    const mult = m[1] === undefined ? 1 : Number(m[1]) ** Number(m[2]);
    return Number.isSafeInteger(mult) && mult > 0 ? mult : undefined;
  }
  const named: Record<string, number> = { kilobytes: 1024, kb: 1024, megabytes: MiB, mb: MiB, gigabytes: 1024 * MiB, gb: 1024 * MiB };
  return Object.hasOwn(named, u.toLowerCase()) ? named[u.toLowerCase()] : undefined;
}

/** Digits only (no sign, exponent or fraction), at most 16 of them; else undefined. */
function parseWholeNumber(text: string): number | undefined {
  return /^\d{1,16}$/.test(text) ? Number(text) : undefined;
}

/** Text content of an element parsed with attributes ("#text") or without. */
function textOf(v: unknown): string | undefined {
  if (typeof v === "string") return v.trim() === "" ? undefined : v.trim();
  if (typeof v === "number") return String(v);
  if (v && typeof v === "object" && "#text" in v) return textOf((v as Node)["#text"]);
  return undefined;
}

const attrOf = (n: Node, name: string): string | undefined => textOf(n[`@_${name}`]);
const nodes = (v: unknown): Node[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is Node => !!x && typeof x === "object");
const firstNode = (v: unknown): Node | undefined => nodes(v)[0];

/** What the messages of one parse share: the file name (escaped) and the warnings so far. */
interface ParseContext {
  readonly file: string;
  readonly warnings: string[];
}

/** The text of a child that must appear at most once; `where` names the element in the refusal. */
function singleText(node: Node, key: string, where: string, ctx: ParseContext): string | undefined {
  const v = node[key];
  if (Array.isArray(v)) throw badInput(`${ctx.file}: ${where} appears ${v.length} times; it must appear once: ${FIX}`);
  return textOf(v);
}

function parseXml(xml: string, ovfName: string): Node {
  checkXmlShape(xml, ovfName);
  const file = escapeForTerminal(ovfName);
  try {
    const valid = XMLValidator.validate(xml);
    if (valid !== true) {
      throw badInput(`${file}: the OVF is not well-formed XML (line ${valid.err.line}: ${escapeForTerminal(valid.err.msg.slice(0, 200))}); the OVA may be corrupt, download it again`);
    }
    const parser = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: "@_",
      // Prefixes differ between exporters (ovf:, rasd:, vmw:, or a default namespace); names do not.
      removeNSPrefix: true,
      parseTagValue: false,
      parseAttributeValue: false,
      // Decodes character references (&#10;) as XML says; without it they stay as written.
      htmlEntities: true,
      isArray: (tagName) => REPEATABLE.has(tagName),
    });
    return parser.parse(xml) as Node;
  } catch (e) {
    if (e instanceof V2vError) throw e;
    const why = escapeForTerminal((e instanceof Error ? e.message : String(e)).slice(0, 200));
    throw badInput(`${file}: the OVF could not be parsed as XML (${why}); the OVA may be corrupt, download it again`, e);
  }
}

export function parseOvf(xml: string, ovfName: string): ParsedOvf {
  const ctx: ParseContext = { file: escapeForTerminal(ovfName), warnings: [] };
  const envelope = firstNode(parseXml(xml, ovfName)["Envelope"]);
  if (!envelope) throw badInput(`${ctx.file}: no <Envelope> element; this is not an OVF descriptor`);
  if (envelope["VirtualSystemCollection"] !== undefined) {
    throw badInput(`${ctx.file}: the OVF describes several virtual machines (VirtualSystemCollection); export each VM as its own OVA`);
  }
  const vs = firstNode(envelope["VirtualSystem"]);
  if (!vs) throw badInput(`${ctx.file}: no <VirtualSystem> element; the OVF describes no virtual machine`);
  const hw = firstNode(vs["VirtualHardwareSection"]);
  if (!hw) throw badInput(`${ctx.file}: no <VirtualHardwareSection>; the OVF describes no virtual hardware`);

  // OVF 2.0 puts disks and NICs in StorageItem/EthernetPortItem; their children read the same.
  const items = [...nodes(hw["Item"]), ...nodes(hw["StorageItem"]), ...nodes(hw["EthernetPortItem"])];
  const typeOf = (it: Node): string | undefined => textOf(it["ResourceType"]);
  const ofType = (t: string): Node[] => items.filter((it) => typeOf(it) === t);

  const diskItems = ofType(RT.disk);
  const nicItems = ofType(RT.nic);
  if (diskItems.length > OVF_LIMITS.disks) throw badInput(`${ctx.file}: the OVF has ${diskItems.length} disk items; at most ${OVF_LIMITS.disks} are supported: ${FIX}`);
  if (nicItems.length > OVF_LIMITS.nics) throw badInput(`${ctx.file}: the OVF has ${nicItems.length} network adapters; at most ${OVF_LIMITS.nics} are supported: ${FIX}`);

  const memoryBytes = readMemory(ofType(RT.memory)[0], ctx);
  const { vcpus, cpuTopology } = readCpu(ofType(RT.cpu)[0], ctx);
  const byInstance = new Map(items.map((it) => [textOf(it["InstanceID"]) ?? "", it] as const));
  const disks = readDisks(diskItems, envelope, byInstance, ctx);
  const nics = nicItems.map((it, i) => readNic(it, i, ctx));
  const removable = new Set<string>([RT.floppy, RT.cdrom, RT.dvd]);
  const removableCount = items.filter((it) => removable.has(typeOf(it) ?? "")).length;

  const name = singleText(vs, "Name", "VirtualSystem/Name", ctx);
  if (name !== undefined && name.length > OVF_LIMITS.nameChars) {
    throw badInput(`${ctx.file}: VirtualSystem/Name is longer than ${OVF_LIMITS.nameChars} characters; shorten it in the OVF`);
  }
  const firmware = readFirmware(hw, ctx);
  const secureBoot = readSecureBoot(hw, firmware, ctx);
  return {
    ...(name !== undefined ? { name } : {}),
    memoryBytes,
    vcpus,
    ...(cpuTopology ? { cpuTopology } : {}),
    firmware,
    ...(secureBoot !== undefined ? { secureBoot } : {}),
    disks,
    nics,
    removableCount,
    warnings: ctx.warnings,
  };
}

function readMemory(item: Node | undefined, ctx: ParseContext): number {
  if (!item) return 1024 * MiB; // OVF without a memory item: 1 GiB, as virt-v2v
  const text = singleText(item, "VirtualQuantity", "the memory VirtualQuantity", ctx);
  const quantity = text === undefined ? undefined : parseWholeNumber(text);
  if (quantity === undefined || quantity === 0) {
    throw badInput(`${ctx.file}: the memory item's VirtualQuantity ${text === undefined ? "is missing" : `${quoteForMessage(text)} is not a positive whole number`}; ${FIX}`);
  }
  const units = singleText(item, "AllocationUnits", "the memory AllocationUnits", ctx);
  const multiplier = units === undefined ? MiB : parseAllocationUnits(units);
  if (multiplier === undefined) {
    throw badInput(`${ctx.file}: the memory item's AllocationUnits ${quoteForMessage(units ?? "")} is not a unit v2v understands (use "byte * 2^20"); ${FIX}`);
  }
  const bytes = quantity * multiplier;
  if (!(bytes >= MEMORY_MIN_BYTES && bytes <= MEMORY_MAX_BYTES)) {
    throw badInput(`${ctx.file}: the memory item asks for ${quantity} x ${multiplier} bytes, outside 1 MiB .. 16 TiB; ${FIX}`);
  }
  return bytes;
}

function readCpu(item: Node | undefined, ctx: ParseContext): { vcpus: number; cpuTopology?: CpuTopology } {
  if (!item) return { vcpus: 1 };
  const text = singleText(item, "VirtualQuantity", "the CPU VirtualQuantity", ctx);
  const vcpus = text === undefined ? undefined : parseWholeNumber(text);
  if (vcpus === undefined || vcpus < 1 || vcpus > VCPUS_MAX) {
    throw badInput(`${ctx.file}: the CPU item's VirtualQuantity ${text === undefined ? "is missing" : quoteForMessage(text)}; it must be a whole number of vCPUs from 1 to ${VCPUS_MAX}: ${FIX}`);
  }
  const cpsText = textOf(item["CoresPerSocket"]);
  if (cpsText === undefined) return { vcpus };
  const cps = parseWholeNumber(cpsText);
  if (cps === undefined || cps <= 0 || vcpus % cps !== 0) {
    ctx.warnings.push(`CoresPerSocket ${quoteForMessage(cpsText)} in the OVF does not divide ${vcpus} vCPUs; the CPU topology is ignored`);
    return { vcpus };
  }
  return { vcpus, cpuTopology: { sockets: vcpus / cps, coresPerSocket: cps, threadsPerCore: 1 } };
}

function readFirmware(hw: Node, ctx: ParseContext): "bios" | "uefi" {
  const cfg = nodes(hw["Config"]).find((c) => attrOf(c, "key") === "firmware");
  const value = cfg ? attrOf(cfg, "value")?.toLowerCase() : undefined;
  if (value === undefined || value === "bios") return "bios";
  if (value === "efi") return "uefi";
  throw badInput(`${ctx.file}: unknown firmware ${quoteForMessage(value)} in vmw:Config key="firmware"; expected "bios" or "efi"`);
}

/** VMware's key for Secure Boot; its .vmx keys are case-insensitive, so the match is too. */
const SECURE_BOOT_KEY = "uefi.secureboot.enabled";

/**
 * Secure Boot from `vmw:Config` / `vmw:ExtraConfig` (exporters write either). Every entry must say
 * true or false, and all the same; anything else is refused rather than guessed. With BIOS firmware
 * the key means nothing (VMware offers Secure Boot only with EFI): it is dropped with a warning.
 */
function readSecureBoot(hw: Node, firmware: "bios" | "uefi", ctx: ParseContext): boolean | undefined {
  const entries = [...nodes(hw["Config"]), ...nodes(hw["ExtraConfig"])].filter((c) => attrOf(c, "key")?.toLowerCase() === SECURE_BOOT_KEY);
  if (entries.length === 0) return undefined;
  const values = new Set(entries.map((c) => {
    const value = attrOf(c, "value");
    const lower = value?.toLowerCase();
    if (lower === "true" || lower === "false") return lower === "true";
    throw badInput(`${ctx.file}: vmw:key="uefi.secureBoot.enabled" has value ${value === undefined ? "(none)" : quoteForMessage(value)}; expected "true" or "false": ${FIX}`);
  }));
  if (values.size > 1) throw badInput(`${ctx.file}: uefi.secureBoot.enabled is given both true and false; ${FIX}`);
  const enabled = values.has(true);
  if (firmware !== "uefi") {
    if (enabled) ctx.warnings.push("uefi.secureBoot.enabled is true but the firmware is BIOS; Secure Boot is ignored");
    return undefined;
  }
  return enabled;
}

function controllerOf(item: Node, byInstance: Map<string, Node>, ctx: ParseContext): SourceController | undefined {
  const parent = textOf(item["Parent"]);
  if (parent === undefined) return undefined;
  const ctrl = byInstance.get(parent);
  const type = ctrl ? textOf(ctrl["ResourceType"]) : undefined;
  if (type === RT.ide) return "ide";
  if (type === RT.scsi) return "scsi";
  if (type === RT.otherStorage) {
    // VMware marks both SATA (vmware.sata.ahci) and NVMe (vmware.nvme.controller) as type 20.
    return /nvme/i.test(textOf(ctrl?.["ResourceSubType"]) ?? "") ? "nvme" : "sata";
  }
  const elementName = textOf(item["ElementName"]);
  const name = elementName !== undefined ? quoteForMessage(elementName) : `InstanceID ${quoteForMessage(textOf(item["InstanceID"]) ?? "?")}`;
  ctx.warnings.push(`${name}: its controller (Parent ${quoteForMessage(parent)}) is ${ctrl ? `of unknown ResourceType ${quoteForMessage(type ?? "(none)")}` : "not in the OVF"}; no source controller recorded`);
  return undefined;
}

/** Map id -> element, refusing an id used twice (`what` names the element in the sentence). */
function indexById(list: readonly Node[], idAttr: string, what: string, ctx: ParseContext): Map<string, Node> {
  const byId = new Map<string, Node>();
  for (const n of list) {
    const id = attrOf(n, idAttr);
    if (id === undefined) continue;
    if (byId.has(id)) throw badInput(`${ctx.file}: two ${what} have ovf:${idAttr} ${quoteForMessage(id)}; ids must be unique: ${FIX}`);
    byId.set(id, n);
  }
  return byId;
}

function readDisks(diskItems: readonly Node[], envelope: Node, byInstance: Map<string, Node>, ctx: ParseContext): OvfDisk[] {
  const files = indexById(nodes(firstNode(envelope["References"])?.["File"]), "id", "<File> elements in <References>", ctx);
  const diskList = nodes(firstNode(envelope["DiskSection"])?.["Disk"]);
  if (diskList.length > OVF_LIMITS.disks) throw badInput(`${ctx.file}: the DiskSection lists ${diskList.length} disks; at most ${OVF_LIMITS.disks} are supported: ${FIX}`);
  const disks = indexById(diskList, "diskId", "<Disk> elements in the DiskSection", ctx);
  const fileOwner = new Map<string, string>();
  for (const [id, d] of disks) {
    const ref = attrOf(d, "fileRef");
    if (ref === undefined) continue;
    const other = fileOwner.get(ref);
    if (other !== undefined) {
      throw badInput(`${ctx.file}: disks ${quoteForMessage(other)} and ${quoteForMessage(id)} both use file ${quoteForMessage(ref)} (ovf:fileRef); each disk needs its own file: ${FIX}`);
    }
    fileOwner.set(ref, id);
  }
  const usedHosts = new Set<string>();
  const usedFiles = new Set<string>();
  const usedHrefs = new Set<string>();
  const out: OvfDisk[] = [];
  for (const item of diskItems) {
    const host = singleText(item, "HostResource", "the disk HostResource", ctx) ?? "";
    const m = /^(?:ovf:)?\/(disk|file)\/(.+)$/.exec(host);
    if (!m) throw badInput(`${ctx.file}: a disk item has HostResource ${quoteForMessage(host)}, expected "ovf:/disk/ID"; the OVF is not supported`);
    const [, kind, id] = m as unknown as [string, string, string];
    const key = `${kind}/${id}`;
    if (usedHosts.has(key)) throw badInput(`${ctx.file}: ${kind} ${quoteForMessage(id)} is attached by two disk items (HostResource ${quoteForMessage(host)}); each disk can be attached once: ${FIX}`);
    usedHosts.add(key);
    const disk = readDisk(kind, id, host, files, disks, ctx);
    if (!disk) continue;
    const fileId = disk.fileId;
    if (usedFiles.has(fileId)) throw badInput(`${ctx.file}: file ${quoteForMessage(fileId)} is used by two disk items; each disk needs its own file: ${FIX}`);
    usedFiles.add(fileId);
    if (usedHrefs.has(disk.href)) throw badInput(`${ctx.file}: two disks use the same file ${quoteForMessage(disk.href)} (ovf:href); each disk needs its own file: ${FIX}`);
    usedHrefs.add(disk.href);
    const controller = controllerOf(item, byInstance, ctx);
    out.push({
      diskId: id,
      href: disk.href,
      compression: disk.compression,
      ...(controller ? { controller } : {}),
      ...(disk.virtualSizeBytes !== undefined ? { virtualSizeBytes: disk.virtualSizeBytes } : {}),
    });
  }
  return out;
}

/** One disk item resolved to its file; undefined for an empty disk (no fileRef), which is skipped with a warning. */
function readDisk(
  kind: string, id: string, host: string, files: Map<string, Node>, disks: Map<string, Node>, ctx: ParseContext,
): { fileId: string; href: string; compression: "none" | "gzip"; virtualSizeBytes?: number } | undefined {
  let fileId = id;
  let virtualSizeBytes: number | undefined;
  if (kind === "disk") {
    const disk = disks.get(id);
    if (!disk) throw badInput(`${ctx.file}: HostResource ${quoteForMessage(host)} names disk ${quoteForMessage(id)}, which is not in the DiskSection; the OVF is inconsistent`);
    const ref = attrOf(disk, "fileRef");
    if (ref === undefined) {
      ctx.warnings.push(`disk ${quoteForMessage(id)} in the OVF has no file (an empty disk to be created); it is skipped`);
      return undefined;
    }
    fileId = ref;
    virtualSizeBytes = readCapacity(disk, id, ctx);
  }
  const file = files.get(fileId);
  const href = file ? attrOf(file, "href") : undefined;
  if (!file || href === undefined) throw badInput(`${ctx.file}: disk ${quoteForMessage(id)} refers to file ${quoteForMessage(fileId)}, which is not in <References>; the OVF is inconsistent`);
  if (attrOf(file, "chunkSize") !== undefined) {
    throw badInput(`${ctx.file}: file ${quoteForMessage(href)} is split into chunks (ovf:chunkSize), which is not supported; concatenate the chunks and edit the OVF`);
  }
  const comp = attrOf(file, "compression") ?? "identity";
  if (comp !== "identity" && comp !== "gzip") {
    throw badInput(`${ctx.file}: file ${quoteForMessage(href)} uses compression ${quoteForMessage(comp)}; only gzip is supported, decompress it and edit the OVF`);
  }
  return { fileId, href, compression: comp === "gzip" ? "gzip" : "none", ...(virtualSizeBytes !== undefined ? { virtualSizeBytes } : {}) };
}

/** `ovf:capacity` x `ovf:capacityAllocationUnits` (default bytes), or undefined when not stated. */
function readCapacity(disk: Node, id: string, ctx: ParseContext): number | undefined {
  const text = attrOf(disk, "capacity");
  if (text === undefined) return undefined;
  const units = attrOf(disk, "capacityAllocationUnits");
  const capacity = parseWholeNumber(text);
  const mult = units === undefined ? 1 : parseAllocationUnits(units); // OVF default unit: bytes
  if (capacity === undefined || capacity === 0) {
    throw badInput(`${ctx.file}: disk ${quoteForMessage(id)} has ovf:capacity ${quoteForMessage(text)}, not a positive whole number; ${FIX}`);
  }
  if (mult === undefined) {
    throw badInput(`${ctx.file}: disk ${quoteForMessage(id)} has ovf:capacityAllocationUnits ${quoteForMessage(units ?? "")}, not a unit v2v understands (use "byte * 2^30"); ${FIX}`);
  }
  const bytes = capacity * mult;
  if (!Number.isSafeInteger(bytes) || bytes > OVF_LIMITS.capacityBytes) {
    throw badInput(`${ctx.file}: disk ${quoteForMessage(id)} states a capacity of ${capacity} x ${mult} bytes, more than 1 PiB; ${FIX}`);
  }
  return bytes;
}

function readNic(item: Node, index: number, ctx: ParseContext): SourceNic {
  const which = `network adapter ${index + 1}`;
  const connection = singleText(item, "Connection", `the Connection of ${which}`, ctx);
  if (connection !== undefined) {
    const problem = networkNameProblem(connection);
    if (problem !== undefined) throw badInput(`${ctx.file}: ${which} (rasd:Connection): ${problem}; ${FIX}`);
  }
  const address = singleText(item, "Address", `the Address of ${which}`, ctx);
  const mac = address === undefined ? undefined : normalizeMac(address);
  if (address !== undefined && mac === undefined) {
    throw badInput(`${ctx.file}: ${which} has rasd:Address ${quoteForMessage(address)}, which is not a MAC address (six hex pairs such as 00:50:56:ab:cd:ef); ${FIX}`);
  }
  const model = textOf(item["ResourceSubType"])?.toLowerCase();
  return {
    // As virt-v2v: a named Connection is a bridge (a vSphere port group); without one, "ethN".
    networkName: connection ?? `eth${index}`,
    vnetType: connection === undefined ? "network" : "bridge",
    ...(mac ? { mac } : {}),
    ...(model ? { sourceModel: model } : {}),
  };
}
