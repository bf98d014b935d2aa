// `-i ova FILE|DIR`: a VMware-style OVA, as an uncompressed tar (disks read in place through qemu
// json: offset windows) or as an unpacked directory. Checks the manifest, parses the OVF.
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readFile, readdir, realpath, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, posix, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { badInput } from "../pipeline/errors.js";
import type { InputModule, StageContext } from "../pipeline/stages.js";
import type { InputOptions, Source, SourceDisk } from "../pipeline/types.js";
import { imageInfo } from "../host/qemu-img.js";
import { isSupportedFormat } from "./disk.js";
import { parseManifest, verifyManifestEntry, type ByteRange } from "./manifest.js";
import { parseOvf, type OvfDisk } from "./ovf-parse.js";
import { indexTar, isTarHeader, readHead, readMember, roundUp512, type TarMember } from "./tar-index.js";

/** Where a file of the OVA lives: a real file (directory OVA) or a member of the tar. */
type Located = { readonly kind: "file"; readonly path: string } | { readonly kind: "member"; readonly tarPath: string; readonly member: TarMember };

interface OvaLayout {
  /** Absolute path of the .ova file or directory. */
  readonly path: string;
  /** The argument as the user wrote it, for messages. */
  readonly label: string;
  /** Regular files by normalised relative POSIX path ("sub/disk1.vmdk"). */
  readonly files: ReadonlyMap<string, Located>;
}

/** .ovf/.mf files bigger than this are not metadata: refuse rather than read them into memory. */
const MAX_METADATA_BYTES = 64 * 1024 * 1024;

/** A relative path without "." segments, or undefined when it is absolute or climbs out with "..". */
export function normalizeRelative(p: string): string | undefined {
  if (p === "" || posix.isAbsolute(p) || /^[a-z][a-z0-9+.-]*:/i.test(p)) return undefined;
  const n = posix.normalize(p);
  return n === ".." || n.startsWith("../") ? undefined : n;
}

/** Refuses compressed or zipped archives with the command that unpacks them; accepts a ustar header. */
function checkContainer(head: Buffer, label: string): void {
  const starts = (...bytes: number[]): boolean => bytes.every((b, i) => head[i] === b);
  const packed = starts(0x1f, 0x8b) ? "gzip-compressed" : starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00) ? "xz-compressed"
    : starts(0x42, 0x5a, 0x68) ? "bzip2-compressed" : starts(0x28, 0xb5, 0x2f, 0xfd) ? "zstd-compressed" : undefined;
  if (packed) throw badInput(`${label}: this OVA is a ${packed} tar, which is not read directly; unpack it with "mkdir DIR && tar xf ${label} -C DIR" and pass DIR to -i ova`);
  if (starts(0x50, 0x4b, 0x03, 0x04)) throw badInput(`${label}: this OVA is a zip archive; unpack it with "unzip ${label} -d DIR" and pass DIR to -i ova`);
  if (!isTarHeader(head)) throw badInput(`${label}: not an OVA: an OVA must be a tar archive or a directory`);
}

async function openTarOva(path: string, label: string): Promise<OvaLayout> {
  checkContainer(await readHead(path), label);
  let members: TarMember[];
  try {
    members = await indexTar(path);
  } catch (e) {
    throw badInput(`${label}: the tar archive is corrupt or truncated (${(e as Error).message}); download it again`, e);
  }
  const files = new Map<string, Located>();
  for (const member of members) {
    const rel = normalizeRelative(member.name);
    // Members named with "..", absolute paths or links are never used.
    if (rel !== undefined && member.type === "file") files.set(rel, { kind: "member", tarPath: path, member });
  }
  return { path, label, files };
}

async function openDirectoryOva(path: string, label: string): Promise<OvaLayout> {
  const files = new Map<string, Located>();
  const names = await readdir(path, { recursive: true }).catch((e: NodeJS.ErrnoException) => {
    throw badInput(`${label}: cannot list the OVA directory (${e.code ?? e.message}); check its permissions`, e);
  });
  for (const name of names) {
    const full = join(path, name);
    const st = await stat(full).catch(() => undefined);
    if (st?.isFile()) files.set(name.split(sep).join("/"), { kind: "file", path: full });
  }
  return { path, label, files };
}

