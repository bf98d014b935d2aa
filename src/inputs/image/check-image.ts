// Decide, before qemu sees it, what an untrusted disk image is and every file it will make qemu
// open: its format from its first bytes, its qcow2 backing file or VMDK parent, its VMDK extents.
// Each reference goes through the input's ReferenceResolver; the result is an explicit qemu block
// description (`json:{...}`) naming the format and the whole chain, so qemu and qemu-img open
// exactly what was checked and never probe. Anything we cannot vouch for is refused.
import { badInput } from "../../model/errors.js";
import type { ChainLink, ImageFormat } from "../../model/types.js";
import { quoteForMessage } from "../../model/untrusted.js";
import { DETECT_BYTES, detectFormat } from "./formats.js";
import { placeKey, placeSize, protocolNode, readAt, type ImagePlace, type QemuNode } from "./place.js";
import { parseQcow2Header } from "./qcow2-header.js";
import type { ReferenceResolver } from "./resolvers.js";
import { parseDescriptor, parseSparseHeader, MAX_DESCRIPTOR_BYTES, type VmdkDescriptor } from "./vmdk.js";


export interface CheckedImage {
  readonly format: ImageFormat;
  /** The explicit qemu block node: format, protocol, and `backing` (null when there is none). */
  readonly node: QemuNode;
  readonly chain: readonly ChainLink[];
  /** The qemu node of each image in the chain, top first (each still carrying its own backing). */
  readonly nodes: readonly QemuNode[];
  readonly virtualSizeBytes: number;
}

/** A backing chain longer than this is not something a hypervisor exports. */
export const MAX_CHAIN_DEPTH = 8;

const HEADER_BYTES = 64 * 1024;
const SUPPORTED: readonly ImageFormat[] = ["raw", "qcow2", "vmdk"];

interface Walk {
  readonly resolver: ReferenceResolver;
  readonly seen: ReadonlySet<string>;
  readonly depth: number;
}

/** The JSON pseudo-filename qemu and qemu-img are given for a checked image. */
export const qemuUriOf = (img: Pick<CheckedImage, "node">): string => `json:${JSON.stringify(img.node)}`;

/**
 * Check an image and everything it references. `forced` is the format the user or the metadata
 * states (-if, a backing-format header); otherwise the first bytes decide.
 */
export async function checkImage(place: ImagePlace, resolver: ReferenceResolver, forced?: ImageFormat): Promise<CheckedImage> {
  return check(place, forced, { resolver, seen: new Set(), depth: 0 });
}

async function check(place: ImagePlace, forced: ImageFormat | undefined, walk: Walk): Promise<CheckedImage> {
  const key = placeKey(place);
  if (walk.seen.has(key)) throw badInput(`${place.label}: the disk's backing chain loops back to this file; the image is corrupt or hostile`);
  if (walk.depth > MAX_CHAIN_DEPTH) throw badInput(`${place.label}: the backing chain is longer than ${MAX_CHAIN_DEPTH} images; flatten it first (qemu-img convert)`);
  const next: Walk = { ...walk, seen: new Set([...walk.seen, key]), depth: walk.depth + 1 };

  const size = await placeSize(place);
  if (size === 0) throw badInput(`${place.label}: the disk image is empty (0 bytes); export the disk again`);
  const head = await readAt(place, 0, Math.max(HEADER_BYTES, DETECT_BYTES));
  const detected = detectFormat(head);
  if (detected.kind === "unsupported") {
    throw badInput(`${place.label}: disk format ${detected.name} is not supported; convert it to raw or qcow2 first (qemu-img convert with an explicit -f)`);
  }
  const format: ImageFormat = forced ?? (detected.kind === "raw" ? "raw" : detected.kind === "qcow2" ? "qcow2" : "vmdk");
  if (format === "raw") {
    const node = rawNode(place);
    return { format, node, nodes: [node], chain: [{ label: place.label, format }], virtualSizeBytes: size };
  }
  if (format === "qcow2") {
    if (detected.kind !== "qcow2") throw badInput(`${place.label}: this is not a qcow2 image, but it was declared as one; check -if or the image`);
    return checkQcow2(place, head, next);
  }
  if (detected.kind === "vmdk-sparse") return checkSparseVmdk(place, head, next);
  if (detected.kind === "vmdk-descriptor") {
    if (size > MAX_DESCRIPTOR_BYTES) throw badInput(`${place.label}: a VMDK descriptor of ${size} bytes is not a descriptor; the image is corrupt`);
    return checkDescriptorVmdk(place, (await readAt(place, 0, size)).toString("latin1"), next);
  }
  throw badInput(`${place.label}: this is not a VMDK image, but it was declared as one; check -if or the image`);
}

