// Pure resolution of a kernel root= argument against the filesystems the appliance sees, and the
// mapping between appliance device names (/dev/sda1, what grub-mkconfig writes when it runs in the
// appliance) and target device names (/dev/vda1).
import type { GuestHandle } from "../../model/guest-handle.js";
import { driveIndex, driveLetters, parseDiskDevice, type DeviceRenamer } from "./device-names.js";

export type RootSpec =
  | { readonly kind: "uuid"; readonly value: string }
  | { readonly kind: "partuuid"; readonly value: string }
  | { readonly kind: "label"; readonly value: string }
  | { readonly kind: "device"; readonly path: string }
  | { readonly kind: "other"; readonly text: string }; // ZFS=, /dev/nfs, ... that we cannot check

export function parseRootSpec(arg: string): RootSpec {
  const tagged = /^(UUID|PARTUUID|LABEL)=(.+)$/i.exec(arg);
  if (tagged) {
    const kind = tagged[1]!.toLowerCase() as "uuid" | "partuuid" | "label";
    return { kind, value: tagged[2]! };
  }
  const byLink = /^\/dev\/disk\/by-(uuid|partuuid|label)\/(.+)$/.exec(arg);
  if (byLink) return { kind: byLink[1] as "uuid" | "partuuid" | "label", value: byLink[2]! };
  if (arg.startsWith("/dev/") && arg !== "/dev/nfs") return { kind: "device", path: arg };
  return { kind: "other", text: arg };
}

/** One filesystem of the appliance with its blkid tags (UUID, LABEL, PARTUUID or PART_ENTRY_UUID). */
export interface FilesystemFacts {
  readonly device: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** Every filesystem of the appliance with its blkid tags (none for a device without a signature). */
export async function gatherFilesystems(g: GuestHandle): Promise<readonly FilesystemFacts[]> {
  const out: FilesystemFacts[] = [];
  for (const device of Object.keys(await g.listFilesystems())) {
    let tags: Readonly<Record<string, string>> = {};
    try { tags = await g.blkid(device); } catch { /* a device without a signature has no tags */ }
    out.push({ device, tags });
  }
  return out;
}

/** "/dev/mapper/vg--data-root" and "/dev/vg-data/root" name the same logical volume. */
export function canonicalDevice(path: string): string {
  const m = /^\/dev\/mapper\/(.+)$/.exec(path);
  if (!m) return path;
  const parts = m[1]!.split(/(?<!-)-(?!-)/); // a single dash separates VG and LV; doubled dashes are literal
  if (parts.length !== 2) return path;
  return `/dev/${parts[0]!.replace(/--/g, "-")}/${parts[1]!.replace(/--/g, "-")}`;
}

/** Partition N of an appliance disk: /dev/sda + 1 -> /dev/sda1, /dev/nvme0n1 + 1 -> /dev/nvme0n1p1. */
const partitionOf = (disk: string, n: string): string => (n === "" ? disk : /\d$/.test(disk) ? `${disk}p${n}` : `${disk}${n}`);

/**
 * The appliance device behind a target device name, for a target whose disk i is named
 * /dev/<targetPrefix><letter i>: "/dev/vdb2" -> "/dev/sdb2" when the appliance lists [sda, sdb].
 */
export function targetToApplianceDevice(target: string, applianceDisks: readonly string[], targetPrefix: string): string | undefined {
  const m = new RegExp(`^/dev/${targetPrefix}([a-z]+)(\\d*)$`).exec(target);
  if (!m) return undefined;
  const disk = applianceDisks[driveIndex(m[1]!)];
  return disk === undefined ? undefined : partitionOf(disk, m[2]!);
}

/** Renamer from appliance names to target names (/dev/sda1 -> /dev/vda1), for text grub-mkconfig wrote. */
export function makeApplianceRenamer(applianceDisks: readonly string[], targetPrefix: string): DeviceRenamer {
  return (device) => {
    for (const [i, disk] of applianceDisks.entries()) {
      const rest = device.startsWith(disk) ? device.slice(disk.length) : undefined;
      if (rest === undefined || !/^(p?\d+)?$/.test(rest)) continue;
      const to = `/dev/${targetPrefix}${driveLetters(i)}${rest.replace(/^p/, "")}`;
      return to === device ? { kind: "unchanged" } : { kind: "renamed", to };
    }
    return /^\/dev\/(sd|hd|vd|xvd)[a-z]+\d*$/.test(device) ? { kind: "unknown" } : { kind: "unchanged" };
  };
}

export type RootResolution =
  | { readonly ok: true; readonly device: string }
  | { readonly ok: false; readonly reason: string; readonly checkable: boolean };

/**
 * Which appliance filesystem root= designates on the target. `checkable: false` means the form
 * cannot be checked offline (ZFS=, an unknown device-mapper name) rather than known to be wrong.
 */
export function resolveRootSpec(
  spec: RootSpec, filesystems: readonly FilesystemFacts[], applianceDisks: readonly string[], targetPrefix: string,
): RootResolution {
  const byTag = (keys: readonly string[], value: string): RootResolution => {
    const fs = filesystems.find((f) => keys.some((k) => f.tags[k]?.toLowerCase() === value.toLowerCase()));
    return fs ? { ok: true, device: fs.device } : { ok: false, reason: `no filesystem has ${keys[0]} ${value}`, checkable: true };
  };
  switch (spec.kind) {
    case "uuid": return byTag(["UUID"], spec.value);
    case "partuuid": return byTag(["PARTUUID", "PART_ENTRY_UUID"], spec.value);
    case "label": return byTag(["LABEL"], spec.value);
    case "other": return { ok: false, reason: `${spec.text} cannot be checked offline`, checkable: false };
    case "device": {
      const appliance = targetToApplianceDevice(spec.path, applianceDisks, targetPrefix);
      if (appliance !== undefined) {
        return filesystems.some((f) => f.device === appliance)
          ? { ok: true, device: appliance }
          : { ok: false, reason: `${spec.path} is not a filesystem of the converted disks`, checkable: true };
      }
      // A disk name of another bus (say /dev/sda1 on a virtio target) will not exist at boot,
      // even though the appliance has a device of that name.
      if (parseDiskDevice(spec.path)) {
        return { ok: false, reason: `the target has no disk named like ${spec.path} (its disks are /dev/${targetPrefix}*)`, checkable: true };
      }
      const wanted = canonicalDevice(spec.path);
      const fs = filesystems.find((f) => canonicalDevice(f.device) === wanted);
      if (fs) return { ok: true, device: fs.device };
      return { ok: false, reason: `${spec.path} is not a filesystem the appliance can see`, checkable: false };
    }
  }
}

/**
 * True when a resolved device and the inspected root are the same filesystem. libguestfs names a
 * btrfs subvolume root "btrfsvol:/dev/sda2/@", and LVM volumes either /dev/vg/lv or /dev/mapper/vg-lv.
 */
export function isSameFilesystem(device: string, inspectedRoot: string): boolean {
  const root = inspectedRoot.startsWith("btrfsvol:") ? inspectedRoot.slice("btrfsvol:".length) : inspectedRoot;
  const a = canonicalDevice(device);
  const b = canonicalDevice(root);
  return a === b || (inspectedRoot.startsWith("btrfsvol:") && b.startsWith(`${a}/`));
}