async function openOva(opts: InputOptions): Promise<OvaLayout> {
  if (opts.args.length !== 1) throw badInput(`-i ova takes exactly one .ova file or directory, got ${opts.args.length}`);
  const label = opts.args[0]!;
  const path = resolve(label);
  const st = await stat(path).catch((e: NodeJS.ErrnoException) => {
    throw badInput(e.code === "ENOENT" ? `${label}: no such file or directory; check the path` : `${label}: cannot be read (${e.code}); check its permissions`, e);
  });
  if (st.isDirectory()) return openDirectoryOva(path, label);
  if (st.isFile()) return openTarOva(path, label);
  throw badInput(`${label}: not an OVA: an OVA must be a tar archive or a directory`);
}

const rangeOf = (loc: Located): ByteRange =>
  loc.kind === "file" ? { path: loc.path } : { path: loc.tarPath, offset: loc.member.dataOffset, sizeBytes: loc.member.sizeBytes };

/** Reads an .ovf or .mf; from a tar it is also extracted under ctx.workDir (for -v inspection). */
async function readMetadata(ova: OvaLayout, rel: string, ctx: StageContext): Promise<string> {
  const loc = ova.files.get(rel)!;
  if (loc.kind === "file") {
    if ((await stat(loc.path)).size > MAX_METADATA_BYTES) throw badInput(`${ova.label}: ${rel} is too big to be OVA metadata`);
    return readFile(loc.path, "utf8");
  }
  if (loc.member.sizeBytes > MAX_METADATA_BYTES) throw badInput(`${ova.label}: ${rel} is too big to be OVA metadata`);
  const bytes = await readMember(loc.tarPath, loc.member);
  const out = join(ctx.workDir, "ova", rel);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, bytes);
  return bytes.toString("utf8");
}

async function checkManifests(ova: OvaLayout, ctx: StageContext): Promise<void> {
  const manifests = [...ova.files.keys()].filter((f) => f.toLowerCase().endsWith(".mf")).sort();
  if (manifests.length === 0) return;
  ctx.reporter.stage("Checking the OVA manifest");
  for (const mf of manifests) {
    const { entries, badLines } = parseManifest(await readMetadata(ova, mf, ctx));
    for (const line of badLines) ctx.reporter.warning(`unable to parse line from manifest file ${mf}: ${line}`);
    for (const entry of entries) {
      const rel = normalizeRelative(posix.join(posix.dirname(mf), entry.file));
      const loc = rel === undefined ? undefined : ova.files.get(rel);
      if (!loc) {
        ctx.reporter.warning(`${ova.label}: manifest ${mf} lists ${entry.file}, which is not in the OVA; its checksum is not checked`);
        continue;
      }
      await verifyManifestEntry(entry, rangeOf(loc), ova.label);
    }
  }
}

function findOvf(ova: OvaLayout): string {
  const ovfs = [...ova.files.keys()].filter((f) => f.toLowerCase().endsWith(".ovf"));
  if (ovfs.length === 1) return ovfs[0]!;
  if (ovfs.length === 0) throw badInput(`${ova.label}: no .ovf file found in the OVA; it is not an OVA or it is incomplete`);
  throw badInput(`${ova.label}: the OVA holds several .ovf files (${ovfs.join(", ")}); keep only one`);
}

/** Resolves an href relative to the OVF; a missing file falls back to the newest `href.N` snapshot. */
function locateDisk(ova: OvaLayout, ovfRel: string, disk: OvfDisk): { rel: string; loc: Located } {
  const rel = normalizeRelative(posix.join(posix.dirname(ovfRel), disk.href));
  if (rel === undefined || posix.isAbsolute(disk.href)) {
    throw badInput(`${ova.label}: disk href "${disk.href}" points outside the OVA; the OVF must name files inside it`);
  }
  const found = ova.files.get(rel);
  if (found) return { rel, loc: found };
  const snapshots = [...ova.files.keys()]
    .filter((f) => f.startsWith(`${rel}.`) && /^\d+$/.test(f.slice(rel.length + 1)))
    .sort((a, b) => Number(a.slice(rel.length + 1)) - Number(b.slice(rel.length + 1)));
  const last = snapshots.at(-1);
  if (last) return { rel: last, loc: ova.files.get(last)! };
  throw badInput(`${ova.label}: the OVF refers to disk file "${disk.href}", which is not in the OVA; the OVA is incomplete, download it again`);
}

