// Effectful: put the virtio-win files a guest needs into a host staging directory, from the
// driver source (source.ts): a directory is walked on the host, an ISO is read through
// libguestfs (src/guest/iso-files.ts; never mounted on the host). Selection is match.ts's, the
// drivers' facts come from their staged .inf files (inf.ts).
//
// The directory walk is bounded (entries, depth) and sorted, so the same tree gives the same
// list. Symlinks: one to a regular file inside the tree counts as a file at the link's place;
// links to directories, and links leading out of the tree, are skipped (and counted in a note).
// Devices, FIFOs and sockets are skipped (counted in a note). Only regular files are copied, each at most limits.maxFileBytes and all together at most
// limits.maxTotalBytes; a file over a limit is skipped with a note (the conversion can go on
// without a .pdb, and a missing .inf only removes that driver).
import { constants } from "node:fs";
import { mkdir, open, readdir, realpath, rm, stat } from "node:fs/promises";
import { join, sep } from "node:path";
import type { Accel } from "../../../host/accel.js";
import { IsoFiles } from "../../../guest/iso-files.js";
import { driverInfo, INF_MAX_BYTES, type DriverInfo } from "./inf.js";
import { selectDriverFiles, type SelectedFile } from "./match.js";
import { describeWindows, type WindowsOs } from "./os-dirs.js";
import { qemuGaGuestName, selectQemuGaMsi } from "./qemu-ga.js";
import type { DriverSource } from "./source.js";

export interface CollectLimits {
  /** Directory entries read while walking a directory tree. */
  readonly maxEntries: number;
  readonly maxDepth: number;
  readonly maxFileBytes: number;
  readonly maxTotalBytes: number;
}

export const COLLECT_LIMITS: CollectLimits = {
  maxEntries: 100_000,
  maxDepth: 16,
  maxFileBytes: 64 * 1024 * 1024,
  maxTotalBytes: 512 * 1024 * 1024,
};

export interface CollectedFile {
  /** The flattened, lowercased name it gets in %SystemRoot%\Drivers\VirtIO. */
  readonly name: string;
  readonly hostPath: string;
}

export interface CollectedDrivers {
  /** Sorted by name. */
  readonly files: CollectedFile[];
  /** By lowercased .inf base name ("viostor"). */
  readonly drivers: ReadonlyMap<string, DriverInfo>;
  /** The OS directory the files came from ("2k22"), if any. */
  readonly osDir?: string;
  /** The QEMU guest agent installer for the guest's arch (qemu-ga.ts), staged apart from `files`. */
  readonly qemuGa?: CollectedFile;
  /** Fallbacks, skipped files, well-known ids used, no drivers: one sentence each. */
  readonly notes: string[];
}

export interface CollectOptions {
  /** The run's work directory, for the ISO's appliance (default: the staging directory). */
  readonly tmpDir?: string;
  readonly accel?: Accel;
  readonly limits?: CollectLimits;
  readonly onLog?: (line: string) => void;
}

export interface WalkResult {
  /** Paths relative to the root, "/"-separated, sorted. */
  readonly paths: string[];
  /** Relative path → the host file to read (the link's target for a symlink). */
  readonly hostFiles: ReadonlyMap<string, string>;
  readonly notes: string[];
}

