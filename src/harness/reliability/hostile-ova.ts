// Builders of hostile and broken OVAs for the reliability corpus: an OVF with chosen values, and
// tars packed with tar-stream, including what a careful exporter never writes (links, duplicate
// members, truncation). Values are placed in the OVF as given: these documents are meant to be bad.
import { createReadStream, createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { pack, type Header as TarHeaders } from "tar-stream";
import { escapeXml } from "../guests/ovf-template.js";

export interface HostileDisk {
  readonly href: string;
  readonly id?: string;
  readonly fileId?: string;
  /** null: no ovf:capacity attribute at all. */
  readonly capacityBytes?: number | null;
  readonly compression?: string;
}

export interface HostileOvfOptions {
  readonly name?: string;
  readonly memory?: { readonly quantity: string; readonly units?: string };
  readonly vcpus?: string;
  readonly nics?: readonly { readonly mac?: string; readonly connection?: string }[];
  /** Items attaching disks, by disk id; default one per disk. */
  readonly attach?: readonly string[];
  /** Raw text inserted before <Envelope> (a DOCTYPE) or inside VirtualSystem. */
  readonly prolog?: string;
  readonly insideSystem?: string;
  /** Values written unescaped (for not-well-formed documents). */
  readonly raw?: boolean;
}

const esc = (s: string, raw?: boolean): string => (raw ? s : escapeXml(s));

/** An OVF 1.0 document, VMware style, with each value as given. */
export function hostileOvf(disks: readonly HostileDisk[], o: HostileOvfOptions = {}): string {
  const ids = disks.map((d, i) => d.id ?? `vmdisk${i + 1}`);
  const files = disks.map((d, i) =>
    `<File ovf:href="${esc(d.href, o.raw)}" ovf:id="${d.fileId ?? `file${i + 1}`}"${d.compression ? ` ovf:compression="${d.compression}"` : ""}/>`);
  const diskDescs = disks.map((d, i) =>
    `<Disk ${d.capacityBytes === null ? "" : `ovf:capacity="${d.capacityBytes ?? 1048576}" ovf:capacityAllocationUnits="byte" `}ovf:diskId="${ids[i]}" ovf:fileRef="${d.fileId ?? `file${i + 1}`}" ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>`);
  const attach = o.attach ?? ids;
  const diskItems = attach.map((id, i) =>
    `<Item><rasd:AddressOnParent>${i}</rasd:AddressOnParent><rasd:ElementName>Hard disk ${i + 1}</rasd:ElementName><rasd:HostResource>ovf:/disk/${id}</rasd:HostResource><rasd:InstanceID>${10 + i}</rasd:InstanceID><rasd:Parent>3</rasd:Parent><rasd:ResourceType>17</rasd:ResourceType></Item>`);
  const nicItems = (o.nics ?? []).map((n, i) =>
    `<Item>${n.mac !== undefined ? `<rasd:Address>${esc(n.mac, o.raw)}</rasd:Address>` : ""}${n.connection !== undefined ? `<rasd:Connection>${esc(n.connection, o.raw)}</rasd:Connection>` : ""}<rasd:ElementName>Network adapter ${i + 1}</rasd:ElementName><rasd:InstanceID>${20 + i}</rasd:InstanceID><rasd:ResourceSubType>E1000</rasd:ResourceSubType><rasd:ResourceType>10</rasd:ResourceType></Item>`);
  const mem = o.memory ?? { quantity: "1024", units: "byte * 2^20" };
  return `<?xml version="1.0" encoding="UTF-8"?>
${o.prolog ?? ""}<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData" xmlns:vmw="http://www.vmware.com/schema/ovf">
  <References>${files.join("")}</References>
  <DiskSection><Info>Virtual disk information</Info>${diskDescs.join("")}</DiskSection>
  <VirtualSystem ovf:id="vm">
    <Info>A virtual machine</Info>
    <Name>${esc(o.name ?? "hostile", o.raw)}</Name>${o.insideSystem ?? ""}
    <VirtualHardwareSection>
      <Info>Virtual hardware requirements</Info>
      <Item><rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits><rasd:ElementName>CPUs</rasd:ElementName><rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>${esc(o.vcpus ?? "1", o.raw)}</rasd:VirtualQuantity></Item>
      <Item>${mem.units !== undefined ? `<rasd:AllocationUnits>${esc(mem.units, o.raw)}</rasd:AllocationUnits>` : ""}<rasd:ElementName>Memory</rasd:ElementName><rasd:InstanceID>2</rasd:InstanceID><rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>${esc(mem.quantity, o.raw)}</rasd:VirtualQuantity></Item>
      <Item><rasd:ElementName>SCSI controller 0</rasd:ElementName><rasd:InstanceID>3</rasd:InstanceID><rasd:ResourceSubType>lsilogic</rasd:ResourceSubType><rasd:ResourceType>6</rasd:ResourceType></Item>
      ${diskItems.join("\n      ")}
      ${nicItems.join("\n      ")}
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
`;
}

/** One member of a tar to pack: file data, or a link, or a path to stream from disk. */
export type TarEntry =
  | { readonly name: string; readonly data: Buffer | string }
  | { readonly name: string; readonly fromFile: string; readonly offsetBytes?: number; readonly sizeBytes?: number }
  | { readonly name: string; readonly symlinkTo: string };

/** Pack entries (in order, duplicates allowed) into a tar file; files are streamed, not read into memory. */
export async function writeTar(path: string, entries: readonly TarEntry[]): Promise<void> {
  const p = pack();
  const done = pipeline(p, createWriteStream(path));
  for (const e of entries) {
    if ("symlinkTo" in e) {
      p.entry({ name: e.name, type: "symlink", linkname: e.symlinkTo } as TarHeaders);
    } else if ("fromFile" in e) {
      const start = e.offsetBytes ?? 0;
      const size = e.sizeBytes ?? (await stat(e.fromFile)).size - start;
      await new Promise<void>((resolve, reject) => {
        const done = (err?: Error | null): void => (err ? reject(err) : resolve());
        if (size === 0) p.entry({ name: e.name, size }, Buffer.alloc(0), done);
        else createReadStream(e.fromFile, { start, end: start + size - 1 }).on("error", reject).pipe(p.entry({ name: e.name, size }, done));
      });
    } else {
      const data = Buffer.from(e.data);
      await new Promise<void>((resolve, reject) => p.entry({ name: e.name, size: data.length }, data, (err) => (err ? reject(err) : resolve())));
    }
  }
  p.finalize();
  await done;
}

/** A `SHA256(name)= hex` manifest line per entry, with extra lines appended as given. */
export function manifestLines(entries: readonly { name: string; sha256: string }[], extra: readonly string[] = []): string {
  return [...entries.map((e) => `SHA256(${e.name})= ${e.sha256}`), ...extra].join("\n") + "\n";
}
