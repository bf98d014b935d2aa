// Checks on the metadata an output wrote: NAME.xml (-o local), NAME.json (-o json), NAME.sh
// (-o qemu), NAME.yaml (-o kubevirt). Parsing and comparing are pure; the validators
// (virt-xml-validate, sh -n) run here too. The readers are the harness's own, not the product's.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { XMLParser } from "fast-xml-parser";
import { parse as parseYaml } from "yaml";
import { runAllowFail } from "../../host/exec.js";
import type { OutputMode, TargetBlockBus, TargetNicModel } from "../../model/types.js";
import { findOutput } from "../../pipeline/registry.js";
import type { CheckResult } from "./guest.js";
import { splitWords } from "./grub-default.js";

export interface MetaExpect {
  readonly firmware: "bios" | "uefi";
  readonly blockBus: TargetBlockBus;
  readonly diskCount: number;
  /** What the source said (OVF) or what -i disk invents; undefined skips the check. */
  readonly memoryMiB?: number;
  readonly vcpus?: number;
  readonly nicModel?: TargetNicModel;
  /** A Windows guest: local-time RTC, Hyper-V enlightenments, and a TPM when `tpm`. */
  readonly windows?: { readonly tpm: boolean };
  /** UEFI Secure Boot with SMM (the source's OVF had it), or neither; undefined skips the check. */
  readonly secureBoot?: boolean;
}

/** Facts read from any of the formats, so one comparison serves all. */
export interface MetaFacts {
  readonly diskBuses: readonly string[];
  readonly diskPaths: readonly string[];
  readonly uefi: boolean;
  readonly memoryMiB?: number;
  readonly vcpus?: number;
  readonly nicModels: readonly string[];
  /** RTC base ("localtime", "utc"); undefined when the format cannot say (KubeVirt). */
  readonly clock?: string;
  /** Hyper-V enlightenments enabled, by libvirt's names (relaxed, vapic, spinlocks ...). */
  readonly hyperv: readonly string[];
  /** An emulated TPM is declared; undefined when the format cannot declare one (-o qemu). */
  readonly tpm?: boolean;
  /** The firmware is asked to enforce Secure Boot (a secure loader, efi.secureBoot, the flag). */
  readonly secureBoot: boolean;
  /** SMM is on; undefined when the format cannot say (-o json). */
  readonly smm?: boolean;
}

/** The enlightenments a Windows guest must get, at least. */
export const REQUIRED_HYPERV = ["relaxed", "vapic", "spinlocks"] as const;

const XML_BUS: Readonly<Record<TargetBlockBus, string>> = { "virtio-blk": "virtio", "virtio-scsi": "scsi", sata: "sata", ide: "ide" };
const XML_NIC: Readonly<Record<TargetNicModel, string>> = { "virtio-net": "virtio", e1000: "e1000", rtl8139: "rtl8139" };
const QEMU_DISK_DEVICE: Readonly<Record<TargetBlockBus, string>> = { "virtio-blk": "virtio-blk-pci", "virtio-scsi": "scsi-hd", sata: "ide-hd", ide: "ide-hd" };
const QEMU_NIC_DEVICE: Readonly<Record<TargetNicModel, string>> = { "virtio-net": "virtio-net-pci", e1000: "e1000", rtl8139: "rtl8139" };

type Node = Record<string, unknown>;
const asNode = (v: unknown): Node => (v && typeof v === "object" ? (v as Node) : {});