/** Walk a directory tree on the host (see the header for symlinks and limits). */
export async function walkTree(root: string, limits: CollectLimits = COLLECT_LIMITS): Promise<WalkResult> {
  const realRoot = await realpath(root);
  const inside = (p: string): boolean => p === realRoot || p.startsWith(realRoot.endsWith(sep) ? realRoot : `${realRoot}${sep}`);
  const hostFiles = new Map<string, string>();
  const notes: string[] = [];
  let entries = 0;
  let skippedLinks = 0;
  let skippedSpecial = 0;
  let truncated = false;
  let tooDeep = false;
  const walk = async (dir: string, rel: string, depth: number): Promise<void> => {
    if (depth > limits.maxDepth) {
      tooDeep = true;
      return;
    }
    const list = (await readdir(dir, { withFileTypes: true }).catch(() => [])).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of list) {
      if (++entries > limits.maxEntries) {
        truncated = true;
        return;
      }
      const relPath = rel ? `${rel}/${e.name}` : e.name;
      const host = join(dir, e.name);
      if (e.isDirectory()) await walk(host, relPath, depth + 1);
      else if (e.isFile()) hostFiles.set(relPath, host);
      else if (e.isSymbolicLink()) {
        const target = await realpath(host).catch(() => undefined);
        const st = target && inside(target) ? await stat(target).catch(() => undefined) : undefined;
        if (target && st?.isFile()) hostFiles.set(relPath, target);
        else skippedLinks++;
      } else skippedSpecial++; // a device, a FIFO, a socket
      if (truncated) return;
    }
  };
  await walk(realRoot, "", 0);
  if (truncated) notes.push(`${root} has more than ${limits.maxEntries} entries: the rest was not read`);
  if (tooDeep) notes.push(`${root} is nested deeper than ${limits.maxDepth} directories: the deeper ones were not read`);
  if (skippedLinks > 0) notes.push(`${skippedLinks} symbolic link${skippedLinks === 1 ? "" : "s"} in ${root} skipped (to a directory, out of the tree, or dangling)`);
  if (skippedSpecial > 0) notes.push(`${skippedSpecial} special file${skippedSpecial === 1 ? "" : "s"} (device, FIFO, socket) in ${root} skipped`);
  return { paths: [...hostFiles.keys()].sort(), hostFiles, notes };
}

type CopyVerdict = number | "not-regular" | "too-big" | "over-total";

/** Copy one regular host file (not through a symlink) of at most maxBytes and at most `room`; returns its size. */
async function copyRegular(from: string, to: string, maxBytes: number, room: number): Promise<CopyVerdict> {
  const src = await open(from, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => undefined);
  if (!src) return "not-regular";
  try {
    const st = await src.stat();
    if (!st.isFile()) return "not-regular";
    if (st.size > maxBytes) return "too-big";
    if (st.size > room) return "over-total";
    const dst = await open(to, "wx", 0o644);
    try {
      // Exactly the size stat gave: a file growing meanwhile is not read past it.
      const buf = Buffer.alloc(Math.min(st.size, 1024 * 1024));
      for (let pos = 0; pos < st.size; ) {
        const { bytesRead } = await src.read(buf, 0, Math.min(buf.length, st.size - pos), pos);
        if (bytesRead === 0) break; // shrank meanwhile
        await dst.write(buf, 0, bytesRead, pos);
        pos += bytesRead;
      }
    } finally {
      await dst.close();
    }
    return st.size;
  } finally {
    await src.close();
  }
}

/**
 * Put the files `os` needs from `source` into `stagingDir` (created if missing; the names must be
 * free there), and read the drivers' facts from the staged .inf files. On a failure, what was
 * already staged stays in stagingDir: it is the caller's directory to remove.
 */
