// The Windows converter: make a VMware-born (or Xen, Parallels) Windows guest boot on KVM with
// virtio, and leave the rest to a first-boot service inside the guest. Decisions are pure
// functions in sibling files; this file holds the order and the guest I/O.
//
// Order, and why:
// 1. Read-only checks first (hibernation, the SOFTWARE hive's build and tools), so a guest we
//    must refuse is refused before anything changes. NT 5 (XP, 2003) then gets its NTFS boot
//    sector's BIOS geometry fixed (ntfs-heads.ts).
// 2. The virtio drivers: chosen by version, variant and arch from virtio-win (VIRTIO_WIN, else
//    /usr/share/virtio-win), copied into %SystemRoot%\Drivers\VirtIO.
// 3. The SYSTEM hive: the boot disk driver registered so Windows can start from a virtio disk,
//    the old hypervisor's services disabled, crash auto-reboot off. The SOFTWARE hive's
//    DevicePath gains the VirtIO folder, so PnP finds the other drivers.
// 4. UEFI guests: the BCD edit and the fallback loader on each ESP.
// 5. postConvert: the first-boot service and its scripts (pnputil, uninstall VMware Tools, a
//    boot report on COM1), registered last so it sees every change made before.
import { join } from "node:path";
import type { ConvertOptions, Converter, StageContext } from "../../model/contracts.js";
import { V2vError, windowsHibernated } from "../../model/errors.js";
import type { GuestHandle } from "../../model/guest-handle.js";
import type { BlockDriver, ConverterOutcome, GuestDriverSupport, Inspection, Source, WindowsInspection } from "../../model/types.js";
import { StepLog } from "../step-log.js";
import { fixEsps } from "./esp.js";
import { checkWindowsVolumes } from "./system-volume.js";
import { fixNtfsHeads } from "./ntfs-heads.js";
import { firstbootScripts } from "./firstboot/scripts.js";
import { childPath, findServiceExe, firstbootFolder, installFirstboot } from "./firstboot/install.js";
import { loadHive, saveHive } from "./hive-io.js";
import { scanSoftware } from "./software-scan.js";
import { appendDevicePath, currentControlSet, disableForeignServices, keepCrashScreen, registerBootDriver } from "./system-edits.js";
import { collectDrivers, removeStaged, type CollectedDrivers } from "./virtio-win/collect.js";
import { describeWindows, windows10Release, type WindowsOs } from "./virtio-win/os-dirs.js";
import { qemuGaGuestName } from "./virtio-win/qemu-ga.js";
import { locateDriverSource } from "./virtio-win/source.js";
import { readFile, rm } from "node:fs/promises";

/** Where the drivers go inside the guest, as Windows names it. */
export const VIRTIO_DRIVERS_WINDOWS_DIR = "C:\\Windows\\Drivers\\VirtIO";
/** The boot disk driver v2v registers by default (virtio-blk), and the .sys it needs. */
export const BOOT_DRIVER = "viostor";
/** The boot disk driver for `--block-driver virtio-scsi`. */
export const SCSI_BOOT_DRIVER = "vioscsi";

/**
 * Pure: the driver to register for boot. The one `--block-driver` asks for when the tree has it;
 * else the other one, with a warning; else none (emulated disks).
 */
export function chooseBootDriver(blockDriver: BlockDriver, has: (name: string) => boolean): { driver?: string; warning?: string } {
  const [wanted, other] = blockDriver === "virtio-scsi" ? [SCSI_BOOT_DRIVER, BOOT_DRIVER] : [BOOT_DRIVER, SCSI_BOOT_DRIVER];
  if (has(wanted)) return { driver: wanted };
  if (blockDriver === "virtio-scsi" && has(other)) {
    return { driver: other, warning: `--block-driver virtio-scsi: the virtio-win drivers for this Windows have no ${wanted}; the guest boots from virtio-blk (${other}) instead` };
  }
  return {};
}

/** Inspection's Windows facts, or a refusal: the converter cannot work without them. */
function windowsFacts(insp: Inspection): WindowsInspection & { arch: "x86_64" | "i386" } {
  const w = insp.windows;
  if (!w || !w.systemRoot.startsWith("/") || w.systemHive === "unknown" || w.softwareHive === "unknown") {
    throw new V2vError("CONVERSION", `inspection did not find this Windows guest's system folder and registry (${insp.root}); check that C: is the disk's system volume`);
  }
  if (insp.arch !== "x86_64" && insp.arch !== "i386") {
    throw new V2vError("UNSUPPORTED_GUEST", `Windows on ${insp.arch} is not supported; v2v converts x86_64 and i386 Windows`);
  }
  return { ...w, arch: insp.arch };
}