/** Pure: the facts of a libvirt domain XML. */
export function readLibvirtXmlFacts(xml: string): MetaFacts {
  const p = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@_", isArray: (n) => n === "disk" || n === "interface" });
  const domain = asNode(asNode(p.parse(xml))["domain"]);
  const devices = asNode(domain["devices"]);
  const disks = ((devices["disk"] as Node[] | undefined) ?? []).filter((d) => d["@_device"] === "disk");
  const mem = asNode(domain["memory"]);
  const unit = String(mem["@_unit"] ?? "KiB");
  const memValue = Number(mem["#text"] ?? domain["memory"]);
  const scale: Record<string, number> = { KiB: 1 / 1024, k: 1 / 1024, MiB: 1, M: 1, GiB: 1024, G: 1024 };
  const smm = asNode(domain["features"])["smm"];
  return {
    diskBuses: disks.map((d) => String(asNode(d["target"])["@_bus"] ?? "")),
    diskPaths: disks.map((d) => String(asNode(d["source"])["@_file"] ?? "")),
    uefi: asNode(domain["os"])["loader"] !== undefined,
    secureBoot: asNode(asNode(domain["os"])["loader"])["@_secure"] === "yes",
    smm: smm !== undefined && asNode(smm)["@_state"] !== "off", // a bare <smm/> is on (libvirt's default state)
    ...(Number.isFinite(memValue) && scale[unit] ? { memoryMiB: memValue * scale[unit]! } : {}),
    vcpus: Number(typeof domain["vcpu"] === "object" ? asNode(domain["vcpu"])["#text"] : domain["vcpu"]),
    nicModels: ((devices["interface"] as Node[] | undefined) ?? []).map((n) => String(asNode(n["model"])["@_type"] ?? "")),
    clock: String(asNode(domain["clock"])["@_offset"] ?? "utc"),
    hyperv: Object.entries(asNode(asNode(domain["features"])["hyperv"]))
      .filter(([k, v]) => !k.startsWith("@_") && asNode(v)["@_state"] === "on")
      .map(([k]) => k),
    tpm: devices["tpm"] !== undefined,
  };
}

/** Pure: the facts of an -o json document, in the same vocabulary as the XML (bus "virtio"). */
export function readJsonMetaFacts(text: string): MetaFacts {
  const j = JSON.parse(text) as {
    disks?: { bus?: string; path?: string }[]; firmware?: string; firmware_flags?: string[]; memory_bytes?: number; vcpus?: number; nics?: { model?: string }[];
    platform?: { clock?: string; hyperv?: string[]; tpm?: boolean };
  };
  const bus = (b: string | undefined): string => XML_BUS[b as TargetBlockBus] ?? String(b);
  const nic = (m: string | undefined): string => XML_NIC[m as TargetNicModel] ?? String(m);
  return {
    diskBuses: (j.disks ?? []).map((d) => bus(d.bus)),
    diskPaths: (j.disks ?? []).map((d) => String(d.path ?? "")),
    uefi: j.firmware === "uefi",
    secureBoot: Array.isArray(j.firmware_flags) && j.firmware_flags.includes("secure_boot_required"),
    ...(typeof j.memory_bytes === "number" ? { memoryMiB: j.memory_bytes / (1024 * 1024) } : {}),
    ...(typeof j.vcpus === "number" ? { vcpus: j.vcpus } : {}),
    nicModels: (j.nics ?? []).map((n) => nic(n.model)),
    ...(j.platform?.clock !== undefined ? { clock: j.platform.clock } : {}),
    hyperv: j.platform?.hyperv ?? [],
    ...(j.platform?.tpm !== undefined ? { tpm: j.platform.tpm } : {}),
  };
}

/** Pure: qemu "a=1,b=x,,y" option text -> {a: "1", b: "x,y"} (a doubled comma is a literal one). */
export function parseQemuOpts(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const parts: string[] = [];
  let cur = "";
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "," && text[i + 1] === ",") { cur += ","; i++; }
    else if (text[i] === ",") { parts.push(cur); cur = ""; }
    else cur += text[i];
  }
  parts.push(cur);
  parts.forEach((p, i) => {
    const eq = p.indexOf("=");
    if (eq > 0) out[p.slice(0, eq)] = p.slice(eq + 1);
    else if (i === 0) out[""] = p; // the driver name of -device
  });
  return out;
}

