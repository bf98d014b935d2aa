// `--print-source`: render a Source as labelled text, laid out like virt-v2v's own listing.
import type { Source, SourceDisk, SourceNic } from "../pipeline/types.js";

/** Labels are right-aligned on the longest one ("hypervisor type"), as virt-v2v does. */
const LABEL_WIDTH = 15;

const field = (label: string, value: string): string => `${label.padStart(LABEL_WIDTH)}: ${value}`.trimEnd();

function renderDisk(d: SourceDisk): string {
  return `\t${d.index}${d.controller ? ` [${d.controller}]` : ""} ${d.displayName}`;
}

function renderNic(n: SourceNic): string {
  const kind = n.vnetType === "bridge" ? "Bridge" : "Network";
  return `\t${kind} "${n.networkName}"${n.mac ? ` mac: ${n.mac}` : ""}${n.sourceModel ? ` [${n.sourceModel}]` : ""}`;
}

/** The full text printed by `--print-source`, ending with a newline. */
export function renderSource(source: Source): string {
  const t = source.cpuTopology;
  const lines = [
    "Source guest information (--print-source option):",
    "",
    field("source name", source.name),
    field("hypervisor type", source.hypervisor),
    field("memory", `${source.memoryBytes} (bytes)`),
    field("nr vCPUs", String(source.vcpus)),
    field("CPU topology", t ? `sockets: ${t.sockets} cores/socket: ${t.coresPerSocket} threads/core: ${t.threadsPerCore}` : ""),
    field("firmware", source.firmware),
    "disks:",
    ...source.disks.map(renderDisk),
    "removable media:",
    // Our Source keeps only a count: removable devices are reported, never converted.
    ...(source.removableCount > 0 ? [`\t${source.removableCount} CD-ROM/floppy device(s), not converted`] : []),
    "NICs:",
    ...source.nics.map(renderNic),
  ];
  return `${lines.join("\n")}\n`;
}
