// `--print-source`: render a Source as labelled text, laid out like virt-v2v's own listing.
// Names, paths and models come from the OVF or the image: each one is escaped for the terminal.
import type { Source, SourceDisk, SourceNic } from "../model/types.js";
import { escapeForTerminal as esc } from "../model/untrusted.js";

/** Labels are right-aligned on the longest one ("hypervisor type"), as virt-v2v does. */
const LABEL_WIDTH = 15;

const field = (label: string, value: string): string => `${label.padStart(LABEL_WIDTH)}: ${esc(value)}`.trimEnd();

/** A quoted name: JSON quoting (so a '"' in it cannot end the quotes), escaped for the terminal. */
const quoted = (name: string): string => esc(JSON.stringify(name));

/** The disk line, then the images behind it: backing files and VMDK extents, as checked by the input. */
function renderDisk(d: SourceDisk): string[] {
  const image = d.image;
  const compressed = image.kind === "gzip" ? " (gzip-compressed: inflated and checked after --print-source)" : "";
  const lines = [`\t${d.index}${d.controller ? ` [${esc(d.controller)}]` : ""} ${esc(d.displayName)}${compressed}`];
  if (image.kind === "checked") {
    image.chain.forEach((link, i) => {
      if (i > 0) lines.push(`\t    backing: ${esc(link.label)} (${esc(link.format)})`);
      for (const extent of link.extents ?? []) lines.push(`\t    extent: ${esc(extent)}`);
    });
  }
  return lines;
}

function renderNic(n: SourceNic): string {
  const kind = n.vnetType === "bridge" ? "Bridge" : "Network";
  return `\t${kind} ${quoted(n.networkName)}${n.mac ? ` mac: ${esc(n.mac)}` : ""}${n.sourceModel ? ` [${esc(n.sourceModel)}]` : ""}`;
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
    // Only when the metadata says (an OVF with uefi.secureBoot.enabled); virt-v2v has no such line.
    ...(source.secureBoot !== undefined ? [field("secure boot", source.secureBoot ? "enabled" : "disabled")] : []),
    "disks:",
    ...source.disks.flatMap(renderDisk),
    "removable media:",
    // Our Source keeps only a count: removable devices are reported, never converted.
    ...(source.removableCount > 0 ? [`\t${source.removableCount} CD-ROM/floppy device(s), not converted`] : []),
    "NICs:",
    ...source.nics.map(renderNic),
  ];
  return `${lines.join("\n")}\n`;
}
