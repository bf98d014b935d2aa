// GuestHandle on a real libguestfs appliance (GuestfishSession). File contents move through
// upload/download of temporary files, so any byte, newline or quote survives.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { V2vError, windowsHibernated } from "../model/errors.js";
import type { ApplianceGuest, InspectedRoot, PartitionInfo } from "../model/guest-handle.js";
import type { WindowsInspection } from "../model/types.js";
import { GuestfishSession, GuestfsError, type DriveSpec, type SessionOptions } from "./guestfish.js";
import { formatAppVersion, parseKeyValues, parseLines, parseStructList, shellQuote } from "./parse-output.js";

/** Files read from the guest (configuration, kernel lists, hives) are at most this big. */
export const MAX_GUEST_FILE_BYTES = 32 * 1024 * 1024;
/** The largest file download() copies out of a guest by default (a driver package, a registry hive). */
export const MAX_GUEST_DOWNLOAD_BYTES = 1024 * 1024 * 1024;

/** An appliance block device name (/dev/sda, /dev/sda1, /dev/vda2); anything else is a bug of the caller. */
function checkedDevice(device: string): string {
  if (!/^\/dev\/[a-z]{1,8}[0-9]{0,3}$/.test(device)) throw new V2vError("CONVERSION", `not a block device of the appliance: ${JSON.stringify(device)}`);
  return device;
}

/**
 * A Linux mountpoint that may stay unmounted when its fstab entry names a device the appliance
 * lacks (a /dev/disk/by-id link of the source's hardware, an NFS share's mount point): data
 * file systems, which conversion does not edit. "/" and the places conversion writes or reads
 * its facts from (/boot, /boot/efi, /usr, /var, /etc, /lib) must mount, or the edits would land
 * on the directory underneath. virt-v2v ignores every non-root failure; this is stricter.
 */
export function mayStayUnmounted(mountpoint: string): boolean {
  return mountpoint !== "/" && !/^\/(boot|efi|usr|var|etc|lib|lib64)(\/|$)/.test(mountpoint);
}

export class GuestfishGuest implements ApplianceGuest {
  private tmpCounter = 0;
  private constructor(private readonly s: GuestfishSession, private readonly tmp: string) {}

  /** Launch an appliance on these drives (one launch per conversion). */
  static async open(drives: readonly DriveSpec[], opts: SessionOptions = {}): Promise<GuestfishGuest> {
    const s = await GuestfishSession.start(drives, opts);
    // Inside the run's work dir when there is one, so the run's cleanup removes it in any case.
    const tmp = await mkdtemp(join(opts.tmpDir ?? process.env["VIRT_V2V_TMPDIR"] ?? tmpdir(), "v2v-files-")).catch(async (e: unknown) => {
      await s.kill();
      throw e;
    });
    return new GuestfishGuest(s, tmp);
  }

  /** Stop the appliance at once (a failed run's cleanup); close() is the clean way. */
  async kill(): Promise<void> {
    await this.s.kill();
  }

  /** The raw session, for the few callers (image builders) that need commands outside GuestHandle. */
  get session(): GuestfishSession {
    return this.s;
  }

  async inspectRoots(): Promise<readonly InspectedRoot[]> {
    const roots = parseLines(await this.s.cmd("inspect-os"));
    const out: InspectedRoot[] = [];
    for (const root of roots) {
      const get = (what: string): Promise<string> => this.s.cmd(`inspect-get-${what}`, root).catch(() => "unknown");
      out.push({
        root,
        osType: await get("type"),
        distro: await get("distro"),
        majorVersion: Number(await get("major-version")) || 0,
        minorVersion: Number(await get("minor-version")) || 0,
        productName: await get("product-name"),
        arch: await get("arch"),
        osinfo: await get("osinfo"),
        packageFormat: await get("package-format"),
        packageManagement: await get("package-management"),
        mountpoints: parseKeyValues(await this.s.cmd("inspect-get-mountpoints", root)),
        ...((await get("type")) === "windows" ? { windows: await this.windowsFacts(root) } : {}),
      });
    }
    return out;
  }

  private async windowsFacts(root: string): Promise<WindowsInspection> {
    const get = (what: string): Promise<string> => this.s.cmd(`inspect-get-${what}`, root).catch(() => "unknown");
    return {
      systemRoot: await get("windows-systemroot"),
      currentControlSet: await get("windows-current-control-set"),
      productVariant: await get("product-variant"),
      systemHive: await get("windows-system-hive"),
      softwareHive: await get("windows-software-hive"),
    };
  }

  async listApplications(root: string): Promise<readonly { name: string; version: string }[]> {
    const apps = parseStructList(await this.s.cmd("inspect-list-applications2", root));
    return apps.map((a) => ({ name: a["app2_name"] ?? "", version: formatAppVersion(a) }));
  }

