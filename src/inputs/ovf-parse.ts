// Pure parse of an OVF descriptor (VMware OVF 1.0, also OVF 2.0 StorageItem/EthernetPortItem) into
// the parts of a Source it can state; disk files are left as hrefs for the OVA module to find.
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { badInput } from "../pipeline/errors.js";
import type { CpuTopology, SourceController, SourceNic } from "../pipeline/types.js";

/** One disk of the OVF, in document order, before its file is located. */
export interface OvfDisk {
  /** `ovf:diskId` (or the File id for old `ovf:/file/ID` references), for messages. */
  readonly diskId: string;
  /** `References/File/@ovf:href`, as written (relative to the OVF). */
  readonly href: string;
  readonly compression: "none" | "gzip";
  readonly controller?: SourceController;
  /** From `ovf:capacity` x `ovf:capacityAllocationUnits`, when stated as a number. */
  readonly virtualSizeBytes?: number;
}

export interface ParsedOvf {
  /** `VirtualSystem/Name`; undefined when absent (the caller then uses the file name). */
  readonly name?: string;
  readonly memoryBytes: number;
  readonly vcpus: number;
  readonly cpuTopology?: CpuTopology;
  /** From `vmw:Config key="firmware"`: efi -> uefi; bios or absent -> bios. */
  readonly firmware: "bios" | "uefi";
  readonly disks: readonly OvfDisk[];
  readonly nics: readonly SourceNic[];
  /** CD-ROM, DVD and floppy items (ResourceType 14, 15, 16). */
  readonly removableCount: number;
  /** Sentences for ctx.reporter.warning; parsing carried on. */
  readonly warnings: readonly string[];
}

type Node = Record<string, unknown>;

const MiB = 1024 * 1024;
const REPEATABLE = new Set(["Item", "StorageItem", "EthernetPortItem", "Disk", "File", "Config", "VirtualSystem", "VirtualHardwareSection"]);

/** CIM ResourceType values we read (DMTF CIM_ResourceAllocationSettingData). */
const RT = { cpu: "3", memory: "4", ide: "5", scsi: "6", nic: "10", floppy: "14", cdrom: "15", dvd: "16", disk: "17", otherStorage: "20" } as const;

/**
 * Multiplier (bytes per unit) of a DMTF programmatic unit such as "byte * 2^20", or the older
 * spellings "KiloBytes"/"MegaBytes"/"GigaBytes"/"MB". Undefined when unrecognised.
 */
export function parseAllocationUnits(units: string): number | undefined {
  const u = units.trim();
  const m = /^byte(?:\s*\*\s*(\d+)\s*\^\s*(\d+))?$/i.exec(u);
  if (m) return m[1] === undefined ? 1 : Number(m[1]) ** Number(m[2]);
  const named: Record<string, number> = { kilobytes: 1024, kb: 1024, megabytes: MiB, mb: MiB, gigabytes: 1024 * MiB, gb: 1024 * MiB };
  return named[u.toLowerCase()];
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

function parseXml(xml: string, ovfName: string): Node {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw badInput(`${ovfName}: the OVF is not well-formed XML (line ${valid.err.line}: ${valid.err.msg}); the OVA may be corrupt, download it again`);
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@_",
    // Prefixes differ between exporters (ovf:, rasd:, vmw:, or a default namespace); names do not.
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    isArray: (tagName) => REPEATABLE.has(tagName),
  });
  return parser.parse(xml) as Node;
}

export function parseOvf(xml: string, ovfName: string): ParsedOvf {
  const warnings: string[] = [];
  const envelope = firstNode(parseXml(xml, ovfName)["Envelope"]);
  if (!envelope) throw badInput(`${ovfName}: no <Envelope> element; this is not an OVF descriptor`);
  if (envelope["VirtualSystemCollection"] !== undefined) {
    throw badInput(`${ovfName}: the OVF describes several virtual machines (VirtualSystemCollection); export each VM as its own OVA`);
  }
  const vs = firstNode(envelope["VirtualSystem"]);
  if (!vs) throw badInput(`${ovfName}: no <VirtualSystem> element; the OVF describes no virtual machine`);
  const hw = firstNode(vs["VirtualHardwareSection"]);
  if (!hw) throw badInput(`${ovfName}: no <VirtualHardwareSection>; the OVF describes no virtual hardware`);

  // OVF 2.0 puts disks and NICs in StorageItem/EthernetPortItem; their children read the same.
  const items = [...nodes(hw["Item"]), ...nodes(hw["StorageItem"]), ...nodes(hw["EthernetPortItem"])];
  const typeOf = (it: Node): string | undefined => textOf(it["ResourceType"]);
  const ofType = (t: string): Node[] => items.filter((it) => typeOf(it) === t);

  const memoryBytes = readMemory(ofType(RT.memory)[0], warnings);
  const { vcpus, cpuTopology } = readCpu(ofType(RT.cpu)[0], warnings);
  const byInstance = new Map(items.map((it) => [textOf(it["InstanceID"]) ?? "", it] as const));
  const disks = ofType(RT.disk).flatMap((it) => readDisk(it, envelope, byInstance, ovfName, warnings));
  const nics = ofType(RT.nic).map((it, i) => readNic(it, i));
  const removable = new Set<string>([RT.floppy, RT.cdrom, RT.dvd]);
  const removableCount = items.filter((it) => removable.has(typeOf(it) ?? "")).length;

  return {
    name: textOf(vs["Name"]),
    memoryBytes,
    vcpus,
    ...(cpuTopology ? { cpuTopology } : {}),
    firmware: readFirmware(hw, ovfName),
    disks,
    nics,
    removableCount,
    warnings,
  };
}