export function windowsOsOf(insp: Inspection, build: number | undefined): WindowsOs {
  const variant = insp.windows?.productVariant.toLowerCase() === "server" || /\bServer\b/i.test(insp.productName) ? "server" : "client";
  return {
    major: insp.majorVersion,
    minor: insp.minorVersion,
    variant,
    arch: insp.arch === "i386" ? "i386" : "x86_64",
    osinfo: insp.osinfo === "unknown" ? "" : insp.osinfo,
    ...(build !== undefined ? { build } : {}),
  };
}

/**
 * Refuse a guest whose hibernation file holds a hibernated system (header "hibr" or "wake"):
 * ntfs-3g usually refuses the mount already; this also catches a volume it did mount.
 */
async function refuseIfHibernated(g: GuestHandle, workDir: string): Promise<void> {
  const path = await g.caseSensitivePath("/hiberfil.sys");
  if (!(await g.isFile(path))) return;
  const local = join(workDir, "hiberfil-header");
  try {
    await g.downloadRange(path, local, 0, 4);
    const magic = (await readFile(local)).toString("latin1").toLowerCase();
    if (magic === "hibr" || magic === "wake") throw windowsHibernated(`its ${path} holds a saved session`);
  } finally {
    await rm(local, { force: true });
  }
}

const hasDriver = (c: CollectedDrivers, name: string): boolean =>
  c.drivers.has(name) && c.files.some((f) => f.name === `${name}.sys`);

/** Copy the collected files into %SystemRoot%\Drivers\VirtIO; returns that folder's guest path. */
async function installDriverFiles(g: GuestHandle, systemRoot: string, c: CollectedDrivers): Promise<string> {
  // A stock Windows has no %SystemRoot%\Drivers: create it before resolving VirtIO inside it
  // (caseSensitivePath throws when a parent is missing).
  const drivers = await g.caseSensitivePath(`${systemRoot}/Drivers`);
  await g.mkdirP(drivers);
  const dir = await g.caseSensitivePath(`${drivers}/VirtIO`);
  await g.mkdirP(dir);
  for (const f of c.files) await g.upload(f.hostPath, `${dir}/${f.name}`);
  return dir;
}

async function convertWindows(g: GuestHandle, insp: Inspection, _source: Source, ctx: StageContext, opts: ConvertOptions = {}): Promise<ConverterOutcome> {
  const log = new StepLog(ctx.reporter);
  const w = windowsFacts(insp);
  if (insp.majorVersion < 5 || (insp.majorVersion === 5 && insp.minorVersion < 1)) {
    throw new V2vError("UNSUPPORTED_GUEST", `Windows NT ${insp.majorVersion}.${insp.minorVersion} (${insp.productName}) is not supported; v2v converts Windows XP / 2003 (NT 5.1) and later`);
  }
  await refuseIfHibernated(g, ctx.workDir);
  await checkWindowsVolumes(g, insp, _source, log); // a dynamic-disk system volume is refused, BitLocker data volumes warned about
  if (insp.majorVersion < 6) await fixNtfsHeads(g, insp.root, ctx.workDir, log);

  // 1. What the SOFTWARE hive says (read only here).
  const software = await loadHive(g, w.softwareHive, "SOFTWARE hive", ctx.workDir);
  const scan = scanSoftware(software);
  const os = windowsOsOf(insp, scan.build);
  log.note(`Windows ${describeWindows(os)}: ${insp.productName}`);

  // 2. The drivers.
  const source = locateDriverSource();
  const staging = join(ctx.workDir, "virtio-win");
  const collected = await collectDrivers(source, os, staging, { tmpDir: ctx.workDir });
  for (const n of collected.notes) log.note(n);
  let drivers: GuestDriverSupport = { virtioBlk: false, virtioNet: false, virtioRng: false, virtioBalloon: false };
  try {
    if (collected.files.length > 0) {
      const dir = await installDriverFiles(g, w.systemRoot, collected);
      log.change(`copied ${collected.files.length} virtio-win files (${collected.osDir ?? "?"}) into ${dir}`);
    }
    if (collected.qemuGa) {
      // Installed by the first-boot service (postConvert finds it in its folder).
      const to = await childPath(g, (await firstbootFolder(g)).guestDir, collected.qemuGa.name);
      await g.upload(collected.qemuGa.hostPath, to);
      log.change(`copied the QEMU guest agent installer to ${to}, for the first boot`);
    } else {
      log.warn(`the QEMU guest agent installer (${qemuGaGuestName(w.arch)}) was not found in ${source.searched.join(" or ")}; install qemu-ga in the guest yourself after the conversion`);
    }
    const boot = chooseBootDriver(opts.blockDriver ?? "virtio-blk", (name) => hasDriver(collected, name));
    if (boot.warning) log.warn(boot.warning);
    drivers = {
      virtioBlk: boot.driver === BOOT_DRIVER,
      ...(boot.driver === SCSI_BOOT_DRIVER ? { virtioScsi: true } : {}),
      virtioNet: hasDriver(collected, "netkvm"),
      virtioRng: hasDriver(collected, "viorng"),
      virtioBalloon: hasDriver(collected, "balloon"),
    };

    // 3. SYSTEM and SOFTWARE.
    const system = await loadHive(g, w.systemHive, "SYSTEM hive", ctx.workDir);
    const ccs = currentControlSet(system, w.currentControlSet);
    if (boot.driver) {
      const sysDir = await g.caseSensitivePath(`${w.systemRoot}/System32/drivers`);
      const virtioDir = await g.caseSensitivePath(`${w.systemRoot}/Drivers/VirtIO`);
      await g.cp(`${virtioDir}/${boot.driver}.sys`, await g.caseSensitivePath(`${sysDir}/${boot.driver}.sys`));
      for (const c of registerBootDriver(system, ccs, { service: boot.driver, info: collected.drivers.get(boot.driver)! })) log.change(c);
    } else {
      log.warn(
        `there are no virtio drivers for this version of Windows (${describeWindows(os)}) in ${source.searched.join(" or ")}; ` +
          `the target will use emulated devices (${os.major < 6 ? "IDE disk, rtl8139 NIC" : "sata disk, e1000 NIC"}), which are slower. Set VIRTIO_WIN to a virtio-win directory or ISO to install them`,
      );
    }
    for (const c of [...disableForeignServices(system, ccs), ...keepCrashScreen(system, ccs)]) log.change(c);
    await saveHive(g, system, w.systemHive, ctx.workDir);
    if (collected.files.length > 0) {
      const changes = appendDevicePath(software);
      if (changes.length > 0) {
        await saveHive(g, software, w.softwareHive, ctx.workDir);
        for (const c of changes) log.change(c);
      }
    }
    if (boot.driver && scan.groupPolicy) {
      log.warn("this guest has Group Policy objects; a policy that restricts device installation can stop Windows finding its virtio disk on first boot (STOP 0x7B)");
    }
    if (boot.driver && scan.antivirus.length > 0) {
      log.warn(`this guest has antivirus software (${scan.antivirus.join(", ")}) that may stop Windows from booting on its new disk controller (STOP 0x7B)`);
    }
  } finally {
    await removeStaged(collected);
  }

  // 4. UEFI.
  if (insp.firmware === "uefi") await fixEsps(g, w.systemRoot, insp.arch, ctx.workDir, log);
  const release = os.major === 10 ? windows10Release(os) : undefined;
  return { drivers, ...(release && release !== insp.osinfo ? { osinfo: release } : {}), changes: log.changes, warnings: log.warnings };
}

