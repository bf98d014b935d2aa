// Builders for the input tests: tiny disks made with qemu-img, tars packed with tar-stream, OVFs.
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, open, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { pack } from "tar-stream";
import { run } from "../../../src/host/exec.js";
import { RecordingReporter } from "../../../src/model/messages.js";
import type { StageContext } from "../../../src/model/contracts.js";

export const FIXTURES = join(import.meta.dirname, "..", "fixtures", "inputs");

export const readFixture = (name: string): Promise<string> => readFile(join(FIXTURES, name), "utf8");

export const makeTempDir = (prefix = "v2v-inputs-"): Promise<string> => mkdtemp(join(tmpdir(), prefix));

export function makeCtx(workDir: string): StageContext & { reporter: RecordingReporter } {
  return { workDir, reporter: new RecordingReporter(), verbose: false };
}

export const sha256 = (data: Buffer | string): string => createHash("sha256").update(data).digest("hex");
export const sha1 = (data: Buffer | string): string => createHash("sha1").update(data).digest("hex");

/** A sparse raw image of `sizeBytes` with `marker` written at `markerOffset` (so copies can be compared). */
export async function makeRawDisk(path: string, sizeBytes: number, marker: string, markerOffset = 65536): Promise<void> {
  const fh = await open(path, "w");
  try {
    await fh.truncate(sizeBytes);
    await fh.write(Buffer.from(marker), 0, Buffer.byteLength(marker), markerOffset);
  } finally {
    await fh.close();
  }
}

/** Convert a raw image to another format, e.g. streamOptimized VMDK as VMware exports it. */
export async function convertDisk(raw: string, out: string, format: "vmdk" | "qcow2" | "vpc"): Promise<void> {
  const opts = format === "vmdk" ? ["-o", "subformat=streamOptimized"] : [];
  await run(["qemu-img", "convert", "-q", "-f", "raw", "-O", format, ...opts, raw, out]);
}

export interface TarEntry {
  readonly name: string;
  readonly data: Buffer;
}

/** Write a ustar archive (pax headers for long names) with tar-stream. */
export async function packTar(path: string, entries: readonly TarEntry[]): Promise<void> {
  const p = pack();
  const done = pipeline(p, createWriteStream(path));
  for (const e of entries) {
    await new Promise<void>((resolve, reject) => {
      p.entry({ name: e.name, size: e.data.length, mode: 0o644, mtime: new Date(0) }, e.data, (err) => (err ? reject(err) : resolve()));
    });
  }
  p.finalize();
  await done;
}

export interface OvfDiskSpec {
  readonly href: string;
  readonly compression?: string;
}

/** A small OVF 1.0 with one SCSI controller, the given disks, an E1000 NIC and no firmware key. */
/** `name: null` leaves out VirtualSystem/Name. */
export function makeOvf(disks: readonly OvfDiskSpec[], name: string | null = "small"): string {
  const files = disks.map((d, i) => `<File ovf:href="${d.href}" ovf:id="file${i}"${d.compression ? ` ovf:compression="${d.compression}"` : ""}/>`);
  const diskDescs = disks.map((_, i) => `<Disk ovf:capacity="4" ovf:capacityAllocationUnits="byte * 2^20" ovf:diskId="d${i}" ovf:fileRef="file${i}"/>`);
  const items = disks.map((_, i) => `<Item><rasd:HostResource>ovf:/disk/d${i}</rasd:HostResource><rasd:InstanceID>${10 + i}</rasd:InstanceID><rasd:Parent>3</rasd:Parent><rasd:ResourceType>17</rasd:ResourceType></Item>`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData" xmlns:vmw="http://www.vmware.com/schema/ovf">
  <References>${files.join("")}</References>
  <DiskSection><Info>disks</Info>${diskDescs.join("")}</DiskSection>
  <VirtualSystem ovf:id="vm">
    <Info>A virtual machine</Info>
    ${name === null ? "" : `<Name>${name}</Name>`}
    <VirtualHardwareSection>
      <Info>hw</Info>
      <Item><rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>2</rasd:VirtualQuantity></Item>
      <Item><rasd:AllocationUnits>byte * 2^30</rasd:AllocationUnits><rasd:InstanceID>2</rasd:InstanceID><rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>1</rasd:VirtualQuantity></Item>
      <Item><rasd:InstanceID>3</rasd:InstanceID><rasd:ResourceType>6</rasd:ResourceType></Item>
      ${items.join("\n      ")}
      <Item><rasd:Connection>lan</rasd:Connection><rasd:InstanceID>20</rasd:InstanceID><rasd:ResourceSubType>E1000</rasd:ResourceSubType><rasd:ResourceType>10</rasd:ResourceType></Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
`;
}

/** The VMware manifest text for these files (SHA256 lines, as ovftool writes). */
export const makeManifest = (entries: readonly TarEntry[]): string =>
  entries.map((e) => `SHA256(${e.name})= ${sha256(e.data)}\n`).join("");
