// GRUB 2, with the family's paths and programs: regenerate grub.cfg in the guest, make its default
// entry boot the chosen kernel, undo the appliance device names grub-mkconfig may write, and check root=.
import type { GuestHandle } from "../../model/guest-handle.js";
import { V2vError } from "../../model/errors.js";
import { blsMenuEntries, parseBlsEntry, parseGrubenv, usesBlscfg } from "./bls.js";
import { blsDeviceFiles, blsEntryFiles } from "./bls-files.js";
import type { GrubRegenerator, GrubTooling, InstalledKernel } from "./family.js";
import { editGuestFile, GUEST_SCRIPT_ENV, hasGuestProgram, runGuestCommand, runGuestScript } from "./guest-files.js";
import {
  defaultSpecForKernel, entryKernelVersion, entryRootArg, findDefaultEntry, parseGrubCfg, parseSavedEntry,
  rewriteGrubCfgDevices, setGrubDefault, type GrubEntry, type GrubMenu,
} from "./grub-cfg.js";
import { isSameFilesystem, makeApplianceRenamer, parseRootSpec, resolveRootSpec, type FilesystemFacts } from "./root-check.js";
import type { StepLog } from "../step-log.js";

/** What the target calls disk i: vdX on virtio-blk, sdX on SATA. */
export type TargetDiskPrefix = "vd" | "sd";

/**
 * The script that regenerates grub.cfg. os-prober is disabled for this run: inside the appliance it
 * would scan the appliance's own disk and add a menu entry for it (Debian 11 still runs it by default).
 */
export function grubMkconfigScript(tool: GrubRegenerator): string {
  return `${GUEST_SCRIPT_ENV}\nexport GRUB_DISABLE_OS_PROBER=true\n${tool.shell}\n`;
}

async function findRegenerator(g: GuestHandle, grub: GrubTooling): Promise<GrubRegenerator | undefined> {
  for (const tool of grub.regenerators) if (await hasGuestProgram(g, tool.program)) return tool;
  return undefined;
}

/**
 * Check that the guest boots with GRUB 2 and can regenerate its configuration; called before any
 * change so an unsupported bootloader fails fast. Returns the program to run.
 */
export async function checkGrubSetup(g: GuestHandle, grub: GrubTooling): Promise<GrubRegenerator> {
  if (!(await g.isFile(grub.cfgPath))) {
    throw new V2vError("CONVERSION",
      `the guest has no ${grub.cfgPath}; only GRUB 2 is supported on ${grub.supportedOn}. Install ${grub.bootloaderPackages} in the guest and convert it again.`);
  }
  const tool = await findRegenerator(g, grub);
  if (!tool) {
    const programs = grub.regenerators.map((r) => r.program);
    throw new V2vError("CONVERSION",
      `the guest has ${grub.cfgPath} but ${programs.length > 1 ? `neither ${programs.join(" nor ")}` : `no ${programs[0] ?? "program to regenerate it"}`}; `
      + `reinstall ${grub.toolsPackage} in the guest and convert it again.`);
  }
  return tool;
}

/** Regenerate grub.cfg so it picks up the new GRUB defaults (device names, consoles, default kernel). */
export async function regenerateGrubCfg(g: GuestHandle, grub: GrubTooling, log: StepLog): Promise<void> {
  const tool = await checkGrubSetup(g, grub);
  await runGuestScript(g, grubMkconfigScript(tool), tool.shell,
    `regenerating ${grub.cfgPath}`, `Run "${tool.program}" in the guest to see the error, fix it, and convert the guest again.`, 10 * 60_000);
  log.change(`regenerated ${grub.cfgPath} with ${tool.program}`);
}

/**
 * GRUB's menu as the guest will show it: grub.cfg's entries, and on a BLS guest whose grub.cfg runs
 * "blscfg", the BLS entries (put first: blscfg comes from 10_linux, before any custom entry).
 */
async function readMenu(g: GuestHandle, grub: GrubTooling): Promise<{ menu: GrubMenu; env: string }> {
  const text = await g.readFile(grub.cfgPath);
  const cfg = parseGrubCfg(text);
  const env = (await g.isFile(grub.envPath)) ? await g.readFile(grub.envPath) : "";
  if (!grub.bls || !usesBlscfg(text)) return { menu: cfg, env };
  const entries = [];
  for (const path of await blsEntryFiles(g, grub)) {
    entries.push(parseBlsEntry(path.slice(path.lastIndexOf("/") + 1).replace(/\.conf$/, ""), await g.readFile(path)));
  }
  return { menu: { ...cfg, items: [...blsMenuEntries(entries, parseGrubenv(env)), ...cfg.items] }, env };
}

async function readDefaultEntry(g: GuestHandle, grub: GrubTooling): Promise<{ entry: GrubEntry | undefined; menu: GrubMenu }> {
  const { menu, env } = await readMenu(g, grub);
  return { entry: findDefaultEntry(menu, parseSavedEntry(env)), menu };
}

/** The family's default setter (grubby), when it has one and the guest has the program. */
async function setDefaultWithTool(g: GuestHandle, grub: GrubTooling, kernel: InstalledKernel, log: StepLog): Promise<boolean> {
  const program = grub.defaultSetter;
  if (!program || !(await hasGuestProgram(g, program))) return false;
  await runGuestCommand(g, [program, "--set-default", kernel.vmlinuz], `making kernel ${kernel.version} the default`,
    `Run "${program} --set-default ${kernel.vmlinuz}" in the guest to see the error, fix it, and convert the guest again.`, 10 * 60_000);
  log.change(`made ${kernel.vmlinuz} the default kernel with ${program} --set-default: it has the virtio drivers`);
  const after = await readDefaultEntry(g, grub);
  if (!after.entry || entryKernelVersion(after.entry) !== kernel.version) {
    log.warn(`after "${program} --set-default", ${grub.cfgPath} still does not boot kernel ${kernel.version} by default; choose it in the GRUB menu at the first boot.`);
  }
  return true;
}

