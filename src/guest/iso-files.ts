// Reading files out of an ISO image (the virtio-win ISO) through libguestfs: the image is added
// read-only with an explicit raw format (nothing probes it), its filesystem is mounted read-only
// inside the appliance, never on the host. Only regular files are read (symlinks are not
// followed), each up to a size the caller gives.
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Accel } from "../host/accel.js";
import { V2vError } from "../model/errors.js";
import { GuestfishSession } from "./guestfish.js";

export interface IsoOpenOptions {
  /** Where the session's directory goes (the run's work directory). */
  readonly tmpDir: string;
  readonly accel?: Accel;
  readonly trace?: boolean;
  readonly onLog?: (line: string) => void;
}

/** At most this many names are listed from an ISO (the real virtio-win ISO has a few thousand). */
export const ISO_MAX_ENTRIES = 100_000;

/** Pure: find0's output (NUL-separated paths relative to /) as a list, at most `max` entries. */
export function parseFind0(bytes: Buffer, max = ISO_MAX_ENTRIES): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length && out.length < max; i++) {
    if (bytes[i] !== 0) continue;
    if (i > start) out.push(bytes.subarray(start, i).toString("utf8"));
    start = i + 1;
  }
  if (start < bytes.length && out.length < max) out.push(bytes.subarray(start).toString("utf8"));
  return out;
}

export interface StatEntry {
  readonly ino: number;
  readonly mode: number;
  readonly size: number;
}

/** Pure: guestfish's printout of a stat struct list (lstatnslist) as entries, in order. */
export function parseStatList(text: string): StatEntry[] {
  const out: StatEntry[] = [];
  for (const block of text.split(/^\[\d+\] = \{$/m).slice(1)) {
    const field = (name: string): number => {
      const m = new RegExp(`^\\s*${name}: (-?\\d+)$`, "m").exec(block);
      return m ? Number(m[1]) : Number.NaN;
    };
    out.push({ ino: field("st_ino"), mode: field("st_mode"), size: field("st_size") });
  }
  return out;
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;

/** Pure: the size of a regular file's stat entry, undefined for anything else (or a failed lstat). */
export const regularSize = (e: StatEntry | undefined): number | undefined =>
  e && e.ino !== -1 && (e.mode & S_IFMT) === S_IFREG && Number.isSafeInteger(e.size) && e.size >= 0 ? e.size : undefined;

/** A name lstatnslist can take in its space-separated list. */
const LISTABLE = /^[^\s"'\\/]{1,255}$/;

export class IsoFiles {
  private constructor(
    private readonly s: GuestfishSession,
    private readonly tmpDir: string,
    readonly iso: string,
  ) {}

  /** Start an appliance with the ISO as its only disk and mount it read-only at /. */
  static async open(iso: string, opts: IsoOpenOptions): Promise<IsoFiles> {
    const s = await GuestfishSession.start([{ path: iso, format: "raw", readonly: true }], {
      tmpDir: opts.tmpDir,
      ...(opts.accel ? { accel: opts.accel } : {}),
      ...(opts.trace ? { trace: true } : {}),
      ...(opts.onLog ? { onLog: opts.onLog } : {}),
    });
    try {
      await s.cmd("mount-ro", "/dev/sda", "/");
    } catch (e) {
      await s.kill();
      throw new V2vError("BAD_INPUT", `${iso} could not be mounted as an ISO image (${(e as Error).message.split("\n")[0]}); point VIRTIO_WIN at the virtio-win ISO or its unpacked directory`, { cause: e });
    }
    return new IsoFiles(s, opts.tmpDir, iso);
  }

  /** Every path in the image (files and directories), relative to its root, without a leading "/". */
  async list(): Promise<string[]> {
    const local = join(this.tmpDir, `iso-find0-${process.pid}-${Date.now()}`);
    try {
      await this.s.cmd("find0", "/", local);
      return parseFind0(await readFile(local));
    } finally {
      await rm(local, { force: true });
    }
  }

  /** The size of a regular file (not through a symlink), or undefined for anything else. */
  async regularFileSize(path: string): Promise<number | undefined> {
    const abs = `/${path.replace(/^\/+/, "")}`;
    if ((await this.s.cmd("is-file", abs)) !== "true") return undefined;
    const size = Number(await this.s.cmd("filesize", abs));
    return Number.isSafeInteger(size) && size >= 0 ? size : undefined;
  }

  /**
   * The sizes of many paths at once (one lstatnslist per directory instead of two calls per
   * file): a path maps to undefined unless it is a regular file (symlinks are not followed).
   */
  async regularFileSizes(paths: readonly string[]): Promise<Map<string, number | undefined>> {
    const result = new Map<string, number | undefined>();
    const byDir = new Map<string, string[]>();
    for (const p of paths) {
      const abs = `/${p.replace(/^\/+/, "")}`;
      const i = abs.lastIndexOf("/");
      const dir = abs.slice(0, i) || "/";
      const name = abs.slice(i + 1);
      result.set(p, undefined);
      if (!LISTABLE.test(name)) continue;
      byDir.set(dir, [...(byDir.get(dir) ?? []), name]);
    }
    for (const [dir, names] of byDir) {
      const stats = parseStatList(await this.s.cmd("lstatnslist", dir, names.join(" ")));
      const prefix = dir === "/" ? "/" : `${dir}/`;
      names.forEach((n, k) => {
        const size = regularSize(stats[k]);
        for (const p of paths) if (`/${p.replace(/^\/+/, "")}` === `${prefix}${n}`) result.set(p, size);
      });
    }
    return result;
  }

  /**
   * Copy one regular file out to `hostPath` (a path of the caller's own staging directory;
   * replaced if present), refusing one larger than maxBytes. Returns its size. `checkedSize` is
   * the size regularFileSizes gave for it in this session, which saves asking again.
   */
  async download(path: string, hostPath: string, maxBytes: number, checkedSize?: number): Promise<number> {
    const abs = `/${path.replace(/^\/+/, "")}`;
    // checkedSize: what regularFileSizes said in this session (the image is read-only).
    const size = checkedSize ?? (await this.regularFileSize(abs));
    if (size === undefined) throw new V2vError("BAD_INPUT", `${abs} in ${this.iso} is not a regular file; use a virtio-win ISO without links or special files there`);
    if (size > maxBytes) throw new V2vError("BAD_INPUT", `${abs} in ${this.iso} is ${size} bytes, more than the ${maxBytes} v2v reads; use an unmodified virtio-win ISO`);
    await this.s.cmd("download", abs, hostPath);
    return size;
  }

  /** Unmount and stop the appliance. Safe to call twice. */
  async close(): Promise<void> {
    await this.s.close();
  }

  /** Stop the appliance without a clean shutdown (failures). */
  async kill(): Promise<void> {
    await this.s.kill();
  }
}
