// The Linux converter for the Debian family (Debian, Ubuntu, Linux Mint, Kali): the list of steps.
// Steps run inside the guest through the GuestHandle; decisions are pure functions in sibling files.
//
// Order, and why: the read-only checks (GRUB present, which kernel) come first so an unsupported
// guest fails before anything changes; device names and stale caches are fixed *before* the
// initramfs is rebuilt, because initramfs-tools copies RESUME= (and LVM's files) into the image;
// grub.cfg is regenerated after every change to /etc/default/grub, and root= is checked last.
import type { GuestHandle } from "../../model/guest-handle.js";
import { V2vError } from "../../model/errors.js";
import type { Converter, StageContext } from "../../model/contracts.js";
import type { ConverterOutcome, GuestDriverSupport, Inspection, Source } from "../../model/types.js";
import {
  checkGrubSetup, fixApplianceDeviceNames, makeKernelDefault, regenerateGrubCfg, verifyDefaultRoot, type TargetDiskPrefix,
} from "./bootloader.js";
import { findKernelDiskNames } from "./appliance-names.js";
import { removeStaleCaches } from "./caches.js";
import { renameGuestDevices, replaceXenConsoles } from "./config-edits.js";
import { removeGuestTools } from "./guest-tools.js";
import { rebuildInitramfs } from "./initramfs.js";
import { chooseVirtioKernel, describeKernel, listInstalledKernels, type InstalledKernel } from "./kernels.js";
import { DEBIAN_FAMILY } from "../../model/os-families.js";
import { StepLog } from "./step-log.js";

export const NO_VIRTIO_WARNING =
  "no installed kernel has virtio_blk and virtio_net; the target will use emulated devices (sata disk, e1000 NIC), which are slower";

/**
 * The drivers the kernel the guest will boot has. rng and balloon are not checked per module:
 * every kernel with virtio_blk and virtio_net in Debian's builds has them too. What the target
 * makes of them (buses, machine) is decided in src/target/buses.ts.
 */
export function driversOf(virtio: boolean): GuestDriverSupport {
  return { virtioBlk: virtio, virtioNet: virtio, virtioRng: virtio, virtioBalloon: virtio };
}

async function chooseKernel(g: GuestHandle, log: StepLog): Promise<InstalledKernel | undefined> {
  const kernels = await listInstalledKernels(g);
  if (kernels.length === 0) {
    throw new V2vError("CONVERSION",
      "the guest has no kernel in /boot (no /boot/vmlinuz-* file); check that /boot is mounted by the guest's /etc/fstab and that a linux-image package is installed.");
  }
  for (const k of kernels) log.note(`kernel ${describeKernel(k)}`);
  const chosen = chooseVirtioKernel(kernels);
  if (chosen) log.note(`chose kernel ${chosen.version}: the newest one with virtio_blk and virtio_net`);
  else log.warn(NO_VIRTIO_WARNING);
  return chosen;
}

export const linuxConverter: Converter = {
  name: "linux",
  supports: "Debian-family Linux",

  handles(insp: Inspection): boolean {
    return insp.osType === "linux" && DEBIAN_FAMILY.has(insp.distro);
  },

  async convert(g: GuestHandle, insp: Inspection, source: Source, ctx: StageContext): Promise<ConverterOutcome> {
    const log = new StepLog(ctx.reporter);
    const applianceDisks = await g.listDevices();
    const diskCount = Math.max(source.disks.length, applianceDisks.length);

    await checkGrubSetup(g);
    const kernel = await chooseKernel(g, log);
    await removeGuestTools(g, insp, log);
    const prefix: TargetDiskPrefix = kernel ? "vd" : "sd";
    await removeStaleCaches(g, log);
    if (kernel) await renameGuestDevices(g, diskCount, log); // the emulated fallback keeps sdX names
    await replaceXenConsoles(g, log);
    if (kernel) await rebuildInitramfs(g, kernel, log);
    await regenerateGrubCfg(g, log);
    if (kernel) await makeKernelDefault(g, kernel.version, log);
    await fixApplianceDeviceNames(g, await findKernelDiskNames(g, insp, applianceDisks), prefix, log);
    const defaultKernel = await verifyDefaultRoot(g, insp.root, applianceDisks, prefix, log);

    return {
      drivers: driversOf(kernel !== undefined),
      ...(defaultKernel ? { defaultKernel } : {}),
      changes: log.changes,
      warnings: log.warnings,
    };
  },
};
