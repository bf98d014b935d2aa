// GRUB 2 on Debian and Ubuntu: regenerate grub.cfg in the guest, make its default entry boot the
// chosen kernel, undo the appliance device names grub-mkconfig may write, and check root=.
import type { GuestHandle } from "../../model/guest-handle.js";
import { V2vError } from "../../model/errors.js";
import { editGuestFile, GUEST_SCRIPT_ENV, runGuestScript } from "./guest-files.js";
import {
  defaultSpecForKernel, entryKernelVersion, entryRootArg, findDefaultEntry, parseGrubCfg, parseSavedEntry,
  rewriteGrubCfgDevices, setGrubDefault, type GrubEntry,
} from "./grub-cfg.js";
import { isSameFilesystem, makeApplianceRenamer, parseRootSpec, resolveRootSpec, type FilesystemFacts } from "./root-check.js";
import type { StepLog } from "./step-log.js";

export const GRUB_CFG = "/boot/grub/grub.cfg";
const GRUBENV = "/boot/grub/grubenv";
const GRUB_DEFAULTS = "/etc/default/grub";

export type GrubTool = "update-grub" | "grub-mkconfig";

/** What the target calls disk i: vdX on virtio-blk, sdX on SATA. */
export type TargetDiskPrefix = "vd" | "sd";

/**
 * The script that regenerates grub.cfg. os-prober is disabled for this run: inside the appliance it
 * would scan the appliance's own disk and add a menu entry for it (Debian 11 still runs it by default).
 */
export function grubMkconfigScript(tool: GrubTool): string {
  const cmd = tool === "update-grub" ? "update-grub" : `grub-mkconfig -o ${GRUB_CFG}`;
  return `${GUEST_SCRIPT_ENV}\nexport GRUB_DISABLE_OS_PROBER=true\n${cmd}\n`;
}

async function findGrubTool(g: GuestHandle): Promise<GrubTool | undefined> {
  for (const tool of ["update-grub", "grub-mkconfig"] as const) {
    for (const dir of ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]) if (await g.isFile(`${dir}/${tool}`)) return tool;
  }
  return undefined;
}

/**
 * Check that the guest boots with GRUB 2 and can regenerate its configuration; called before any
 * change so an unsupported bootloader fails fast. Returns the tool to run.
 */
export async function checkGrubSetup(g: GuestHandle): Promise<GrubTool> {
  if (!(await g.isFile(GRUB_CFG))) {
    throw new V2vError("CONVERSION",
      `the guest has no ${GRUB_CFG}; only GRUB 2 is supported on Debian and Ubuntu guests. Install grub-pc or grub-efi in the guest and convert it again.`);
  }
  const tool = await findGrubTool(g);
  if (!tool) {
    throw new V2vError("CONVERSION",
      `the guest has ${GRUB_CFG} but neither update-grub nor grub-mkconfig; reinstall grub2-common in the guest and convert it again.`);
  }
  return tool;
}

/** Regenerate grub.cfg so it picks up the new GRUB defaults (device names, consoles, default kernel). */
export async function regenerateGrubCfg(g: GuestHandle, log: StepLog): Promise<void> {
  const tool = await checkGrubSetup(g);
  await runGuestScript(g, grubMkconfigScript(tool), tool === "update-grub" ? "update-grub" : `grub-mkconfig -o ${GRUB_CFG}`,
    `regenerating ${GRUB_CFG}`, `Run "${tool}" in the guest to see the error, fix it, and convert the guest again.`, 10 * 60_000);
  log.change(`regenerated ${GRUB_CFG} with ${tool}`);
}

async function readDefaultEntry(g: GuestHandle): Promise<{ entry: GrubEntry | undefined; cfg: string }> {
  const cfg = await g.readFile(GRUB_CFG);
  const saved = (await g.isFile(GRUBENV)) ? parseSavedEntry(await g.readFile(GRUBENV)) : undefined;
  return { entry: findDefaultEntry(parseGrubCfg(cfg), saved), cfg };
}