/** 5. The first-boot service and its scripts. */
async function installFirstbootService(g: GuestHandle, insp: Inspection, outcome: ConverterOutcome, ctx: StageContext): Promise<ConverterOutcome> {
  const log = new StepLog(ctx.reporter);
  const w = windowsFacts(insp);
  const serviceExe = findServiceExe(w.arch);
  const software = await loadHive(g, w.softwareHive, "SOFTWARE hive", ctx.workDir);
  const scan = scanSoftware(software);
  for (const n of scan.notes) log.warn(n);
  const folder = await firstbootFolder(g);
  const msi = await childPath(g, folder.guestDir, qemuGaGuestName(w.arch));
  const qemuGaMsi = (await g.isFile(msi)) ? `${folder.windowsDir}\\${msi.slice(folder.guestDir.length + 1)}` : undefined;
  const scripts = firstbootScripts({
    osMajor: insp.majorVersion,
    osMinor: insp.minorVersion,
    arch: w.arch,
    virtioDriversDir: VIRTIO_DRIVERS_WINDOWS_DIR,
    uninstallers: scan.uninstallers,
    ...(qemuGaMsi ? { qemuGaMsi } : {}),
    bootReportSerial: "COM1",
  });
  const system = await loadHive(g, w.systemHive, "SYSTEM hive", ctx.workDir);
  const ccs = currentControlSet(system, w.currentControlSet);
  const installed = await installFirstboot(g, system, { controlSet: ccs, arch: w.arch, scripts, serviceExe });
  await saveHive(g, system, w.systemHive, ctx.workDir);
  log.change(`installed the first-boot service in ${installed.windowsDir} with ${scripts.length} script${scripts.length === 1 ? "" : "s"}: ${scripts.map((s) => s.name).join(", ")}`);
  for (const u of scan.uninstallers) log.change(`${u.name} will be uninstalled at first boot`);
  if (installed.otherScripts.length > 0) log.warn(`${installed.windowsDir}\\scripts already held ${installed.otherScripts.join(", ")} (an earlier conversion that never booted?); they run too`);
  return { ...outcome, changes: [...outcome.changes, ...log.changes], warnings: [...outcome.warnings, ...log.warnings] };
}

export const windowsConverter: Converter = {
  name: "windows",
  supports: "Windows XP / 2003 and later (x86_64, i386)",
  handles: (insp) => insp.osType === "windows",
  convert: convertWindows,
  postConvert: installFirstbootService,
};