function rawNode(place: ImagePlace): QemuNode {
  // A raw window already is a raw node: no second raw layer on top of it.
  return place.kind === "member" ? protocolNode(place) : { driver: "raw", file: protocolNode(place) };
}

async function checkQcow2(place: ImagePlace, head: Buffer, walk: Walk): Promise<CheckedImage> {
  let h;
  try {
    h = parseQcow2Header(head);
  } catch (e) {
    throw badInput(`${place.label}: the qcow2 header is corrupt (${(e as Error).message}); export the disk again`, e);
  }
  if (h.encryption !== 0) throw badInput(`${place.label}: this qcow2 image is encrypted, which is not supported; decrypt it first (qemu-img convert)`);
  if (h.externalDataFile) {
    throw badInput(`${place.label}: this qcow2 image keeps its data in an external data file, which is never opened; convert it to a self-contained image first`);
  }
  if (!(h.virtualSizeBytes > 0) || !Number.isSafeInteger(h.virtualSizeBytes)) {
    throw badInput(`${place.label}: the qcow2 image has a virtual size of ${h.virtualSizeBytes} bytes; export the disk again`);
  }
  let backing: CheckedImage | undefined;
  if (h.backingName) {
    const ref = (await readAt(place, h.backingName.offset, h.backingName.length)).toString("utf8");
    if (Buffer.byteLength(ref) !== h.backingName.length) throw badInput(`${place.label}: the qcow2 backing file name runs past the end of the image; the image is corrupt`);
    const fmt = h.backingFormat;
    if (fmt !== undefined && !(SUPPORTED as readonly string[]).includes(fmt)) {
      throw badInput(`${place.label}: its backing file is declared as ${quoteForMessage(fmt)}, which is not supported; flatten the chain first (qemu-img convert)`);
    }
    const target = await walk.resolver.resolve(place, ref, "backing file");
    backing = await check(target, fmt as ImageFormat | undefined, walk);
  }
  const node: QemuNode = { driver: "qcow2", file: protocolNode(place), backing: backing?.node ?? null };
  return {
    format: "qcow2",
    node,
    nodes: [node, ...(backing?.nodes ?? [])],
    chain: [{ label: place.label, format: "qcow2" }, ...(backing?.chain ?? [])],
    virtualSizeBytes: h.virtualSizeBytes,
  };
}

function parseDescriptorOrRefuse(place: ImagePlace, text: string): VmdkDescriptor {
  try {
    return parseDescriptor(text);
  } catch (e) {
    throw badInput(`${place.label}: the VMDK descriptor is malformed (${(e as Error).message}); export the disk again`, e);
  }
}

async function parentOf(place: ImagePlace, d: VmdkDescriptor, walk: Walk): Promise<CheckedImage | undefined> {
  if (d.parentFileNameHint === undefined) return undefined;
  return check(await walk.resolver.resolve(place, d.parentFileNameHint, "parent disk (parentFileNameHint)"), "vmdk", walk);
}

