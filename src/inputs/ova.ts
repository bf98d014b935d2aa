// `-i ova FILE|DIR`: a VMware-style OVA, as an uncompressed tar (disks read in place through qemu
// json: windows over their members) or as an unpacked directory. Checks the manifest, parses the
// OVF, and checks every disk and every file a disk references (src/inputs/image/) before qemu
// sees it. Nothing here follows a symlink out of a directory OVA or decompresses a disk: gzip
// members are inflated later by the pipeline, after --print-source.
import { parseInputArgs } from "./input-options.js";
import { lstat, readFile, readdir, realpath, stat } from "node:fs/promises";
import { basename, join, posix, resolve, sep } from "node:path";
import { V2vError, badInput } from "../model/errors.js";
import type { InputModule, StageContext } from "../model/contracts.js";
import type { InputOptions, Source, SourceDisk } from "../model/types.js";
import { quoteForMessage } from "../model/untrusted.js";
import { checkDeclaredSize, openImage } from "./image/open-image.js";
import type { ImagePlace } from "./image/place.js";
import { directoryResolver, tarResolver, type ReferenceResolver } from "./image/resolvers.js";
import { parseManifest, verifyManifestEntry, type ByteRange } from "./manifest.js";
import { parseOvf, type OvfDisk } from "./ovf-parse.js";
import { indexTar, isTarHeader, readHead, readMember, type TarMember } from "./tar-index.js";

/** Where a file of the OVA lives: a real file (directory OVA) or a member of the tar. */
type Located = { readonly kind: "file"; readonly path: string } | { readonly kind: "member"; readonly tarPath: string; readonly member: TarMember };

interface OvaLayout {
  /** Absolute path of the .ova file or directory. */
  readonly path: string;
  /** The argument as the user wrote it, for messages. */
  readonly label: string;
  /** Regular files by normalised relative POSIX path ("sub/disk1.vmdk"). */
  readonly files: ReadonlyMap<string, Located>;
  /** Entries that are not used, and why (a symlink out of the directory, a device): for clearer refusals. */
  readonly skipped: ReadonlyMap<string, string>;
  /** What a disk of this OVA may reference: members of the tar, or files inside the directory. */
  readonly resolver: ReferenceResolver;
}

/** .ovf/.mf files bigger than this are not metadata: refuse rather than read them into memory. */
const MAX_METADATA_BYTES = 16 * 1024 * 1024;
/** A directory OVA is walked at most this deep and this wide. */
const MAX_DIRECTORY_DEPTH = 8;
const MAX_DIRECTORY_ENTRIES = 10_000;

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
    if (e instanceof V2vError) throw e; // already a sentence naming the tar and the fix
    throw badInput(`${label}: the tar archive is corrupt or truncated (${(e as Error).message}); download it again`, e);
  }
  const files = new Map<string, Located>();
  const byName = new Map<string, TarMember>();
  const skipped = new Map<string, string>();
  for (const member of members) {
    const rel = normalizeRelative(member.name);
    if (rel === undefined) continue; // absolute or climbing out with "..": never used
    if (byName.has(rel)) throw badInput(`${label}: the tar holds two members named ${quoteForMessage(rel)}; the OVA is corrupt or hostile, export it again`);
    byName.set(rel, member);
    // Links, devices and other special members are never used.
    if (member.type === "file") files.set(rel, { kind: "member", tarPath: path, member });
    else if (member.type === "other") skipped.set(rel, "is a link or special file in the tar, which is never followed");
  }
  return { path, label, files, skipped, resolver: tarResolver(label, byName) };
}

/**
 * Walk a directory OVA without following symlinks out of it: a symlink is used only when it
 * resolves to a regular file inside the directory; symlinked directories are not entered.
 */
async function openDirectoryOva(path: string, label: string): Promise<OvaLayout> {
  const root = await realpath(path);
  const files = new Map<string, Located>();
  const skipped = new Map<string, string>();
  let count = 0;
  const walk = async (dir: string, relDir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
      throw badInput(`${label}: cannot list the OVA directory (${e.code ?? e.message}); check its permissions`, e);
    });
    for (const entry of entries) {
      if (++count > MAX_DIRECTORY_ENTRIES) throw badInput(`${label}: the OVA directory holds more than ${MAX_DIRECTORY_ENTRIES} entries; pass the directory of one exported VM`);
      const rel = relDir === "" ? entry.name : `${relDir}/${entry.name}`;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (depth < MAX_DIRECTORY_DEPTH) await walk(full, rel, depth + 1);
      } else if (entry.isFile()) {
        files.set(rel, { kind: "file", path: full });
      } else if (entry.isSymbolicLink()) {
        const real = await realpath(full).catch(() => undefined);
        const st = real === undefined ? undefined : await stat(real).catch(() => undefined);
        if (real === undefined || !real.startsWith(root + sep)) skipped.set(rel, "is a symlink that resolves outside the OVA directory");
        else if (!st?.isFile()) skipped.set(rel, "is a symlink to something that is not a regular file");
        else files.set(rel, { kind: "file", path: real });
      } else {
        skipped.set(rel, "is not a regular file (a device, pipe or socket)");
      }
    }
  };
  await walk(root, "", 0);
  return { path: root, label, files, skipped, resolver: directoryResolver(root, label) };
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

