// The effectful side of device-names.ts and consoles.ts: apply those pure rewrites to the guest's
// configuration files, and record each file that changed.
import type { GuestHandle } from "../../model/guest-handle.js";
import { replaceXenConsolesInGrubDefaults, replaceXenConsolesInInittab, type ConsoleEdit } from "./consoles.js";
import {
  makeVirtioRenamer, rewriteCrypttab, rewriteDeviceMap, rewriteFstab, rewriteGrubDefaults, rewriteResumeSetting,
  type DeviceRenamer, type RewriteResult,
} from "./device-names.js";
import { editGuestFile, listGuestFiles } from "./guest-files.js";
import type { StepLog } from "./step-log.js";

type Rewrite = (text: string, rename: DeviceRenamer) => RewriteResult;

/** GRUB defaults: the main file and the drop-ins Debian's cloud images use. */
async function grubDefaultsFiles(g: GuestHandle): Promise<readonly string[]> {
  return ["/etc/default/grub", ...(await listGuestFiles(g, "/etc/default/grub.d", /\.cfg$/))];
}

async function deviceFiles(g: GuestHandle): Promise<readonly (readonly [string, Rewrite])[]> {
  return [
    ["/etc/fstab", rewriteFstab],
    ["/etc/crypttab", rewriteCrypttab],
    ...(await grubDefaultsFiles(g)).map((p) => [p, rewriteGrubDefaults] as const),
    ["/boot/grub/device.map", rewriteDeviceMap],
    // initramfs-tools bakes RESUME= into the image: renamed before the initramfs is rebuilt.
    ["/etc/initramfs-tools/conf.d/resume", rewriteResumeSetting],
    ["/etc/initramfs-tools/initramfs.conf", rewriteResumeSetting],
  ];
}

/**
 * Rename sdX/hdX/xvdX/nvme names to vdX in the guest's configuration, for a target where all
 * `diskCount` disks are on virtio-blk.
 */
export async function renameGuestDevices(g: GuestHandle, diskCount: number, log: StepLog): Promise<void> {
  const rename = makeVirtioRenamer(diskCount);
  for (const [path, rewrite] of await deviceFiles(g)) {
    let result = undefined as RewriteResult | undefined;
    await editGuestFile(g, path, (t) => { result = rewrite(t, rename); return result.text; });
    if (!result) continue;
    const pairs = [...new Set(result.renamed.map((r) => `${r.from} -> ${r.to}`))];
    if (pairs.length > 0) log.change(`renamed devices in ${path}: ${pairs.join(", ")}`);
    if (result.unknown.length > 0) {
      log.warn(`${path} names ${result.unknown.join(", ")}, which match none of the ${diskCount} source disk(s); left unchanged, so check them after the first boot`);
    }
  }
}

/** Xen's consoles (xvc0, hvc0) -> ttyS0 in GRUB defaults and /etc/inittab. */
export async function replaceXenConsoles(g: GuestHandle, log: StepLog): Promise<void> {
  const files: (readonly [string, (t: string) => ConsoleEdit])[] = [
    ...(await grubDefaultsFiles(g)).map((p) => [p, replaceXenConsolesInGrubDefaults] as const),
    ["/etc/inittab", replaceXenConsolesInInittab],
  ];
  for (const [path, edit] of files) {
    if (await editGuestFile(g, path, (t) => edit(t).text)) log.change(`replaced the Xen console (xvc0/hvc0) by ttyS0 in ${path}`);
  }
}
