// Pure: /dev/disk/by-id and /dev/disk/by-path names that will not exist on the target, and the
// stable name each one becomes.
//
// udev names a disk in /dev/disk/by-id after its bus and serial ("scsi-36000c29…-part1" for a
// VMware SCSI disk, "ata-VMware_Virtual_IDE_Hard_Drive_…", "wwn-0x…") and in /dev/disk/by-path
// after its PCI address. On virtio-blk the bus, serial and address all change, so such a name in
// fstab, crypttab or root=/resume= points at nothing and the guest stops at boot. Names of
// device-mapper, md and LVM volumes ("dm-uuid-…", "md-uuid-…", "lvm-pv-uuid-…") and virtio's own
// ("virtio-…") are stable and stay.
//
// The serial cannot be matched to a disk of the conversion appliance (libguestfs attaches the
// disks without it), so a stale name is matched by its partition number: "-partN" is the
// filesystem on partition N of some source disk, a name without it a filesystem on a whole disk.
// When exactly one such filesystem has a UUID, the name becomes /dev/disk/by-uuid/UUID, which
// udev creates on any bus; otherwise it is left unchanged and the caller warns.
import type { DeviceRenamer } from "./device-names.js";
import type { FilesystemFacts } from "./root-check.js";

const STABLE_BY_ID = /^(dm-|md-|lvm-pv-uuid-|virtio-)/;

/** True for a by-id or by-path link that names the source's disk hardware. */
export function isStaleDiskLink(path: string): boolean {
  const id = /^\/dev\/disk\/by-id\/([^/]+)$/.exec(path);
  if (id) return !STABLE_BY_ID.test(id[1]!);
  return /^\/dev\/disk\/by-path\/[^/]+$/.test(path);
}

/** The partition number a link names ("…-part3" → 3), or undefined for a whole disk. */
export function linkPartition(path: string): number | undefined {
  const m = /-part([1-9][0-9]{0,2})$/.exec(path);
  return m ? Number(m[1]) : undefined;
}

/** The partition number of an appliance device ("/dev/sdb3" → 3), 0 for a whole disk, undefined for others. */
function devicePartition(device: string): number | undefined {
  const m = /^\/dev\/(?:sd|vd|hd|xvd)[a-z]+([0-9]*)$/.exec(device);
  if (!m) return undefined;
  return m[1] === "" ? 0 : Number(m[1]);
}

/** UUIDs as libblkid prints them (hex words with dashes); anything else is not put into a path. */
const SAFE_UUID = /^[0-9A-Fa-f]+(-[0-9A-Fa-f]+)*$/;

/**
 * A renamer for stale links, matched against the appliance's filesystems (see the header); any
 * other name goes to `next` (the sdX → vdX renamer).
 */
export function makeStaleLinkRenamer(filesystems: readonly FilesystemFacts[], next: DeviceRenamer): DeviceRenamer {
  return (device) => {
    if (!isStaleDiskLink(device)) return next(device);
    const want = linkPartition(device) ?? 0;
    const matches = filesystems.filter((f) => devicePartition(f.device) === want && SAFE_UUID.test(f.tags["UUID"] ?? ""));
    if (matches.length !== 1) return { kind: "unknown" };
    return { kind: "renamed", to: `/dev/disk/by-uuid/${matches[0]!.tags["UUID"]!}` };
  };
}