/** Make grub.cfg's default entry boot `version`, through GRUB_DEFAULT and a second regeneration if needed. */
export async function makeKernelDefault(g: GuestHandle, version: string, log: StepLog): Promise<void> {
  const { entry, cfg } = await readDefaultEntry(g);
  if (entry && entryKernelVersion(entry) === version) return;
  const spec = defaultSpecForKernel(parseGrubCfg(cfg), version);
  if (!spec) {
    log.warn(`${GRUB_CFG} has no menu entry for kernel ${version}; the guest will boot ${entry ? entryKernelVersion(entry) ?? entry.title : "GRUB's first entry"}, `
      + `which may lack virtio drivers. Choose kernel ${version} in the GRUB menu at the first boot.`);
    return;
  }
  await editGuestFile(g, GRUB_DEFAULTS, (t) => setGrubDefault(t, spec));
  log.change(`set GRUB_DEFAULT="${spec}" in ${GRUB_DEFAULTS} so that GRUB boots kernel ${version}, which has the virtio drivers`);
  await regenerateGrubCfg(g, log);
  const after = await readDefaultEntry(g);
  if (!after.entry || entryKernelVersion(after.entry) !== version) {
    log.warn(`after setting GRUB_DEFAULT, ${GRUB_CFG} still does not boot kernel ${version} by default (another file under /etc/default/grub.d may set GRUB_DEFAULT); choose it in the GRUB menu at the first boot.`);
  }
}

/**
 * grub-mkconfig ran in the appliance, where the guest's disks are /dev/sdX; with GRUB_DISABLE_LINUX_UUID
 * (or no /dev/disk/by-uuid link) it writes root=/dev/sda1. Rename those to the target's names.
 */
export async function fixApplianceDeviceNames(g: GuestHandle, applianceDisks: readonly string[], prefix: TargetDiskPrefix, log: StepLog): Promise<void> {
  const renamer = makeApplianceRenamer(applianceDisks, prefix);
  let renamed: readonly { from: string; to: string }[] = [];
  await editGuestFile(g, GRUB_CFG, (t) => { const r = rewriteGrubCfgDevices(t, renamer); renamed = r.renamed; return r.text; });
  const pairs = [...new Set(renamed.map((r) => `${r.from} -> ${r.to}`))];
  if (pairs.length > 0) log.change(`renamed appliance device names in ${GRUB_CFG}: ${pairs.join(", ")}`);
}

async function gatherFilesystems(g: GuestHandle): Promise<readonly FilesystemFacts[]> {
  const out: FilesystemFacts[] = [];
  for (const device of Object.keys(await g.listFilesystems())) {
    let tags: Readonly<Record<string, string>> = {};
    try { tags = await g.blkid(device); } catch { /* a device without a signature has no tags */ }
    out.push({ device, tags });
  }
  return out;
}

/**
 * Check that the default entry's root= designates a filesystem of the converted disks, and return
 * the kernel version that entry boots. An unresolvable root= stops the conversion: the guest would hang.
 */
export async function verifyDefaultRoot(
  g: GuestHandle, rootDevice: string, applianceDisks: readonly string[], prefix: TargetDiskPrefix, log: StepLog,
): Promise<string | undefined> {
  const { entry } = await readDefaultEntry(g);
  if (!entry) {
    throw new V2vError("CONVERSION",
      `cannot find the default boot entry in the guest's ${GRUB_CFG} after regenerating it; check GRUB_DEFAULT in ${GRUB_DEFAULTS} and convert the guest again.`);
  }
  const arg = entryRootArg(entry);
  if (arg === undefined) {
    log.warn(`the default entry "${entry.title}" in ${GRUB_CFG} has no root= argument; the initramfs will have to find the root filesystem by itself`);
    return entryKernelVersion(entry);
  }
  const r = resolveRootSpec(parseRootSpec(arg), await gatherFilesystems(g), applianceDisks, prefix);
  if (!r.ok && r.checkable) {
    throw new V2vError("CONVERSION",
      `the default entry "${entry.title}" in the guest's ${GRUB_CFG} has root=${arg}, but ${r.reason}, so the converted guest could not mount its root filesystem; `
      + `fix GRUB_CMDLINE_LINUX in ${GRUB_DEFAULTS} (or /etc/fstab) in the source guest and convert it again.`);
  }
  if (!r.ok) log.note(`root=${arg} in ${GRUB_CFG}: ${r.reason}`);
  else if (!isSameFilesystem(r.device, rootDevice)) {
    log.warn(`root=${arg} in the default entry of ${GRUB_CFG} designates ${r.device}, but the root filesystem found by inspection is ${rootDevice}`);
  }
  return entryKernelVersion(entry);
}
