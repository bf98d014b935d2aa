// Pure: does a device spec from fstab or root= (UUID=, LABEL=, /dev/vda1, /dev/mapper/vg-lv)
// name a filesystem of the converted disks, as the libguestfs appliance sees them?
import type { TargetBlockBus } from "../../model/types.js";

export interface FsFact {
  /** Appliance device: "/dev/sda1", "/dev/vg0/root". */
  readonly device: string;
  /** blkid tags: UUID, LABEL, PARTUUID, TYPE ... */
  readonly tags: Readonly<Record<string, string>>;
}

export interface DeviceFacts {
  /** Whole disks of the appliance in target order: "/dev/sda", "/dev/sdb". */
  readonly disks: readonly string[];
  readonly filesystems: readonly FsFact[];
}

export type SpecResolution = { readonly ok: true; readonly device: string } | { readonly ok: false; readonly why: string };

const DISK_PREFIX: Readonly<Record<TargetBlockBus, string>> = { "virtio-blk": "vd", "virtio-scsi": "sd", sata: "sd", ide: "hd" };

/** The device-name prefix the guest kernel gives disks on `bus`. */
export const diskPrefixFor = (bus: TargetBlockBus): string => DISK_PREFIX[bus];

/** Specs that are not disks at all (cdrom, floppy, pseudo filesystems): never stale, never resolved. */
export function isNonDiskSpec(spec: string): boolean {
  return !/^(\/dev\/|UUID=|LABEL=|PARTUUID=|PARTLABEL=)/.test(spec) || /^\/dev\/(sr\d+|cdrom\d*|fd\d+|dvd\d*)$/.test(spec);
}

/**
 * A kernel disk name that does not belong on `bus`: /dev/sda1 for a virtio guest, /dev/vda for
 * a SATA one; /dev/xvdX never (no Xen on KVM). undefined when the spec is fine.
 */
export function staleDeviceName(spec: string, bus: TargetBlockBus): string | undefined {
  const m = /^\/dev\/(xvd|vd|sd|hd)[a-z]+\d*$/.exec(spec);
  if (!m) return undefined;
  return m[1] === DISK_PREFIX[bus] ? undefined : spec;
}

/** 0-based disk index of drive letters: a -> 0, z -> 25, aa -> 26. */
function letterIndex(letters: string): number {
  let n = 0;
  for (const c of letters) n = n * 26 + (c.charCodeAt(0) - 96);
  return n - 1;
}

/** "/dev/mapper/vg0-root" -> "/dev/vg0/root" (device-mapper doubles dashes inside names). */
export function mapperToLv(path: string): string | undefined {
  const m = /^\/dev\/mapper\/(.+)$/.exec(path);
  if (!m) return undefined;
  const parts = m[1]!.split(/(?<!-)-(?!-)/);
  if (parts.length !== 2) return undefined;
  return `/dev/${parts[0]!.replace(/--/g, "-")}/${parts[1]!.replace(/--/g, "-")}`;
}

/** Resolve a spec against the converted disks. A kernel disk name must use the prefix of `bus`. */
export function resolveSpec(spec: string, facts: DeviceFacts, bus: TargetBlockBus): SpecResolution {
  const tag = /^(UUID|LABEL|PARTUUID|PARTLABEL)=(.+)$/.exec(spec) ?? /^\/dev\/disk\/by-(uuid|label|partuuid)\/(.+)$/.exec(spec);
  if (tag) {
    const key = tag[1]!.toUpperCase();
    const value = tag[2]!.replace(/^"(.*)"$/, "$1");
    const hit = facts.filesystems.find((f) => f.tags[key]?.toLowerCase() === value.toLowerCase());
    return hit ? { ok: true, device: hit.device } : { ok: false, why: `no filesystem has ${key}=${value}` };
  }
  const lv = mapperToLv(spec) ?? (/^\/dev\/[^/]+\/[^/]+$/.test(spec) && !spec.startsWith("/dev/disk/") ? spec : undefined);
  if (lv) {
    return facts.filesystems.some((f) => f.device === lv) ? { ok: true, device: lv } : { ok: false, why: `no logical volume ${lv}` };
  }
  const m = /^\/dev\/(xvd|vd|sd|hd)([a-z]+)(\d*)$/.exec(spec);
  if (m) {
    if (m[1] !== DISK_PREFIX[bus]) return { ok: false, why: `${spec} is not a ${bus} device name (expected /dev/${DISK_PREFIX[bus]}X)` };
    const disk = facts.disks[letterIndex(m[2]!)];
    if (!disk) return { ok: false, why: `${spec}: the guest has only ${facts.disks.length} disk(s)` };
    const device = `${disk}${m[3]}`;
    const exists = m[3] === "" || facts.filesystems.some((f) => f.device === device);
    return exists ? { ok: true, device } : { ok: false, why: `${spec}: no partition ${device} on the converted disks` };
  }
  return { ok: false, why: `${spec}: not a form this check understands` };
}

export interface FstabEntry {
  readonly spec: string;
  readonly mountpoint: string;
  readonly type: string;
  readonly line: number;
}

/** Pure: the entries of an fstab (comments and blank lines skipped; 1-based line numbers). */
export function parseFstab(text: string): FstabEntry[] {
  const out: FstabEntry[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    const [spec, mountpoint, type] = line.split(/\s+/);
    if (spec && mountpoint) out.push({ spec, mountpoint, type: type ?? "", line: i + 1 });
  });
  return out;
}

/** Where a guest names its resume (hibernation) device: the kernel's resume= and initramfs-tools' RESUME=. */
export const RESUME_FILES = ["/etc/default/grub", "/etc/initramfs-tools/conf.d/resume", "/etc/initramfs-tools/initramfs.conf"] as const;

/**
 * Pure: the resume devices a configuration file names (resume=/dev/X in a kernel command line,
 * RESUME=/dev/X on a line of its own), comments skipped; UUID= and LABEL= values too.
 */
export function resumeSpecs(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    if (/^\s*#/.test(line)) continue;
    for (const m of line.matchAll(/(?:^|[\s"'])resume=([^\s"']+)/g)) out.push(m[1]!);
    const own = /^\s*RESUME=["']?([^\s"']+)/.exec(line);
    if (own) out.push(own[1]!);
  }
  return out;
}