/** Reads an .ovf or .mf into memory, refusing what is too big to be metadata. */
async function readMetadata(ova: OvaLayout, rel: string): Promise<string> {
  const loc = ova.files.get(rel)!;
  const size = loc.kind === "file" ? (await lstat(loc.path)).size : loc.member.sizeBytes;
  if (size > MAX_METADATA_BYTES) throw badInput(`${ova.label}: ${quoteForMessage(rel)} is ${size} bytes, too big to be OVA metadata; the OVA is corrupt`);
  return loc.kind === "file" ? readFile(loc.path, "utf8") : (await readMember(loc.tarPath, loc.member)).toString("utf8");
}

async function checkManifests(ova: OvaLayout, ctx: StageContext): Promise<void> {
  for (const [f, why] of ova.skipped) {
    if (f.toLowerCase().endsWith(".mf")) ctx.reporter.warning(`${ova.label}: manifest ${quoteForMessage(f)} ${why}; it is not read, so no checksum is checked`);
  }
  const manifests = [...ova.files.keys()].filter((f) => f.toLowerCase().endsWith(".mf")).sort();
  if (manifests.length === 0) return;
  ctx.reporter.stage("Checking the OVA manifest");
  for (const mf of manifests) {
    const { entries, badLines, badLineCount } = parseManifest(await readMetadata(ova, mf));
    // Line numbers only: a hostile manifest's text is never echoed.
    for (const n of badLines) ctx.reporter.warning(`${ova.label}: line ${n} of manifest ${quoteForMessage(mf)} cannot be parsed; it is ignored`);
    if (badLineCount > badLines.length) {
      ctx.reporter.warning(`${ova.label}: ${badLineCount - badLines.length} more lines of manifest ${quoteForMessage(mf)} cannot be parsed; they are ignored`);
    }
    for (const entry of entries) {
      const rel = normalizeRelative(posix.join(posix.dirname(mf), entry.file));
      const loc = rel === undefined ? undefined : ova.files.get(rel);
      if (!loc) {
        ctx.reporter.warning(`${ova.label}: manifest ${quoteForMessage(mf)} lists ${quoteForMessage(entry.file)}, which is not in the OVA; its checksum is not checked`);
        continue;
      }
      await verifyManifestEntry(entry, rangeOf(loc), ova.label);
    }
  }
}

function findOvf(ova: OvaLayout): string {
  const ovfs = [...ova.files.keys()].filter((f) => f.toLowerCase().endsWith(".ovf"));
  if (ovfs.length === 1) return ovfs[0]!;
  if (ovfs.length === 0) {
    const refused = [...ova.skipped.entries()].find(([f]) => f.toLowerCase().endsWith(".ovf"));
    if (refused) throw badInput(`${ova.label}: the OVF ${quoteForMessage(refused[0])} ${refused[1]}; put the OVF file itself in the OVA`);
    throw badInput(`${ova.label}: no .ovf file found in the OVA; it is not an OVA or it is incomplete`);
  }
  throw badInput(`${ova.label}: the OVA holds several .ovf files (${ovfs.slice(0, 4).map((f) => quoteForMessage(f)).join(", ")}); keep only one`);
}

/** Resolves an href relative to the OVF; a missing file falls back to the newest `href.N` snapshot. */
function locateDisk(ova: OvaLayout, ovfRel: string, disk: OvfDisk): { rel: string; loc: Located } {
  const rel = normalizeRelative(posix.join(posix.dirname(ovfRel), disk.href));
  if (rel === undefined || posix.isAbsolute(disk.href)) {
    throw badInput(`${ova.label}: disk href ${quoteForMessage(disk.href)} points outside the OVA; the OVF must name files inside it`);
  }
  const found = ova.files.get(rel);
  if (found) return { rel, loc: found };
  const why = ova.skipped.get(rel);
  if (why) throw badInput(`${ova.label}: disk ${quoteForMessage(disk.diskId)} refers to ${quoteForMessage(rel)}, which ${why}; put the disk file itself in the OVA`);
  const snapshots = [...ova.files.keys()]
    .filter((f) => f.startsWith(`${rel}.`) && /^\d+$/.test(f.slice(rel.length + 1)))
    .sort((a, b) => Number(a.slice(rel.length + 1)) - Number(b.slice(rel.length + 1)));
  const last = snapshots.at(-1);
  if (last) return { rel: last, loc: ova.files.get(last)! };
  throw badInput(`${ova.label}: the OVF refers to disk file ${quoteForMessage(disk.href)}, which is not in the OVA; the OVA is incomplete, download it again`);
}