/** Pure: the facts of an -o qemu script, from the words of its qemu command (sh quoting undone). */
export function readQemuScriptFacts(text: string): MetaFacts {
  const words = text.split("\n").filter((l) => /^\s+-/.test(l)).flatMap((l) => splitWords(l.trim())).filter((w) => w !== "\\");
  const valuesOf = (flag: string): string[] => words.flatMap((w, i) => (w === flag && words[i + 1] !== undefined ? [words[i + 1]!] : []));
  // ide-hd is the device of both: on q35 it sits on the ICH9 AHCI controller (sata), on pc on PIIX IDE.
  const machine = parseQemuOpts(valuesOf("-machine")[0] ?? "");
  const q35 = (machine[""] ?? "").startsWith("q35");
  const busOf: Record<string, string> = {
    [QEMU_DISK_DEVICE["virtio-blk"]]: XML_BUS["virtio-blk"], [QEMU_DISK_DEVICE["virtio-scsi"]]: XML_BUS["virtio-scsi"], "ide-hd": q35 ? XML_BUS.sata : XML_BUS.ide,
  };
  const nicOf = Object.fromEntries(Object.entries(QEMU_NIC_DEVICE).map(([m, d]) => [d, XML_NIC[m as TargetNicModel]]));
  const devices = valuesOf("-device").map((v) => parseQemuOpts(v)[""] ?? "");
  const drives = valuesOf("-drive").map(parseQemuOpts);
  const mem = Number(valuesOf("-m")[0]);
  const smp = Number(parseQemuOpts(valuesOf("-smp")[0] ?? "")[""]);
  return {
    diskBuses: devices.filter((d) => d in busOf).map((d) => busOf[d]!),
    diskPaths: drives.filter((d) => d["if"] === "none" && d["file"]).map((d) => d["file"]!),
    uefi: drives.some((d) => d["if"] === "pflash"),
    secureBoot: valuesOf("-global").map(parseQemuOpts).some((g) => g["driver"] === "cfi.pflash01" && g["property"] === "secure" && g["value"] === "on"),
    smm: machine["smm"] === "on",
    ...(Number.isFinite(mem) && mem > 0 ? { memoryMiB: mem } : {}),
    ...(Number.isFinite(smp) && smp > 0 ? { vcpus: smp } : {}),
    nicModels: devices.filter((d) => d in nicOf).map((d) => nicOf[d]!),
    clock: parseQemuOpts(valuesOf("-rtc")[0] ?? "")["base"] ?? "utc",
    // The enlightenments are in the script's kvm branch: "-cpu host,hv-relaxed,...".
    hyperv: (/-cpu host,(\S+)/.exec(text)?.[1] ?? "").split(",").filter((f) => f.startsWith("hv-")).map((f) => f.slice(3).replace(/=.*$/, "")),
  };
}

const QUANTITY_MiB: Readonly<Record<string, number>> = {
  "": 1 / (1024 * 1024), Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024,
  k: 1000 / (1024 * 1024), M: 1e6 / (1024 * 1024), G: 1e9 / (1024 * 1024), T: 1e12 / (1024 * 1024),
};

