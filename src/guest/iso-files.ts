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
   * Copy one regular file out to `hostPath` (a path of the caller's own staging directory;
   * replaced if present), refusing one larger than maxBytes. Returns its size.
   */
  async download(path: string, hostPath: string, maxBytes: number): Promise<number> {
    const abs = `/${path.replace(/^\/+/, "")}`;
    const size = await this.regularFileSize(abs);
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