function readMemory(item: Node | undefined, warnings: string[]): number {
  const quantity = Number(textOf(item?.["VirtualQuantity"]));
  if (!item || !(quantity > 0)) return 1024 * MiB; // OVF without a memory item: 1 GiB, as virt-v2v
  const units = textOf(item["AllocationUnits"]);
  let multiplier = units === undefined ? MiB : parseAllocationUnits(units);
  if (multiplier === undefined) {
    warnings.push(`memory AllocationUnits "${units}" in the OVF is not understood; taking ${quantity} as MiB`);
    multiplier = MiB;
  }
  return quantity * multiplier;
}

function readCpu(item: Node | undefined, warnings: string[]): { vcpus: number; cpuTopology?: CpuTopology } {
  const q = Number(textOf(item?.["VirtualQuantity"]));
  const vcpus = Number.isInteger(q) && q > 0 ? q : 1;
  const cpsText = textOf(item?.["CoresPerSocket"]);
  if (cpsText === undefined) return { vcpus };
  const cps = Number(cpsText);
  if (!Number.isInteger(cps) || cps <= 0 || vcpus % cps !== 0) {
    warnings.push(`CoresPerSocket ${cpsText} in the OVF does not divide ${vcpus} vCPUs; the CPU topology is ignored`);
    return { vcpus };
  }
  return { vcpus, cpuTopology: { sockets: vcpus / cps, coresPerSocket: cps, threadsPerCore: 1 } };
}

function readFirmware(hw: Node, ovfName: string): "bios" | "uefi" {
  const cfg = nodes(hw["Config"]).find((c) => attrOf(c, "key") === "firmware");
  const value = cfg ? attrOf(cfg, "value")?.toLowerCase() : undefined;
  if (value === undefined || value === "bios") return "bios";
  if (value === "efi") return "uefi";
  throw badInput(`${ovfName}: unknown firmware "${value}" in vmw:Config key="firmware"; expected "bios" or "efi"`);
}

function controllerOf(item: Node, byInstance: Map<string, Node>, warnings: string[]): SourceController | undefined {
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
  const name = textOf(item["ElementName"]) ?? `InstanceID ${textOf(item["InstanceID"]) ?? "?"}`;
  warnings.push(`${name}: its controller (Parent ${parent}) is ${ctrl ? `of unknown ResourceType ${type ?? "(none)"}` : "not in the OVF"}; no source controller recorded`);
  return undefined;
}

function readDisk(item: Node, envelope: Node, byInstance: Map<string, Node>, ovfName: string, warnings: string[]): OvfDisk[] {
  const host = textOf(item["HostResource"]) ?? "";
  const files = nodes(firstNode(envelope["References"])?.["File"]);
  const m = /^(?:ovf:)?\/(disk|file)\/(.+)$/.exec(host);
  if (!m) throw badInput(`${ovfName}: disk item has HostResource "${host}", expected "ovf:/disk/ID"; the OVF is not supported`);
  const [, kind, id] = m as unknown as [string, string, string];
  let fileRef = id;
  let virtualSizeBytes: number | undefined;
  if (kind === "disk") {
    const disk = nodes(firstNode(envelope["DiskSection"])?.["Disk"]).find((d) => attrOf(d, "diskId") === id);
    if (!disk) throw badInput(`${ovfName}: HostResource "${host}" names disk "${id}", which is not in the DiskSection; the OVF is inconsistent`);
    const ref = attrOf(disk, "fileRef");
    if (ref === undefined) {
      warnings.push(`disk "${id}" in the OVF has no file (an empty disk to be created); it is skipped`);
      return [];
    }
    fileRef = ref;
    virtualSizeBytes = readCapacity(disk);
  }
  const file = files.find((f) => attrOf(f, "id") === fileRef);
  const href = file ? attrOf(file, "href") : undefined;
  if (!file || href === undefined) throw badInput(`${ovfName}: disk "${id}" refers to file "${fileRef}", which is not in <References>; the OVF is inconsistent`);
  if (attrOf(file, "chunkSize") !== undefined) {
    throw badInput(`${ovfName}: file "${href}" is split into chunks (ovf:chunkSize), which is not supported; concatenate the chunks and edit the OVF`);
  }
  const comp = attrOf(file, "compression") ?? "identity";
  if (comp !== "identity" && comp !== "gzip") {
    throw badInput(`${ovfName}: file "${href}" uses compression "${comp}"; only gzip is supported, decompress it and edit the OVF`);
  }
  const controller = controllerOf(item, byInstance, warnings);
  return [{
    diskId: id,
    href,
    compression: comp === "gzip" ? "gzip" : "none",
    ...(controller ? { controller } : {}),
    ...(virtualSizeBytes !== undefined ? { virtualSizeBytes } : {}),
  }];
}

function readCapacity(disk: Node): number | undefined {
  const capacity = Number(attrOf(disk, "capacity")); // may be a ${property}: NaN, then unknown
  const units = attrOf(disk, "capacityAllocationUnits");
  const mult = units === undefined ? 1 : parseAllocationUnits(units); // OVF default unit: bytes
  return Number.isFinite(capacity) && capacity > 0 && mult !== undefined ? capacity * mult : undefined;
}

function readNic(item: Node, index: number): SourceNic {
  const connection = textOf(item["Connection"]);
  const mac = textOf(item["Address"])?.toLowerCase();
  const model = textOf(item["ResourceSubType"])?.toLowerCase();
  return {
    // As virt-v2v: a named Connection is a bridge (a vSphere port group); without one, "ethN".
    networkName: connection ?? `eth${index}`,
    vnetType: connection === undefined ? "network" : "bridge",
    ...(mac ? { mac } : {}),
    ...(model ? { sourceModel: model } : {}),
  };
}