/** Pure: a Kubernetes quantity ("2048Mi", "2Gi", "2147483648") in MiB, or undefined. */
export function quantityMiB(q: unknown): number | undefined {
  const m = typeof q === "string" ? /^(\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(q) : undefined;
  return m ? Number(m[1]) * QUANTITY_MiB[m[2] ?? ""]! : undefined;
}

const asList = (v: unknown): Node[] => (Array.isArray(v) ? v.map(asNode) : []);

/** Pure: the facts of an -o kubevirt VirtualMachine (read as Kubernetes does, YAML 1.1); buses are KubeVirt's words. */
export function readKubevirtYamlFacts(text: string): MetaFacts {
  const vm = asNode(parseYaml(text, { version: "1.1" }));
  const spec = asNode(asNode(asNode(vm["spec"])["template"])["spec"]);
  const domain = asNode(spec["domain"]);
  const devices = asNode(domain["devices"]);
  const disks = asList(devices["disks"]).filter((d) => d["disk"] !== undefined);
  const volumes = new Map(asList(spec["volumes"]).map((v) => [String(v["name"]), v]));
  const cpu = domain["cpu"] === undefined ? undefined : asNode(domain["cpu"]);
  const count = (v: unknown): number => (typeof v === "number" ? v : 1);
  const memoryMiB = quantityMiB(asNode(asNode(domain["resources"])["requests"])["memory"]) ?? quantityMiB(asNode(domain["memory"])["guest"]);
  const efi = asNode(asNode(domain["firmware"])["bootloader"])["efi"];
  const smm = asNode(domain["features"])["smm"];
  return {
    diskBuses: disks.map((d) => String(asNode(d["disk"])["bus"] ?? "virtio")), // KubeVirt's default bus
    diskPaths: disks.map((d) => String(asNode(asNode(volumes.get(String(d["name"])))["hostDisk"])["path"] ?? "")),
    uefi: efi !== undefined,
    // KubeVirt's defaults: an efi bootloader has Secure Boot unless told otherwise, a listed feature is enabled.
    secureBoot: efi !== undefined && asNode(efi)["secureBoot"] !== false,
    smm: smm !== undefined && asNode(smm)["enabled"] !== false,
    ...(memoryMiB !== undefined ? { memoryMiB } : {}),
    ...(cpu ? { vcpus: count(cpu["sockets"]) * count(cpu["cores"]) * count(cpu["threads"]) } : {}),
    nicModels: asList(devices["interfaces"]).map((n) => String(n["model"] ?? "virtio")), // KubeVirt's default model
    hyperv: Object.keys(asNode(asNode(domain["features"])["hyperv"])).map((k) => (k === "synictimer" ? "stimer" : k)),
    tpm: devices["tpm"] !== undefined,
  };
}

/** Pure: what KubeVirt requires of the document's frame: apiVersion, kind, a valid name, a volume per disk. */
export function checkKubevirtFrame(text: string): CheckResult {
  const name = "NAME.yaml is a KubeVirt v1 VirtualMachine (name, kind, a volume for each disk)";
  let vm: Node;
  try {
    vm = asNode(parseYaml(text, { version: "1.1" }));
  } catch (e) {
    return { name, ok: false, detail: `not YAML: ${e instanceof Error ? e.message : String(e)}` };
  }
  const problems: string[] = [];
  if (vm["apiVersion"] !== "kubevirt.io/v1") problems.push(`apiVersion is ${JSON.stringify(vm["apiVersion"])}`);
  if (vm["kind"] !== "VirtualMachine") problems.push(`kind is ${JSON.stringify(vm["kind"])}`);
  const vmName = asNode(vm["metadata"])["name"];
  const rfc1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
  if (typeof vmName !== "string" || vmName.length > 253 || !rfc1123.test(vmName)) problems.push(`metadata.name ${JSON.stringify(vmName)} is not an RFC 1123 name`);
  const spec = asNode(asNode(asNode(vm["spec"])["template"])["spec"]);
  const volumes = new Set(asList(spec["volumes"]).map((v) => v["name"]));
  const orphans = asList(asNode(asNode(spec["domain"])["devices"])["disks"]).filter((d) => !volumes.has(d["name"]));
  if (orphans.length > 0) problems.push(`disk(s) without a volume: ${orphans.map((d) => String(d["name"])).join(", ")}`);
  return { name, ok: problems.length === 0, detail: problems.length ? problems.join("; ") : `VirtualMachine ${String(vmName)}` };
}

/** Pure: compare facts with expectations; one CheckResult per property, all of them. */
export function compareMeta(f: MetaFacts, e: MetaExpect, what: string): CheckResult[] {
  const out: CheckResult[] = [];
  const add = (name: string, ok: boolean, detail: string): void => void out.push({ name: `${what}: ${name}`, ok, detail });
  const bus = XML_BUS[e.blockBus];
  add(`${e.diskCount} disk(s), all on ${bus}`, f.diskBuses.length === e.diskCount && f.diskBuses.every((b) => b === bus),
    `disk buses: ${f.diskBuses.join(", ") || "none"}`);
  add(`firmware ${e.firmware}`, f.uefi === (e.firmware === "uefi"), f.uefi ? "a UEFI (pflash) loader is set" : "no UEFI loader (BIOS)");
  if (e.memoryMiB !== undefined) add(`memory ${e.memoryMiB} MiB`, f.memoryMiB === e.memoryMiB, `memory: ${f.memoryMiB ?? "absent"} MiB`);
  if (e.vcpus !== undefined) add(`${e.vcpus} vCPU(s)`, f.vcpus === e.vcpus, `vcpus: ${f.vcpus ?? "absent"}`);
  if (e.nicModel !== undefined) {
    const nic = XML_NIC[e.nicModel];
    add(`NICs are ${nic}`, f.nicModels.length > 0 && f.nicModels.every((m) => m === nic), `NIC models: ${f.nicModels.join(", ") || "none"}`);
  }
  if (e.windows) {
    if (f.clock !== undefined) add("the RTC keeps local time (Windows)", f.clock === "localtime", `clock: ${f.clock}`);
    const missing = REQUIRED_HYPERV.filter((h) => !f.hyperv.includes(h));
    add(`Hyper-V enlightenments (${REQUIRED_HYPERV.join(", ")} at least)`, missing.length === 0, `enabled: ${f.hyperv.join(", ") || "none"}`);
    if (f.tpm !== undefined) add(e.windows.tpm ? "a TPM 2.0 (Windows 11)" : "no TPM", f.tpm === e.windows.tpm, f.tpm ? "a TPM is declared" : "no TPM");
  }
  if (e.secureBoot !== undefined) {
    const on = f.secureBoot && f.smm !== false;
    const off = !f.secureBoot && f.smm !== true;
    const detail = `secure boot ${f.secureBoot ? "on" : "off"}, SMM ${f.smm === undefined ? "not stated" : f.smm ? "on" : "off"}`;
    add(e.secureBoot ? "UEFI Secure Boot with SMM (the source had it)" : "no Secure Boot", e.secureBoot ? on : off, detail);
  }
  return out;
}

/** The metadata file an output writes, by suffix (from the mode's spec in the registry); undefined for -o null. */
export const metadataSuffix = (mode: OutputMode): string | undefined => findOutput(mode)?.spec.metadataSuffixes[0];

/** Read, validate and compare the metadata file of `output`. */
export async function checkMetadata(path: string, output: OutputMode, e: MetaExpect): Promise<CheckResult[]> {
  const text = await readFile(path, "utf8");
  const checks: CheckResult[] = [];
  let facts: MetaFacts;
  if (output === "local") {
    const r = await runAllowFail(["virt-xml-validate", path, "domain"], { timeoutMs: 60_000 });
    checks.push({ name: "NAME.xml passes virt-xml-validate", ok: r.exitCode === 0, detail: (r.stdout + r.stderr).trim().split("\n").slice(-3).join(" | ") });
    facts = readLibvirtXmlFacts(text);
  } else if (output === "json") {
    facts = readJsonMetaFacts(text);
  } else if (output === "qemu") {
    const r = await runAllowFail(["sh", "-n", path], { timeoutMs: 30_000 });
    checks.push({ name: "NAME.sh is valid sh (sh -n)", ok: r.exitCode === 0, detail: r.exitCode === 0 ? "syntax ok" : r.stderr.trim() });
    facts = readQemuScriptFacts(text);
  } else if (output === "kubevirt") {
    checks.push(checkKubevirtFrame(text));
    facts = readKubevirtYamlFacts(text);
  } else {
    return [];
  }
  checks.push(...compareMeta(facts, e, `NAME${metadataSuffix(output) ?? ""}`));
  const missing = facts.diskPaths.filter((p) => !existsSync(p));
  checks.push({
    name: `NAME${metadataSuffix(output) ?? ""}: every disk it names exists`,
    ok: facts.diskPaths.length > 0 && missing.length === 0,
    detail: missing.length ? `missing: ${missing.join(", ")}` : `${facts.diskPaths.length} disk file(s) present`,
  });
  return checks;
}
