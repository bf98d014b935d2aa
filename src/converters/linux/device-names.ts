// Pure rewriting of block device names (sdX, hdX, xvdX, nvmeXn1, cciss) to virtio names (vdX) in
// fstab, crypttab, GRUB defaults, device.map and the initramfs resume setting.
// UUID=, LABEL=, PARTUUID= and /dev/disk/by-* are stable across buses and are left alone.
import { driveLetters } from "../../target/disk-names.js";

/** What a rename did to one device path. */
export type RenameOutcome =
  | { readonly kind: "renamed"; readonly to: string }
  | { readonly kind: "unchanged" } // not a disk name (by-uuid, mapper, md, cdrom ...) or already right
  | { readonly kind: "unknown" }; // a disk name with no source disk behind it

export type DeviceRenamer = (device: string) => RenameOutcome;

export interface RewriteResult {
  readonly text: string;
  readonly renamed: readonly { readonly from: string; readonly to: string }[];
  /** Disk names that match no source disk; left unchanged, worth a warning. */
  readonly unknown: readonly string[];
}

export { driveLetters };

/** Inverse of driveLetters: "a" -> 0, "aa" -> 26. */
export function driveIndex(letters: string): number {
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 96);
  return n - 1;
}

/** A disk device name split into source disk index and partition number ("" for the whole disk). */
export interface ParsedDisk { readonly prefix: string; readonly index: number; readonly partition: string }

export function parseDiskDevice(device: string): ParsedDisk | undefined {
  const letter = /^\/dev\/(sd|hd|xvd|vd)([a-z]+)(\d*)$/.exec(device);
  if (letter) return { prefix: letter[1]!, index: driveIndex(letter[2]!), partition: letter[3]! };
  const nvme = /^\/dev\/nvme(\d+)n1(?:p(\d+))?$/.exec(device);
  if (nvme) return { prefix: "nvme", index: Number(nvme[1]), partition: nvme[2] ?? "" };
  const cciss = /^\/dev\/cciss\/c\d+d(\d+)(?:p(\d+))?$/.exec(device);
  if (cciss) return { prefix: "cciss", index: Number(cciss[1]), partition: cciss[2] ?? "" };
  return undefined;
}

/**
 * Renamer for a guest whose disks all move to virtio-blk: source disk i (whatever bus it was on)
 * becomes /dev/vd<letter i>, so /dev/sdb1 -> /dev/vdb1 and /dev/nvme0n1p2 -> /dev/vda2.
 */
export function makeVirtioRenamer(diskCount: number): DeviceRenamer {
  return (device) => {
    const d = parseDiskDevice(device);
    if (!d) return { kind: "unchanged" };
    if (d.index >= diskCount) return { kind: "unknown" };
    const to = `/dev/vd${driveLetters(d.index)}${d.partition}`;
    return to === device ? { kind: "unchanged" } : { kind: "renamed", to };
  };
}

/** Collects what a rewrite did while it runs. */
class Tally {
  readonly renamed: { from: string; to: string }[] = [];
  readonly unknown: string[] = [];
  constructor(private readonly rename: DeviceRenamer) {}
  apply(device: string): string {
    const r = this.rename(device);
    if (r.kind === "renamed") { this.renamed.push({ from: device, to: r.to }); return r.to; }
    if (r.kind === "unknown" && !this.unknown.includes(device)) this.unknown.push(device);
    return device;
  }
  result(text: string): RewriteResult { return { text, renamed: this.renamed, unknown: this.unknown }; }
}

/** Filesystem types of removable media: their device lines name CD drives, not disks. */
const REMOVABLE_FS = new Set(["iso9660", "udf"]);

/**
 * Rewrite field `field` (0-based) of a whitespace-separated table, keeping comments and spacing.
 * `skip` may exclude a line from its other fields (fstab's CD-ROM lines).
 */
