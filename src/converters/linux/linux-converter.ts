// The Linux converter's list of steps, common to every family; the family (linux/<family>/)
// supplies the package manager, initramfs tool, GRUB paths and programs, and kernel naming.
// Steps run inside the guest through the GuestHandle; decisions are pure functions in sibling files.
//
// Order, and why: the read-only checks (GRUB present, which kernel) come first so an unsupported
// guest fails before anything changes; device names and stale caches are fixed *before* the
// initramfs is rebuilt, because the initramfs copies RESUME= (and LVM's files) into the image;
// grub.cfg is regenerated after every change to the GRUB defaults, and root= is checked; last, a
// UEFI guest gets the removable-path loader it needs on fresh UEFI variables (uefi-fallback.ts).
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
import { gatherFilesystems } from "./root-check.js";
import type { LinuxFamily } from "./family.js";
import { removeGuestTools } from "./guest-tools.js";
import { applyConfigEdits } from "./family-edits.js";
import { presentModules, rebuildInitramfs } from "./initramfs.js";
import { chooseVirtioKernel, describeKernel, listInstalledKernels, type InstalledKernel } from "./kernels.js";
import { StepLog } from "../step-log.js";
import { installUefiFallback } from "./uefi-fallback.js";

export const NO_VIRTIO_WARNING =
  "no installed kernel has virtio_blk and virtio_net; the target will use emulated devices (sata disk, e1000 NIC), which are slower";

/**
 * The drivers the kernel the guest will boot has. rng and balloon are not checked per module:
 * every kernel with virtio_blk and virtio_net in the distributions' builds has them too. What the
 * target makes of them (buses, machine) is decided in src/target/buses.ts.
 */
export function driversOf(virtio: boolean): GuestDriverSupport {
  return { virtioBlk: virtio, virtioNet: virtio, virtioRng: virtio, virtioBalloon: virtio };
}

async function chooseKernel(g: GuestHandle, family: LinuxFamily, log: StepLog): Promise<InstalledKernel | undefined> {
  const kernels = await listInstalledKernels(g, family.kernels);
  if (kernels.length === 0) {
    throw new V2vError("CONVERSION",
      `the guest has no kernel in /boot (no ${family.kernels.vmlinuzPath("*")} file); check that /boot is mounted by the guest's /etc/fstab and that ${family.kernels.packageHint} is installed.`);
  }
  for (const k of kernels) log.note(`kernel ${describeKernel(k)}`);
  const chosen = chooseVirtioKernel(kernels, family.kernels.compareVersions);
  if (chosen) log.note(`chose kernel ${chosen.version}: the newest one with virtio_blk and virtio_net`);
  else log.warn(NO_VIRTIO_WARNING);
  return chosen;
}

async function convertLinux(generic: LinuxFamily, g: GuestHandle, insp: Inspection, source: Source, ctx: StageContext): Promise<ConverterOutcome> {
  const log = new StepLog(ctx.reporter);
  // The family's GRUB paths for this guest (RHEL's UEFI grub.cfg sits under its ESP vendor folder).
  const grub = generic.locateGrub ? await generic.locateGrub(g, insp) : generic.grub;
  const family: LinuxFamily = { ...generic, grub };
  log.note(`converting ${insp.distro} with the ${family.name} family: GRUB configuration ${grub.cfgPath}`);
  const applianceDisks = await g.listDevices();
  const diskCount = Math.max(source.disks.length, applianceDisks.length);

  await checkGrubSetup(g, grub);
  const kernel = await chooseKernel(g, family, log);
  await removeGuestTools(g, insp, family.packages, log);
  const prefix: TargetDiskPrefix = kernel ? "vd" : "sd";
  await removeStaleCaches(g, log);
  // Read once: renaming edits configuration files only, so the filesystems' tags stay as they are.
  const filesystems = await gatherFilesystems(g);
  await renameGuestDevices(g, family, diskCount, kernel !== undefined, filesystems, log); // the emulated fallback keeps sdX names
  await replaceXenConsoles(g, grub, log);
  // The family's own files (sysconfig, modprobe aliases, network profiles): before the initramfs copies them.
  await applyConfigEdits(g, family.configEdits ?? [], { ...(kernel ? { kernel } : {}), virtioModules: kernel ? presentModules(kernel) : [] }, log);
  if (kernel) await rebuildInitramfs(g, kernel, family, log);
  await regenerateGrubCfg(g, grub, log);
  if (kernel) await makeKernelDefault(g, grub, kernel, log);
  await fixApplianceDeviceNames(g, grub, await findKernelDiskNames(g, insp, applianceDisks), prefix, log);
  const defaultKernel = await verifyDefaultRoot(g, grub, insp.root, applianceDisks, filesystems, prefix, log);
  await installUefiFallback(g, insp, log); // last: it only adds files to the ESP

  return {
    drivers: driversOf(kernel !== undefined),
    ...(defaultKernel ? { defaultKernel } : {}),
    changes: log.changes,
    warnings: log.warnings,
  };
}

/** The Linux converter for one family. */
export function linuxConverterFor(family: LinuxFamily): Converter {
  return {
    name: "linux",
    supports: family.supports,
    handles: (insp) => insp.osType === "linux" && family.distros.has(insp.distro),
    convert: (g, insp, source, ctx) => convertLinux(family, g, insp, source, ctx),
  };
}