export async function collectDrivers(source: DriverSource, os: WindowsOs, stagingDir: string, opts: CollectOptions = {}): Promise<CollectedDrivers> {
  const limits = opts.limits ?? COLLECT_LIMITS;
  if (source.kind === "none") {
    return { files: [], drivers: new Map(), notes: [`no virtio drivers for Windows ${describeWindows(os)}: none found in ${source.searched.join(" or ")}`] };
  }
  await mkdir(stagingDir, { recursive: true });
  const notes: string[] = [];
  const staged: CollectedFile[] = [];
  let total = 0;
  const admit = (f: SelectedFile, size: CopyVerdict): boolean => {
    if (size === "not-regular") notes.push(`${f.from} is not a regular file: skipped`);
    else if (size === "too-big") notes.push(`${f.from} is larger than ${limits.maxFileBytes} bytes: skipped`);
    else if (size === "over-total") notes.push(`${f.from} would take the driver files past ${limits.maxTotalBytes} bytes: skipped`);
    else return true;
    return false;
  };

  let osDir: string | undefined;
  let driverNames: Set<string>;
  let qemuGa: CollectedFile | undefined;
  if (source.kind === "dir") {
    const walked = await walkTree(source.path, limits);
    notes.push(...walked.notes);
    const m = selectDriverFiles(walked.paths, os);
    notes.push(...m.notes);
    osDir = m.osDir;
    driverNames = m.drivers;
    for (const f of m.files) {
      const host = walked.hostFiles.get(f.from)!;
      const to = join(stagingDir, f.name);
      const size = await copyRegular(host, to, limits.maxFileBytes, limits.maxTotalBytes - total);
      if (!admit(f, size)) continue;
      total += size as number;
      staged.push({ name: f.name, hostPath: to });
    }
    const msi = selectQemuGaMsi(walked.paths, os.arch);
    if (msi !== undefined) {
      const f = { from: msi, name: qemuGaGuestName(os.arch) };
      const to = join(stagingDir, f.name);
      const size = await copyRegular(walked.hostFiles.get(msi)!, to, limits.maxFileBytes, limits.maxTotalBytes - total);
      if (admit(f, size)) {
        total += size as number;
        qemuGa = { name: f.name, hostPath: to };
      }
    }
  } else {
    const iso = await IsoFiles.open(source.path, { tmpDir: opts.tmpDir ?? stagingDir, ...(opts.accel ? { accel: opts.accel } : {}), ...(opts.onLog ? { onLog: opts.onLog } : {}) });
    try {
      const paths = await iso.list();
      const m = selectDriverFiles(paths, os);
      notes.push(...m.notes);
      osDir = m.osDir;
      driverNames = m.drivers;
      const msi = selectQemuGaMsi(paths, os.arch);
      const msiFile = msi === undefined ? undefined : { from: msi, name: qemuGaGuestName(os.arch) };
      const wanted = msiFile ? [...m.files, msiFile] : m.files;
      const sizes = await iso.regularFileSizes(wanted.map((f) => f.from));
      for (const f of wanted) {
        const size = sizes.get(f.from);
        const verdict: CopyVerdict = size === undefined ? "not-regular" : size > limits.maxFileBytes ? "too-big" : total + size > limits.maxTotalBytes ? "over-total" : size;
        if (!admit(f, verdict)) continue;
        const to = join(stagingDir, f.name);
        total += await iso.download(f.from, to, limits.maxFileBytes, size);
        if (f === msiFile) qemuGa = { name: f.name, hostPath: to };
        else staged.push({ name: f.name, hostPath: to });
      }
      await iso.close();
    } catch (e) {
      await iso.kill();
      throw e;
    }
  }

  const drivers = new Map<string, DriverInfo>();
  for (const name of [...driverNames].sort()) {
    const inf = staged.find((f) => f.name === `${name}.inf`);
    if (!inf) continue; // skipped above, with a note
    const bytes = await readInfBounded(inf.hostPath);
    const info = driverInfo(name, bytes);
    if (info.source === "well-known") notes.push(`${name}.inf lists no hardware ids: using the well-known ones`);
    drivers.set(name, info);
  }
  if (staged.length === 0) {
    notes.push(`no virtio drivers for Windows ${describeWindows(os)} in ${source.path}`);
  }
  staged.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { files: staged, drivers, ...(osDir !== undefined ? { osDir } : {}), ...(qemuGa ? { qemuGa } : {}), notes };
}

/** The first INF_MAX_BYTES of a staged file. */
async function readInfBounded(path: string): Promise<Buffer> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(INF_MAX_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Remove what collectDrivers staged (for a caller that gives up before uploading). */
export async function removeStaged(c: CollectedDrivers): Promise<void> {
  for (const f of [...c.files, ...(c.qemuGa ? [c.qemuGa] : [])]) await rm(f.hostPath, { force: true });
}