  async mountRoot(root: InspectedRoot): Promise<readonly string[]> {
    // Parents before children: "/" before "/boot" before "/boot/efi".
    const entries = Object.entries(root.mountpoints).sort((a, b) => a[0].length - b[0].length);
    const ignored: string[] = [];
    for (const [mp, dev] of entries) {
      await this.s.cmd("mount", dev, mp).catch((e: unknown) => {
        if (root.osType === "windows") throw windowsMountError(e, dev);
        if (!mayStayUnmounted(mp) || !(e instanceof V2vError)) throw e;
        ignored.push(`${mp} (${dev}) could not be mounted, so it is left as it is: ${e.message.split("\n")[0]}`);
      });
    }
    return ignored;
  }

  async listFilesystems(): Promise<Readonly<Record<string, string>>> {
    return parseKeyValues(await this.s.cmd("list-filesystems"));
  }

  async partitionTableType(device: string): Promise<string | undefined> {
    return this.s.cmd("part-get-parttype", device).catch(() => undefined);
  }

  // The appliance's disks and partitions are fixed once it runs (nothing done through a
  // GuestfishGuest repartitions), and vfsType and partitionInfo check every device against
  // them: they are read once.
  private devices?: Promise<readonly string[]>;
  private partitions?: Promise<readonly string[]>;

  listDevices(): Promise<readonly string[]> {
    this.devices ??= this.s.cmd("list-devices").then(parseLines, (e: unknown) => { this.devices = undefined; throw e; });
    return this.devices;
  }

  listPartitions(): Promise<readonly string[]> {
    this.partitions ??= this.s.cmd("list-partitions").then(parseLines, (e: unknown) => { this.partitions = undefined; throw e; });
    return this.partitions;
  }

  async partitionInfo(device: string): Promise<PartitionInfo | undefined> {
    // Only what libguestfs lists as a partition (an LDM or LVM volume or a whole disk is none);
    // that also keeps any other string away from the part-* commands.
    if (!(await this.listPartitions()).includes(device)) return undefined;
    const disk = await this.s.cmd("part-to-dev", device);
    const number = Number(await this.s.cmd("part-to-partnum", device));
    const table = await this.s.cmd("part-get-parttype", disk);
    // guestfish prints the MBR id in hex ("0x42"); Number() reads both that and decimal.
    if (table === "msdos") return { disk, number, table, mbrId: Number(await this.s.cmd("part-get-mbr-id", disk, String(number))) };
    if (table === "gpt") return { disk, number, table, gptType: (await this.s.cmd("part-get-gpt-type", disk, String(number))).toUpperCase() };
    return { disk, number, table };
  }

  async vfsType(device: string): Promise<string> {
    // Devices come from libguestfs's own lists; anything else is not passed on.
    const known = [...(await this.listDevices()), ...(await this.listPartitions())];
    if (!known.includes(device)) throw new V2vError("CONVERSION", `not a block device of the appliance: ${JSON.stringify(device)}`);
    return this.s.cmd("vfs-type", device);
  }

