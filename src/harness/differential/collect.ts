// Effectful: read, through libguestfs and read-only, what the differential compares on each
// Windows disk (the source, or a disk one of the tools converted): the SYSTEM and SOFTWARE hives,
// the BCD of the ESP (UEFI), the Drivers\VirtIO listing and the first-boot folder of either tool.
// The hives are downloaded to a temporary directory and parsed with our own Hive reader.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { GuestfishSession } from "../../guest/guestfish.js";
import { Hive } from "../../registry/hive.js";
import { flattenHive, type GuestState } from "./diff.js";

/** Hives and BCDs of the reference guests are a few MiB; a file above this is not read. */
const MAX_HIVE_BYTES = 256 * 1024 * 1024;

/** The first-boot folders of the two tools, as seen from C:\. */
export const FIRSTBOOT_DIRS = ["/Program Files/V2V/Firstboot", "/Program Files/Guestfs/Firstboot"] as const;

const lines = (s: string): string[] => s.split("\n").map((l) => l.trim()).filter((l) => l.length > 0);

/** The guest's spelling of `path`, or undefined when some part of it does not exist. */
async function guestPath(s: GuestfishSession, path: string): Promise<string | undefined> {
  const p = await s.cmd("case-sensitive-path", path).catch(() => undefined);
  if (p === undefined) return undefined;
  return (await s.cmd("exists", p)) === "true" ? p : undefined;
}

async function downloadHive(s: GuestfishSession, path: string, tmp: string, what: string): Promise<Map<string, string>> {
  const size = Number(await s.cmd("filesize", path));
  if (!Number.isFinite(size) || size > MAX_HIVE_BYTES) throw new Error(`${what} (${path}) is ${size} bytes; at most ${MAX_HIVE_BYTES} are read`);
  const local = join(tmp, what.replace(/[^A-Za-z0-9]+/g, "-"));
  await s.cmd("download", path, local);
  const hive = Hive.parse(await readFile(local), what);
  await rm(local, { force: true });
  return flattenHive(hive);
}

/** `find` under a directory, as lower-cased relative paths; [] when the directory is missing. */
async function listing(s: GuestfishSession, dir: string): Promise<string[] | undefined> {
  const p = await guestPath(s, dir);
  if (p === undefined || (await s.cmd("is-dir", p)) !== "true") return undefined;
  return lines(await s.cmd("find", p)).map((l) => l.toLowerCase()).sort();
}

/** The device libguestfs gives the n-th added drive (0 -> /dev/sda). */
export function deviceOfDrive(n: number): string {
  return `/dev/sd${String.fromCharCode(0x61 + n)}`;
}

/** Pure: whether a partition or device name ("/dev/sdb3") lies on the drive `dev` ("/dev/sdb"). */
export function onDevice(name: string, dev: string): boolean {
  return name === dev || new RegExp(`^${dev}[0-9]+$`).test(name);
}

/**
 * Everything the differential reads from each disk (the source and both converted disks), in
 * one appliance with every disk attached read-only: one launch instead of three.
 */
export async function collectGuestStates(disks: ReadonlyArray<{ path: string; format: "raw" | "qcow2"; label: string }>): Promise<GuestState[]> {
  if (disks.length > 26) throw new Error("at most 26 disks per appliance");
  const tmp = await mkdtemp(join(process.env["VIRT_V2V_TMPDIR"] ?? "/var/tmp", "v2v-differential-"));
  const s = await GuestfishSession.start(disks.map((d) => ({ path: d.path, format: d.format, readonly: true })));
  try {
    const roots = lines(await s.cmd("inspect-os"));
    const filesystems = lines(await s.cmd("list-filesystems")).map((l) => l.split(/:\s*/) as [string, string?]);
    const out: GuestState[] = [];
    for (const [i, d] of disks.entries()) {
      const dev = deviceOfDrive(i);
      const root = roots.find((r) => onDevice(r, dev));
      if (root === undefined) throw new Error(`${d.label}: libguestfs found no operating system on ${d.path}`);
      const esps = filesystems.filter(([fs, type]) => type === "vfat" && onDevice(fs, dev)).map(([fs]) => fs);
      out.push(await collectOne(s, root, esps, d.path, d.label, tmp));
    }
    return out;
  } finally {
    await s.close().catch(() => s.kill());
    await rm(tmp, { recursive: true, force: true });
  }
}

async function collectOne(s: GuestfishSession, root: string, esps: readonly string[], disk: string, label: string, tmp: string): Promise<GuestState> {
  const type = await s.cmd("inspect-get-type", root);
  if (type !== "windows") throw new Error(`${label}: the guest on ${disk} is "${type}", not Windows`);
  await s.cmd("umount-all");
  // The ESP first (mounted alone at /), then the Windows volume.
  let bcd: Map<string, string> | undefined;
  for (const esp of esps) {
    await s.cmd("mount-ro", esp, "/");
    try {
      const p = await guestPath(s, "/EFI/Microsoft/Boot/BCD");
      if (p !== undefined && bcd === undefined) bcd = await downloadHive(s, p, tmp, `${label} BCD`);
    } finally {
      await s.cmd("umount-all");
    }
  }
  await s.cmd("mount-ro", root, "/");
  try {
    const config = "/Windows/System32/config";
    const systemPath = await guestPath(s, `${config}/SYSTEM`);
    const softwarePath = await guestPath(s, `${config}/SOFTWARE`);
    if (!systemPath || !softwarePath) throw new Error(`${label}: ${disk} has no ${config}/SYSTEM or SOFTWARE`);
    const system = await downloadHive(s, systemPath, tmp, `${label} SYSTEM hive`);
    const software = await downloadHive(s, softwarePath, tmp, `${label} SOFTWARE hive`);
    const virtio = (await listing(s, "/Windows/Drivers/VirtIO")) ?? [];
    let firstboot: GuestState["firstboot"];
    for (const dir of FIRSTBOOT_DIRS) {
      const files = await listing(s, dir);
      if (files) {
        firstboot = { dir: dir.slice(1), files };
        break;
      }
    }
    return { system, software, ...(bcd ? { bcd } : {}), virtio, ...(firstboot ? { firstboot } : {}) };
  } finally {
    await s.cmd("umount-all");
  }
}