/** Gzip members stay compressed here; inflating them is the pipeline's job, after --print-source. */
function compressedDisk(loc: Located, disk: OvfDisk): SourceDisk["image"] {
  const r = rangeOf(loc);
  const sizeBytes = r.sizeBytes ?? 0;
  // The inflated file of a raw disk is its capacity; VMDK/qcow2 add metadata, never 1 % + 64 MiB of it.
  const limitBytes = disk.virtualSizeBytes === undefined ? undefined : Math.ceil(disk.virtualSizeBytes * 1.01) + 64 * 1024 * 1024;
  return { kind: "gzip", path: r.path, offsetBytes: r.offset ?? 0, sizeBytes, ...(limitBytes !== undefined ? { limitBytes } : {}) };
}

const placeOf = (ova: OvaLayout, rel: string, loc: Located): ImagePlace =>
  loc.kind === "file"
    ? { kind: "file", path: loc.path, label: `${ova.label}:${rel}` }
    : { kind: "member", tarPath: loc.tarPath, name: rel, offsetBytes: loc.member.dataOffset, sizeBytes: loc.member.sizeBytes, label: `${ova.label}:${rel}` };

async function prepareDisk(ova: OvaLayout, ovfRel: string, disk: OvfDisk, index: number, used: Map<string, string>): Promise<SourceDisk> {
  const { rel, loc } = locateDisk(ova, ovfRel, disk);
  const twice = used.get(rel);
  if (twice !== undefined) throw badInput(`${ova.label}: disks ${quoteForMessage(twice)} and ${quoteForMessage(disk.diskId)} both use the file ${quoteForMessage(rel)}; the OVF is inconsistent`);
  used.set(rel, disk.diskId);
  const displayName = `${basename(ova.path)}:${rel}`;
  const common = {
    index, displayName,
    ...(disk.controller ? { controller: disk.controller } : {}),
    ...(disk.virtualSizeBytes !== undefined ? { virtualSizeBytes: disk.virtualSizeBytes } : {}),
  };
  if (disk.compression === "gzip") return { ...common, image: compressedDisk(loc, disk) };
  const place = placeOf(ova, rel, loc);
  const { image, virtualSizeBytes } = await openImage(place, ova.resolver);
  checkDeclaredSize(place.label, virtualSizeBytes, disk.virtualSizeBytes);
  return { ...common, image, virtualSizeBytes };
}

export async function readOvaSource(opts: InputOptions, ctx: StageContext): Promise<Source> {
  const ova = await openOva(opts);
  const ovfRel = findOvf(ova);
  await checkManifests(ova, ctx);
  const ovf = parseOvf(await readMetadata(ova, ovfRel), ovfRel);
  for (const w of ovf.warnings) ctx.reporter.warning(`${ovfRel}: ${w}`);
  let name = ovf.name;
  if (name === undefined) {
    name = basename(ova.path).replace(/\.ova$/i, "");
    ctx.reporter.warning(`${ovfRel}: no VirtualSystem/Name in the OVF; the guest is named "${name}" after the OVA (use -on to choose)`);
  }
  if (ovf.disks.length === 0) throw badInput(`${ova.label}: the OVF lists no disks; there is nothing to convert`);
  const disks: SourceDisk[] = [];
  const used = new Map<string, string>();
  for (const [i, d] of ovf.disks.entries()) disks.push(await prepareDisk(ova, ovfRel, d, i, used));
  return {
    name,
    hypervisor: "vmware",
    memoryBytes: ovf.memoryBytes,
    vcpus: ovf.vcpus,
    ...(ovf.cpuTopology ? { cpuTopology: ovf.cpuTopology } : {}),
    firmware: ovf.firmware,
    ...(ovf.secureBoot !== undefined ? { secureBoot: ovf.secureBoot } : {}),
    disks,
    nics: ovf.nics,
    removableCount: ovf.removableCount,
  };
}

export const ovaInput: InputModule = {
  spec: {
    name: "ova",
    aliases: [],
    usage: "GUEST.ova|DIR",
    help: "read an OVA: a tar file, or a directory holding the .ovf",
    sourceNoun: "OVA file or directory",
    maxSources: 1,
    acceptsInputFormat: false,
    keys: [],
  },
  parseOptions: (args) => parseInputArgs(ovaInput.spec, args).options,
  readSource: readOvaSource,
};