async function checkSparseVmdk(place: ImagePlace, head: Buffer, walk: Walk): Promise<CheckedImage> {
  let h;
  try {
    h = parseSparseHeader(head);
  } catch (e) {
    throw badInput(`${place.label}: the VMDK header is corrupt (${(e as Error).message}); export the disk again`, e);
  }
  const descText = h.descriptor ? (await readAt(place, h.descriptor.offset, h.descriptor.length)).toString("latin1") : "";
  const desc = parseDescriptorOrRefuse(place, descText);
  // qemu reads a sparse file with capacity 0 as a descriptor file, opening the extents it names.
  if (h.capacitySectors === 0) {
    if (!h.descriptor) throw badInput(`${place.label}: the VMDK has a capacity of 0 sectors; export the disk again`);
    return checkDescriptorVmdk(place, descText, walk);
  }
  const parent = await parentOf(place, desc, walk);
  const node: QemuNode = { driver: "vmdk", file: protocolNode(place), backing: parent?.node ?? null };
  return {
    format: "vmdk",
    node,
    nodes: [node, ...(parent?.nodes ?? [])],
    chain: [{ label: place.label, format: "vmdk" }, ...(parent?.chain ?? [])],
    virtualSizeBytes: h.capacitySectors * 512,
  };
}

/** createTypes whose extents are host devices, never opened. */
const DEVICE_CREATE_TYPES = new Set(["vmfsraw", "vmfsrdm", "vmfsrawdevicemap", "vmfspassthroughrawdevicemap", "fulldevice", "partitioneddevice"]);

async function checkDescriptorVmdk(place: ImagePlace, text: string, walk: Walk): Promise<CheckedImage> {
  const d = parseDescriptorOrRefuse(place, text);
  if (d.createType !== undefined && DEVICE_CREATE_TYPES.has(d.createType.toLowerCase())) {
    throw badInput(`${place.label}: this VMDK (createType ${quoteForMessage(d.createType)}) maps a host device, which is never opened; export the disk as a file`);
  }
  if (d.extents.length === 0) throw badInput(`${place.label}: the VMDK descriptor lists no extents; export the disk again`);
  const named = d.extents.filter((e) => e.type !== "ZERO");
  if (place.kind === "member" && named.length > 0) {
    throw badInput(`${place.label}: this VMDK descriptor names other files (${named.map((e) => quoteForMessage(e.file ?? "")).join(", ")}), which cannot be opened inside the archive; unpack the OVA into a directory and pass the directory to -i ova`);
  }
  for (const e of d.extents) {
    if (e.type === "ZERO") continue;
    if (e.type !== "FLAT" && e.type !== "VMFS" && e.type !== "SPARSE") {
      throw badInput(`${place.label}: extent ${quoteForMessage(e.file ?? "")} is of type ${e.type}, which is not supported; export the disk as a single file`);
    }
    const target = await walk.resolver.resolve(place, e.file!, "extent");
    if (e.type === "SPARSE") {
      const h = await readAt(target, 0, 512).then(parseSparseHeader).catch((err: unknown) => {
        throw badInput(`${target.label}: this sparse extent has no valid VMDK header (${(err as Error).message}); export the disk again`, err);
      });
      if (h.capacitySectors === 0) throw badInput(`${target.label}: this sparse extent has a capacity of 0 sectors; the image is corrupt or hostile`);
    } else {
      const need = (e.offsetSectors + e.sectors) * 512;
      const have = await placeSize(target);
      if (have < need) {
        throw badInput(`${target.label}: this extent is ${have} bytes, but the descriptor says it holds ${need}; the descriptor lies about the disk's size or the file is truncated`);
      }
    }
  }
  const parent = await parentOf(place, d, walk);
  const node: QemuNode = { driver: "vmdk", file: protocolNode(place), backing: parent?.node ?? null };
  return {
    format: "vmdk",
    node,
    nodes: [node, ...(parent?.nodes ?? [])],
    chain: [{ label: place.label, format: "vmdk", extents: named.map((e) => e.file!) }, ...(parent?.chain ?? [])],
    virtualSizeBytes: d.extents.reduce((n, e) => n + e.sectors * 512, 0),
  };
}
