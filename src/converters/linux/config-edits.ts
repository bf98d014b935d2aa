// The effectful side of device-names.ts and consoles.ts: apply those pure rewrites to the guest's
// configuration files (common ones, and the family's GRUB and initramfs files), and record each
// file that changed.
import type { GuestHandle } from "../../model/guest-handle.js";
import { blsConsoleFiles, blsDeviceFiles } from "./bls-files.js";
import { replaceXenConsolesInGrubDefaults, replaceXenConsolesInInittab, type ConsoleEdit } from "./consoles.js";
import {
  makeVirtioRenamer, rewriteCrypttab, rewriteDeviceMap, rewriteFstab, rewriteGrubDefaults, rewriteMdadmConf, rewriteResumeSetting,
  type DeviceRenamer, type RewriteResult,
} from "./device-names.js";
import type { GrubTooling, LinuxFamily } from "./family.js";
import type { FilesystemFacts } from "./root-check.js";
import { makeStaleLinkRenamer } from "./stale-links.js";
import { editGuestFile, listGuestFiles } from "./guest-files.js";
import type { StepLog } from "../step-log.js";

type Rewrite = (text: string, rename: DeviceRenamer) => RewriteResult;

/** GRUB defaults: the main file and the drop-ins (Debian's cloud images use them). */
async function grubDefaultsFiles(g: GuestHandle, grub: GrubTooling): Promise<readonly string[]> {
  return [grub.defaultsPath, ...(grub.defaultsDir ? await listGuestFiles(g, grub.defaultsDir, /\.cfg$/) : [])];
}

async function deviceFiles(g: GuestHandle, family: LinuxFamily): Promise<readonly (readonly [string, Rewrite])[]> {
  return [
    ["/etc/fstab", rewriteFstab],
    ["/etc/crypttab", rewriteCrypttab],
    // Debian's and the RPM families' places for mdadm's configuration.
    ["/etc/mdadm/mdadm.conf", rewriteMdadmConf],
    ["/etc/mdadm.conf", rewriteMdadmConf],
    ...(await grubDefaultsFiles(g, family.grub)).map((p) => [p, rewriteGrubDefaults] as const),
    [family.grub.deviceMapPath, rewriteDeviceMap],
    // The initramfs bakes the resume device into the image: renamed before the initramfs is rebuilt.
    ...family.initramfs.resumeFiles.map((p) => [p, rewriteResumeSetting] as const),
    // BLS guests: the entries' options lines, /etc/kernel/cmdline, grubenv's kernelopts.
    ...(await blsDeviceFiles(g, family.grub)),
  ];
}

/**
 * Rename sdX/hdX/xvdX/nvme names to vdX in the guest's configuration, for a target where all
 * `diskCount` disks are on virtio-blk (`virtio`; otherwise those names stay), and by-id/by-path
 * links that name the source's disk hardware to /dev/disk/by-uuid (stale-links.ts) in both cases.
 */
export async function renameGuestDevices(
  g: GuestHandle, family: LinuxFamily, diskCount: number, virtio: boolean, filesystems: readonly FilesystemFacts[], log: StepLog,
): Promise<void> {
  const keep: DeviceRenamer = () => ({ kind: "unchanged" });
  const rename = makeStaleLinkRenamer(filesystems, virtio ? makeVirtioRenamer(diskCount) : keep);
  for (const [path, rewrite] of await deviceFiles(g, family)) {
    let result = undefined as RewriteResult | undefined;
    await editGuestFile(g, path, (t) => { result = rewrite(t, rename); return result.text; });
    if (!result) continue;
    const pairs = [...new Set(result.renamed.map((r) => `${r.from} -> ${r.to}`))];
    if (pairs.length > 0) log.change(`renamed devices in ${path}: ${pairs.join(", ")}`);
    if (result.unknown.length > 0) {
      log.warn(`${path} names ${result.unknown.join(", ")}, which v2v cannot match to one of the ${diskCount} source disk(s); left unchanged, so check them after the first boot`);
    }
  }
}

/** Xen's consoles (xvc0, hvc0) -> ttyS0 in GRUB defaults and /etc/inittab. */
export async function replaceXenConsoles(g: GuestHandle, grub: GrubTooling, log: StepLog): Promise<void> {
  const files: (readonly [string, (t: string) => ConsoleEdit])[] = [
    ...(await grubDefaultsFiles(g, grub)).map((p) => [p, replaceXenConsolesInGrubDefaults] as const),
    ["/etc/inittab", replaceXenConsolesInInittab],
    ...(await blsConsoleFiles(g, grub)),
  ];
  for (const [path, edit] of files) {
    if (await editGuestFile(g, path, (t) => edit(t).text)) log.change(`replaced the Xen console (xvc0/hvc0) by ttyS0 in ${path}`);
  }
}