function rewriteTableField(text: string, field: number, rename: DeviceRenamer, skip?: (fields: string[]) => boolean): RewriteResult {
  const tally = new Tally(rename);
  const out = text.split("\n").map((line) => {
    if (/^\s*(#|$)/.test(line)) return line;
    const parts = line.split(/(\s+)/); // words at even indexes, separators at odd ones
    const lead = parts[0] === "" ? 2 : 0; // a line starting with blanks has an empty first word
    const words = parts.filter((_, i) => i % 2 === 0 && i >= lead);
    const at = lead + field * 2;
    const word = parts[at];
    if (word === undefined || !word.startsWith("/dev/") || skip?.(words)) return line;
    parts[at] = tally.apply(word);
    return parts.join("");
  });
  return tally.result(out.join("\n"));
}

/** True when an fstab type field ("iso9660", "udf,iso9660", "auto") names removable media only. */
export const isRemovableFsType = (type: string): boolean => {
  const types = type.split(",").filter((t) => t !== "");
  return types.length > 0 && types.every((t) => REMOVABLE_FS.has(t));
};

/** /etc/fstab: the first field (the device). CD-ROM lines (iso9660, udf, or both: "udf,iso9660") stay as they are. */
export const rewriteFstab = (text: string, rename: DeviceRenamer): RewriteResult =>
  rewriteTableField(text, 0, rename, (w) => isRemovableFsType(w[2] ?? ""));

/** /etc/crypttab: the second field (the encrypted source device). */
export const rewriteCrypttab = (text: string, rename: DeviceRenamer): RewriteResult => rewriteTableField(text, 1, rename);

/** /boot/grub/device.map: "(hd0)\t/dev/sda". */
export const rewriteDeviceMap = (text: string, rename: DeviceRenamer): RewriteResult => rewriteTableField(text, 1, rename);

/** Kernel arguments that name a block device. */
const DEVICE_ARG = /(^|[\s"'])((?:root|resume)=)(\/dev\/[A-Za-z0-9/_.:-]+)/g;

/** Rename the devices of root= and resume= in a kernel command line (any surrounding text kept). */
export function rewriteKernelArgs(cmdline: string, rename: DeviceRenamer): RewriteResult {
  const tally = new Tally(rename);
  const text = cmdline.replace(DEVICE_ARG, (_m, pre: string, key: string, dev: string) => pre + key + tally.apply(dev));
  return tally.result(text);
}

/** Merge per-line results into one. */
function mapLines(text: string, test: RegExp, edit: (line: string) => RewriteResult): RewriteResult {
  const renamed: { from: string; to: string }[] = [];
  const unknown: string[] = [];
  const out = text.split("\n").map((line) => {
    if (!test.test(line)) return line;
    const r = edit(line);
    renamed.push(...r.renamed);
    unknown.push(...r.unknown.filter((u) => !unknown.includes(u)));
    return r.text;
  });
  return { text: out.join("\n"), renamed, unknown };
}

/** /etc/default/grub (and grub.d/*.cfg): root= and resume= inside GRUB_CMDLINE_LINUX* values. */
export const rewriteGrubDefaults = (text: string, rename: DeviceRenamer): RewriteResult =>
  mapLines(text, /^\s*(export\s+)?GRUB_CMDLINE_LINUX\w*=/, (line) => rewriteKernelArgs(line, rename));

/** initramfs-tools' RESUME=/dev/sda5 (conf.d/resume, initramfs.conf), quoted or not. */
export const rewriteResumeSetting = (text: string, rename: DeviceRenamer): RewriteResult =>
  mapLines(text, /^\s*RESUME=/, (line) => {
    const tally = new Tally(rename);
    const t = line.replace(/^(\s*RESUME=["']?)(\/dev\/[^\s"']+)/, (_m, pre: string, dev: string) => pre + tally.apply(dev));
    return tally.result(t);
  });

/**
 * mdadm.conf: the device names of DEVICE lines and of ARRAY lines' devices= lists. Arrays are
 * usually found by UUID (ARRAY ... UUID=), which needs nothing; a DEVICE line or devices= list
 * that names sdX members would make mdadm look for disks that do not exist on virtio.
 */
export const rewriteMdadmConf = (text: string, rename: DeviceRenamer): RewriteResult =>
  mapLines(text, /^\s*(DEVICE|ARRAY)\b/, (line) => {
    const tally = new Tally(rename);
    const t = /^\s*DEVICE\b/.test(line)
      ? line.replace(/(\s)(\/dev\/[A-Za-z0-9/_.:-]+)(?=\s|$)/g, (_m, sp: string, dev: string) => sp + tally.apply(dev))
      : line.replace(/(\sdevices=)(\S+)/, (_m, key: string, list: string) => key + list.split(",").map((d) => (d.startsWith("/dev/") ? tally.apply(d) : d)).join(","));
    return tally.result(t);
  });