/**
 * Make GRUB's default entry boot `kernel`: with the family's setter (grubby) when it has one,
 * else through GRUB_DEFAULT and a second regeneration.
 */
export async function makeKernelDefault(g: GuestHandle, grub: GrubTooling, kernel: InstalledKernel, log: StepLog): Promise<void> {
  const { version } = kernel;
  const { entry, menu } = await readDefaultEntry(g, grub);
  if (entry && entryKernelVersion(entry) === version) return;
  if (await setDefaultWithTool(g, grub, kernel, log)) return;
  const spec = defaultSpecForKernel(menu, version);
  if (!spec) {
    log.warn(`${grub.cfgPath} has no menu entry for kernel ${version}; the guest will boot ${entry ? entryKernelVersion(entry) ?? entry.title : "GRUB's first entry"}, `
      + `which may lack virtio drivers. Choose kernel ${version} in the GRUB menu at the first boot.`);
    return;
  }
  await editGuestFile(g, grub.defaultsPath, (t) => setGrubDefault(t, spec));
  log.change(`set GRUB_DEFAULT="${spec}" in ${grub.defaultsPath} so that GRUB boots kernel ${version}, which has the virtio drivers`);
  await regenerateGrubCfg(g, grub, log);
  const after = await readDefaultEntry(g, grub);
  if (!after.entry || entryKernelVersion(after.entry) !== version) {
    log.warn(`after setting GRUB_DEFAULT, ${grub.cfgPath} still does not boot kernel ${version} by default${grub.defaultsDir ? ` (another file under ${grub.defaultsDir} may set GRUB_DEFAULT)` : ""}; choose it in the GRUB menu at the first boot.`);
  }
}

/**
 * grub-mkconfig ran in the appliance, where the guest's disks are /dev/sdX; with GRUB_DISABLE_LINUX_UUID
 * (or no /dev/disk/by-uuid link) it writes root=/dev/sda1. Rename those to the target's names.
 */
export async function fixApplianceDeviceNames(
  g: GuestHandle, grub: GrubTooling, applianceDisks: readonly string[], prefix: TargetDiskPrefix, log: StepLog,
): Promise<void> {
  const renamer = makeApplianceRenamer(applianceDisks, prefix);
  let renamed: readonly { from: string; to: string }[] = [];
  await editGuestFile(g, grub.cfgPath, (t) => { const r = rewriteGrubCfgDevices(t, renamer); renamed = r.renamed; return r.text; });
  const pairs = [...new Set(renamed.map((r) => `${r.from} -> ${r.to}`))];
  if (pairs.length > 0) log.change(`renamed appliance device names in ${grub.cfgPath}: ${pairs.join(", ")}`);
  // grub2-mkconfig also writes the appliance's names into RHEL 8's kernelopts in grubenv.
  for (const [path, rewrite] of await blsDeviceFiles(g, grub)) {
    let done: readonly { from: string; to: string }[] = [];
    await editGuestFile(g, path, (t) => { const r = rewrite(t, renamer); done = r.renamed; return r.text; });
    const names = [...new Set(done.map((r) => `${r.from} -> ${r.to}`))];
    if (names.length > 0) log.change(`renamed appliance device names in ${path}: ${names.join(", ")}`);
  }
}

/**
 * Check that the default entry's root= designates a filesystem of the converted disks, and return
 * the kernel version that entry boots. An unresolvable root= stops the conversion: the guest would hang.
 */
export async function verifyDefaultRoot(
  g: GuestHandle, grub: GrubTooling, rootDevice: string, applianceDisks: readonly string[], filesystems: readonly FilesystemFacts[],
  prefix: TargetDiskPrefix, log: StepLog,
): Promise<string | undefined> {
  const { entry } = await readDefaultEntry(g, grub);
  if (!entry) {
    throw new V2vError("CONVERSION",
      `cannot find the default boot entry in the guest's ${grub.cfgPath} after regenerating it; check GRUB_DEFAULT in ${grub.defaultsPath} and convert the guest again.`);
  }
  const arg = entryRootArg(entry);
  if (arg === undefined) {
    log.warn(`the default entry "${entry.title}" in ${grub.cfgPath} has no root= argument; the initramfs will have to find the root filesystem by itself`);
    return entryKernelVersion(entry);
  }
  const r = resolveRootSpec(parseRootSpec(arg), filesystems, applianceDisks, prefix);
  if (!r.ok && r.checkable) {
    throw new V2vError("CONVERSION",
      `the default entry "${entry.title}" in the guest's ${grub.cfgPath} has root=${arg}, but ${r.reason}, so the converted guest could not mount its root filesystem; `
      + `fix GRUB_CMDLINE_LINUX in ${grub.defaultsPath} (or /etc/fstab) in the source guest and convert it again.`);
  }
  if (!r.ok) log.note(`root=${arg} in ${grub.cfgPath}: ${r.reason}`);
  else if (!isSameFilesystem(r.device, rootDevice)) {
    log.warn(`root=${arg} in the default entry of ${grub.cfgPath} designates ${r.device}, but the root filesystem found by inspection is ${rootDevice}`);
  }
  return entryKernelVersion(entry);
}