  async openLuks(device: string, mapName: string, passphrase: string): Promise<void> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(mapName)) throw new V2vError("CONVERSION", `not a device-mapper name: ${JSON.stringify(mapName)}`);
    await this.s.cmdWithKey(passphrase, "cryptsetup-open", checkedDevice(device), mapName);
  }

  async activateVolumeGroups(): Promise<void> {
    await this.s.cmd("vgscan");
    await this.s.cmd("vg-activate-all", "true");
  }

  async deviceSizeBytes(device: string): Promise<number> {
    const n = Number(await this.s.cmd("blockdev-getsize64", checkedDevice(device)));
    if (!Number.isSafeInteger(n) || n < 0) throw new V2vError("CONVERSION", `libguestfs gave no size for ${device}`);
    return n;
  }

  async readDeviceRange(device: string, localPath: string, offset: number, size: number): Promise<void> {
    await this.s.cmd("download-offset", checkedDevice(device), localPath, String(offset), String(size));
  }

  async writeDeviceRange(localPath: string, device: string, offset: number): Promise<void> {
    await this.s.cmd("upload-offset", localPath, checkedDevice(device), String(offset));
  }

  async exists(path: string): Promise<boolean> {
    return (await this.s.cmd("exists", path)) === "true";
  }

  async isFile(path: string): Promise<boolean> {
    return (await this.s.cmd("is-file", path, "followsymlinks:true")) === "true";
  }

  async isDir(path: string): Promise<boolean> {
    return (await this.s.cmd("is-dir", path, "followsymlinks:true")) === "true";
  }

  async ls(path: string): Promise<readonly string[]> {
    if (!(await this.isDir(path))) return [];
    return parseLines(await this.s.cmd("ls", path));
  }

  async readFile(path: string): Promise<string> {
    // The guest is untrusted: /etc/fstab may be a symlink to /dev/zero or a file of gigabytes.
    const local = this.tmpPath();
    try {
      await this.download(path, local, MAX_GUEST_FILE_BYTES);
      return await readFile(local, "utf8");
    } finally {
      await rm(local, { force: true });
    }
  }

  async download(path: string, localPath: string, maxBytes: number = MAX_GUEST_DOWNLOAD_BYTES): Promise<void> {
    if ((await this.s.cmd("is-file", path, "followsymlinks:true")) !== "true") {
      throw new V2vError("CONVERSION", `the guest's ${path} is not a regular file (a device, a directory or a dangling link), so it is not read; fix it in the guest and export it again`);
    }
    const size = Number(await this.s.cmd("filesize", path));
    if (!(size <= maxBytes)) {
      throw new V2vError("CONVERSION", `the guest's ${path} is ${size} bytes, more than the ${maxBytes / 1024 / 1024} MiB v2v reads from it; fix it in the guest and export it again`);
    }
    await this.s.cmd("download", path, localPath);
  }

  async writeFile(path: string, content: string, mode?: number): Promise<void> {
    const local = this.tmpPath();
    try {
      await writeFile(local, content);
      await this.upload(local, path, mode);
    } finally {
      await rm(local, { force: true });
    }
  }

  async upload(localPath: string, path: string, mode?: number): Promise<void> {
    await this.s.cmd("upload", localPath, path);
    if (mode !== undefined) await this.s.cmd("chmod", `0${mode.toString(8)}`, path);
  }

  async downloadRange(path: string, localPath: string, offset: number, size: number): Promise<void> {
    if ((await this.s.cmd("is-file", path, "followsymlinks:true")) !== "true") {
      throw new V2vError("CONVERSION", `the guest's ${path} is not a regular file, so it is not read; fix it in the guest and export it again`);
    }
    const length = Number(await this.s.cmd("filesize", path));
    const take = Math.max(0, Math.min(size, length - offset));
    await this.s.cmd("download-offset", path, localPath, String(offset), String(take));
  }

  async caseSensitivePath(path: string): Promise<string> {
    // libguestfs resolves every component and fails on a missing one; the contract lets the
    // last one be missing (a file about to be created), so the parent is resolved first.
    const cut = path.replace(/\/+$/, "").lastIndexOf("/");
    const name = path.replace(/\/+$/, "").slice(cut + 1);
    if (name === "") return "/";
    const parent = cut <= 0 ? "/" : await this.s.cmd("case-sensitive-path", path.slice(0, cut));
    const hit = (await this.ls(parent)).find((n) => n.toLowerCase() === name.toLowerCase());
    return `${parent === "/" ? "" : parent}/${hit ?? name}`;
  }

  async mount(device: string, path: string): Promise<void> {
    await this.s.cmd("mount", device, path);
  }

  async umount(path: string): Promise<void> {
    await this.s.cmd("umount", path);
  }

  async mkdirP(path: string): Promise<void> {
    await this.s.cmd("mkdir-p", path);
  }

  async rm(path: string): Promise<void> {
    await this.s.cmd("rm", path);
  }

  async rmRf(path: string): Promise<void> {
    await this.s.cmd("rm-rf", path);
  }

  async mv(from: string, to: string): Promise<void> {
    await this.s.cmd("mv", from, to);
  }

  async cp(from: string, to: string): Promise<void> {
    await this.s.cmd("cp-a", from, to);
  }

  async realpath(path: string): Promise<string> {
    return this.s.cmd("realpath", path);
  }

  async blkid(device: string): Promise<Readonly<Record<string, string>>> {
    return parseKeyValues(await this.s.cmd("blkid", device));
  }

  async command(argv: readonly string[], opts: { timeoutMs?: number } = {}): Promise<string> {
    return this.sh(argv.map(shellQuote).join(" "), opts);
  }

  async sh(script: string, opts: { timeoutMs?: number } = {}): Promise<string> {
    // libguestfs runs the script with /bin/sh -c inside the guest (chroot, /dev /proc /sys bound);
    // on failure its error carries the script's stderr.
    return this.s.cmdWithTimeout(opts.timeoutMs ?? 20 * 60_000, "sh", script);
  }

  async freeBytes(path: string): Promise<number> {
    const v = parseKeyValues(await this.s.cmd("statvfs", path));
    return Number(v["bavail"]) * Number(v["frsize"] ?? v["bsize"]);
  }

  async fstrimAll(): Promise<readonly string[]> {
    const mps = parseKeyValues(await this.s.cmd("mountpoints"));
    const failures: string[] = [];
    for (const mp of Object.values(mps)) {
      await this.s.cmd("fstrim", mp).catch((e: unknown) => {
        if (!(e instanceof GuestfsError)) throw e;
        failures.push(`${mp}: ${e.message}`);
      });
    }
    return failures;
  }

  async close(): Promise<void> {
    try {
      await this.s.close();
    } finally {
      await rm(this.tmp, { recursive: true, force: true });
    }
  }

  private tmpPath(): string {
    this.tmpCounter += 1;
    return join(this.tmp, `f${this.tmpCounter}`);
  }
}

/**
 * ntfs-3g refuses to mount a volume Windows left hibernated, or "unclean" after a Fast Startup
 * (hybrid) shutdown: writing to it would lose what Windows keeps in its hibernation file. That
 * is a refusal of the guest with what to do about it, not a libguestfs failure.
 */
export function windowsMountError(e: unknown, device: string): unknown {
  const text = e instanceof Error ? e.message : String(e);
  if (!/hibernat|unclean file system|Windows cache|unsafe state/i.test(text)) return e;
  return windowsHibernated(`${device} is not cleanly unmounted`);
}
