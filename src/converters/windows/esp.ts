// UEFI Windows: on each EFI System Partition, the BCD edit (bcd.ts) and the removable-media
// fallback loader. OVMF's boot manager starts EFI/Boot/BOOTX64.EFI when the NVRAM has no boot
// entry, and a converted guest starts with fresh NVRAM, so that file must be Windows' own boot
// manager (EFI/Microsoft/Boot/bootmgfw.efi).
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { GuestHandle } from "../../model/guest-handle.js";
import type { StepLog } from "../step-log.js";
import { editBcd } from "./bcd.js";
import { ESP_TYPE_GUID, partitionTypeGuid } from "../../guest/partition-types.js";
import { loadHive, saveHive } from "./hive-io.js";

/** Boot managers are a few MiB; anything larger is not one. */
const MAX_LOADER_BYTES = 64 * 1024 * 1024;

/** The fallback loader's name for the guest's architecture. */
export const fallbackLoaderName = (arch: string): string => (arch === "i386" ? "BOOTIA32.EFI" : "BOOTX64.EFI");

/** The ESPs: vfat filesystems on partitions typed as EFI System. */
export async function findEsps(g: GuestHandle): Promise<string[]> {
  const out: string[] = [];
  for (const [dev, type] of Object.entries(await g.listFilesystems())) {
    if (type !== "vfat") continue;
    if ((await partitionTypeGuid(g, dev)) === ESP_TYPE_GUID) out.push(dev);
  }
  return out;
}

async function sameFile(g: GuestHandle, a: string, b: string, workDir: string): Promise<boolean> {
  const la = join(workDir, "esp-a");
  const lb = join(workDir, "esp-b");
  try {
    await g.download(a, la, MAX_LOADER_BYTES);
    await g.download(b, lb, MAX_LOADER_BYTES);
    return (await readFile(la)).equals(await readFile(lb));
  } finally {
    await rm(la, { force: true });
    await rm(lb, { force: true });
  }
}

async function fixOneEsp(g: GuestHandle, mp: string, arch: string, workDir: string, log: StepLog): Promise<void> {
  const bcdPath = await g.caseSensitivePath(`${mp}/EFI/Microsoft/Boot/BCD`).catch(() => undefined);
  if (bcdPath && (await g.isFile(bcdPath))) {
    const bcd = await loadHive(g, bcdPath, "BCD hive", workDir);
    const edit = editBcd(bcd);
    if (edit.changes.length > 0) await saveHive(g, bcd, bcdPath, workDir);
    for (const c of edit.changes) log.change(c);
    if (edit.note) log.warn(`${edit.note}; the boot configuration was left as it is`);
  }
  const bootmgfw = await g.caseSensitivePath(`${mp}/EFI/Microsoft/Boot/bootmgfw.efi`).catch(() => undefined);
  if (!bootmgfw || !(await g.isFile(bootmgfw))) {
    log.warn(`the ESP has no EFI/Microsoft/Boot/bootmgfw.efi; the guest may not find its boot manager on the new firmware`);
    return;
  }
  const bootDir = await g.caseSensitivePath(`${mp}/EFI/Boot`);
  await g.mkdirP(bootDir);
  const fallback = await g.caseSensitivePath(`${bootDir}/${fallbackLoaderName(arch)}`);
  if ((await g.isFile(fallback)) && (await sameFile(g, bootmgfw, fallback, workDir))) return;
  await g.cp(bootmgfw, fallback);
  log.change(`copied the Windows boot manager to the fallback loader ${fallback.slice(mp.length)}`);
}

/** Mount each ESP under %SystemRoot%\Temp (as virt-v2v does), fix it, unmount it. */
export async function fixEsps(g: GuestHandle, systemRoot: string, arch: string, workDir: string, log: StepLog): Promise<void> {
  const esps = await findEsps(g);
  if (esps.length === 0) log.warn("this UEFI guest has no EFI System Partition that v2v could find; its boot files were not checked");
  const temp = await g.caseSensitivePath(`${systemRoot}/Temp`);
  for (const [i, dev] of esps.entries()) {
    const mp = `${temp}/v2v-esp-${i}`;
    await g.mkdirP(mp);
    await g.mount(dev, mp);
    try {
      await fixOneEsp(g, mp, arch, workDir, log);
    } finally {
      await g.umount(mp);
      await g.rmRf(mp);
    }
  }
}