/** Refuses files (through symlinks) that resolve outside a directory OVA. */
async function checkInsideDirectory(ova: OvaLayout, loc: Located, rel: string): Promise<void> {
  if (loc.kind !== "file") return;
  const [root, real] = await Promise.all([realpath(ova.path), realpath(loc.path)]);
  if (!real.startsWith(root + sep)) throw badInput(`${ova.label}: disk ${rel} resolves to ${real}, outside the OVA directory; copy the file into the directory`);
}

async function probeFormat(uri: string, displayName: string): Promise<{ format: SourceDisk["format"]; virtualSizeBytes: number }> {
  const info = await imageInfo(uri).catch((e: unknown) => {
    throw badInput(`${displayName}: qemu-img cannot open this disk; the OVA may be corrupt, download it again`, e);
  });
  if (!isSupportedFormat(info.format)) throw badInput(`${displayName}: disk format "${info.format}" is not supported; only raw, qcow2 and vmdk disks can be converted`);
  return { format: info.format, virtualSizeBytes: info.virtualSizeBytes };
}

async function prepareDisk(ova: OvaLayout, ovfRel: string, disk: OvfDisk, index: number, ctx: StageContext): Promise<SourceDisk> {
  const { rel, loc } = locateDisk(ova, ovfRel, disk);
  await checkInsideDirectory(ova, loc, rel);
  const displayName = `${basename(ova.path)}:${rel}`;
  const common = { index, displayName, ...(disk.controller ? { controller: disk.controller } : {}) };
  if (disk.compression === "gzip" || loc.kind === "file") {
    let path = loc.kind === "file" ? loc.path : "";
    if (disk.compression === "gzip") {
      path = join(ctx.workDir, `ova-disk${index}.img`);
      ctx.reporter.info(`Decompressing ${displayName} to ${path}`);
      const r = rangeOf(loc);
      const start = r.offset ?? 0;
      const end = r.sizeBytes === undefined ? undefined : start + r.sizeBytes - 1;
      await pipeline(createReadStream(r.path, { start, end }), createGunzip(), createWriteStream(path)).catch((e: unknown) => {
        throw badInput(`${displayName}: the OVF says this disk is gzip-compressed but it cannot be decompressed (${(e as Error).message}); the OVA may be corrupt`, e);
      });
    }
    return { ...common, qemuUri: path, ...(await probeFormat(path, displayName)) };
  }
  // Read in place: a raw window over the tar member. qemu wants the window size in whole
  // sectors; tar pads every member to 512 bytes, so rounding up stays inside the archive.
  const window = { driver: "raw", offset: loc.member.dataOffset, size: roundUp512(loc.member.sizeBytes), file: { driver: "file", filename: loc.tarPath } };
  const probed = await probeFormat(`json:${JSON.stringify({ file: window })}`, displayName);
  return { ...common, qemuUri: `json:${JSON.stringify({ driver: probed.format, file: window })}`, ...probed };
}

export async function readOvaSource(opts: InputOptions, ctx: StageContext): Promise<Source> {
  const ova = await openOva(opts);
  const ovfRel = findOvf(ova);
  await checkManifests(ova, ctx);
  const ovf = parseOvf(await readMetadata(ova, ovfRel, ctx), ovfRel);
  for (const w of ovf.warnings) ctx.reporter.warning(`${ovfRel}: ${w}`);
  let name = ovf.name;
  if (name === undefined) {
    name = basename(ova.path).replace(/\.ova$/i, "");
    ctx.reporter.warning(`${ovfRel}: no VirtualSystem/Name in the OVF; the guest is named "${name}" after the OVA (use -on to choose)`);
  }
  if (ovf.disks.length === 0) throw badInput(`${ova.label}: the OVF lists no disks; there is nothing to convert`);
  const disks: SourceDisk[] = [];
  for (const [i, d] of ovf.disks.entries()) disks.push(await prepareDisk(ova, ovfRel, d, i, ctx));
  return {
    name,
    hypervisor: "vmware",
    memoryBytes: ovf.memoryBytes,
    vcpus: ovf.vcpus,
    ...(ovf.cpuTopology ? { cpuTopology: ovf.cpuTopology } : {}),
    firmware: ovf.firmware,
    disks,
    nics: ovf.nics,
    removableCount: ovf.removableCount,
  };
}

export const ovaInput: InputModule = { mode: "ova", readSource: readOvaSource };
