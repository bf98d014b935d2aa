// The phony-Windows builder: a disk that libguestfs inspects exactly as that Windows, built from
// Debian tools in about a minute. sfdisk writes the partition table with fixed identifiers (so
// SYSTEM\MountedDevices is right), mkfs.fat the ESP, hivexregedit fills empty hives from .reg
// text, mingw-w64 compiles the PE stubs, and one libguestfs session makes the NTFS file systems
// and puts the files in. It cannot boot: its cells are proven by static checks ("static").
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "../../../host/exec.js";
import { GuestfishSession } from "../../../guest/guestfish.js";
import { V2vError } from "../../../model/errors.js";
import type { Progress } from "../rootfs.js";
import { cacheKey, ensureCached } from "../cache.js";
import { validateRecipe, type WindowsRecipe } from "../recipes.js";
import type { BuiltGuest, GuestBuilder } from "../builder.js";
import { bitlockerWrites } from "./bitlocker.js";
import { emptyHive } from "./hive.js";
import { planWindowsLayout, renderSfdiskScript, seededSignature, SECTOR, type WindowsLayout, type WindowsPartition } from "./layout.js";
import { compileStubs, readStubSources } from "./pe-stubs.js";
import { bcdKeys, HIVE_PREFIX, renderReg, softwareKeys, systemKeys, type RegKey } from "./registry-text.js";

/** Harness modules whose source is part of a Windows guest's cache key (the C stubs are added by text). */
export const WINDOWS_BUILDER_SOURCES = [
  "guests/windows/build", "guests/windows/layout", "guests/windows/hive", "guests/windows/registry-text", "guests/windows/pe-stubs",
  "guests/windows/bitlocker",
] as const;

const diskFileName = (r: WindowsRecipe): string => `${r.name}-sda.raw`;

/** Directories of a freshly installed C:, beyond those the files below create. */
const C_DIRECTORIES = [
  "/Windows/System32/config", "/Windows/System32/drivers", "/Windows/SysWOW64", "/Windows/Temp", "/Windows/inf",
  "/Program Files/VMware/VMware Tools", "/Program Files/Common Files", "/Program Files (x86)",
  "/Users/Administrator", "/Users/Public", "/ProgramData/Microsoft",
];

/** Pure: the hive files of Windows\System32\config and the .reg text merged into each (none: left empty). */
export function configHives(r: WindowsRecipe, layout: WindowsLayout): { name: string; prefix?: string; keys?: RegKey[] }[] {
  return [
    { name: "SYSTEM", prefix: HIVE_PREFIX.SYSTEM, keys: systemKeys(r, layout) },
    { name: "SOFTWARE", prefix: HIVE_PREFIX.SOFTWARE, keys: softwareKeys(r) },
    { name: "SAM" },
    { name: "SECURITY" },
    { name: "DEFAULT" },
  ];
}

/** Write an empty hive to `path` and merge `keys` into it with hivexregedit. */
async function writeHive(path: string, prefix?: string, keys?: readonly RegKey[]): Promise<void> {
  await writeFile(path, emptyHive());
  if (!prefix || !keys) return;
  const reg = `${path}.reg`;
  await writeFile(reg, renderReg(prefix, keys));
  await run(["hivexregedit", "--merge", "--prefix", prefix, path, reg], { timeoutMs: 120_000 });
}

/** The recipe's disk from the cache, built first when missing. */
async function ensureWindowsDisks(recipe: WindowsRecipe, progress: Progress = () => undefined): Promise<BuiltGuest> {
  const problems = validateRecipe(recipe);
  if (problems.length > 0) throw new V2vError("BAD_INPUT", problems.join("; "));
  const t0 = Date.now();
  const layout = planWindowsLayout(recipe);
  const key = await cacheKey({ recipe, layout, stubSources: await readStubSources() }, WINDOWS_BUILDER_SOURCES);
  const { dir, built } = await ensureCached("guests", recipe.name, key, async (tmp) => {
    await buildDisk(recipe, layout, tmp, progress);
    await writeFile(join(tmp, "recipe.json"), `${JSON.stringify(recipe, null, 2)}\n`);
    await writeFile(join(tmp, "build.json"), `${JSON.stringify({ diskSeconds: (Date.now() - t0) / 1000 }, null, 2)}\n`);
  });
  return { recipe, key, dir, disks: [{ path: join(dir, diskFileName(recipe)), format: "raw" }], built, seconds: (Date.now() - t0) / 1000 };
}

async function buildDisk(r: WindowsRecipe, layout: WindowsLayout, dir: string, progress: Progress): Promise<void> {
  const t0 = Date.now();
  const raw = join(dir, diskFileName(r));
  const work = join(dir, "work");
  await mkdir(work);
  await run(["qemu-img", "create", "-q", "-f", "raw", raw, `${r.rootDiskGiB}G`], { timeoutMs: 60_000 });
  await run(["sfdisk", "--quiet", "--no-reread", "--no-tell-kernel", raw], { input: renderSfdiskScript(layout), timeoutMs: 60_000 });
  const esp = layout.partitions.find((p) => p.fs === "vfat");
  if (esp) {
    // FAT32 as Windows Setup formats the ESP (mkfs.fat warns that 100 MiB is few clusters for FAT32; Windows does the same).
    const volumeId = seededSignature(`${r.name}:esp`).toString(16).padStart(8, "0");
    await run(["mkfs.fat", "-F", "32", "-i", volumeId, `--offset=${esp.startSector}`, raw, String((esp.sizeSectors! * SECTOR) / 1024)], { timeoutMs: 60_000 });
  }
  progress(`${r.name}: compiling PE stubs and writing registry hives`);
  const stubs = await compileStubs(r, work);
  const hives = configHives(r, layout);
  for (const h of hives) await writeHive(join(work, h.name), h.prefix, h.keys);
  const bcd = join(work, "BCD");
  await writeHive(bcd, HIVE_PREFIX.BCD, bcdKeys(r));
  const pagefile = join(work, "pagefile.sys");
  await writeFile(pagefile, Buffer.alloc(1024 * 1024));
  const hiberfil = join(work, "hiberfil.sys");
  if (r.hibernated) {
    // A hibernation image starts with the signature "HIBR" (ntfs-3g then refuses read-write mounts).
    const b = Buffer.alloc(64 * 1024);
    b.write("HIBR", 0, "latin1");
    await writeFile(hiberfil, b);
  }

  progress(`${r.name}: launching the libguestfs appliance`);
  const g = await GuestfishSession.start([{ path: raw, format: "raw" }]);
  try {
    const dev = (p: WindowsPartition): string => `/dev/sda${p.number}`;
    for (const p of layout.partitions.filter((x) => x.fs === "ntfs")) {
      await g.cmd("mkfs", "ntfs", dev(p), ...(p.label ? [`label:${p.label}`] : []));
    }
    // C: first.
    await g.cmd("mount", dev(layout.windows), "/");
    for (const d of C_DIRECTORIES) await g.cmd("mkdir-p", d);
    for (const h of hives) await g.cmd("upload", join(work, h.name), `/Windows/System32/config/${h.name}`);
    for (const s of stubs.filter((x) => x.file.partition === "windows")) await g.cmd("upload", s.hostPath, s.file.guestPath);
    await g.cmd("upload", pagefile, "/pagefile.sys");
    if (r.hibernated) await g.cmd("upload", hiberfil, "/hiberfil.sys");
    await g.cmd("umount-all");
    // Then the partition of the boot manager: System Reserved (\Boot\BCD) or the ESP (\EFI\Microsoft\Boot\BCD).
    await g.cmd("mount", dev(layout.boot), "/");
    await g.cmd("mkdir-p", layout.bcdPath.slice(0, layout.bcdPath.lastIndexOf("/")));
    for (const s of stubs.filter((x) => x.file.partition === "boot")) {
      await g.cmd("mkdir-p", s.file.guestPath.slice(0, s.file.guestPath.lastIndexOf("/")) || "/");
      await g.cmd("upload", s.hostPath, s.file.guestPath);
    }
    await g.cmd("upload", bcd, layout.bcdPath);
    await g.cmd("umount-all");
    if (r.bitlocker) await encryptWindowsVolume(g, dev(layout.windows), layout.windows.startSector, work);
    await checkBuiltGuest(g, r, layout);
  } finally {
    await g.close();
  }
  await rm(work, { recursive: true, force: true });
  progress(`${r.name}: disk built in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

/** Make C: look BitLocker-encrypted (bitlocker.ts): its Windows can no longer be read. */
async function encryptWindowsVolume(g: GuestfishSession, device: string, startSector: number, work: string): Promise<void> {
  const size = Number(await g.cmd("blockdev-getsize64", device));
  for (const [i, w] of bitlockerWrites(startSector, size).entries()) {
    const file = join(work, `bitlocker-${i}`);
    await writeFile(file, w.bytes);
    await g.cmd("upload-offset", file, device, String(w.offset));
  }
}

/**
 * Refuse to publish a disk that libguestfs does not inspect as the recipe's Windows on the planned
 * C:. A BitLocker guest must instead show no root and C: typed "BitLocker". A dynamic-disk guest
 * must keep C: typed 0x42; libguestfs 1.48 leaves such partitions out of inspection (it reads
 * 0x42 as the LDM data type), so it shows no root there, and a release that inspects them would
 * show C: as the root: either is accepted, and v2v must refuse both.
 */
async function checkBuiltGuest(g: GuestfishSession, r: WindowsRecipe, layout: WindowsLayout): Promise<void> {
  const roots = (await g.cmd("inspect-os")).split("\n").filter((x) => x !== "");
  const expected = `/dev/sda${layout.windows.number}`;
  if (r.bitlocker) {
    const type = await g.cmd("vfs-type", expected);
    if (roots.length !== 0 || type !== "BitLocker") {
      throw new V2vError("CONVERSION", `${r.name}: libguestfs found the roots [${roots.join(", ")}] and types ${expected} "${type}", expected no root and "BitLocker"; check bitlocker.ts`);
    }
    return;
  }
  if (r.dynamicDisk) {
    const id = Number(await g.cmd("part-get-mbr-id", "/dev/sda", String(layout.windows.number)));
    if (id !== 0x42) throw new V2vError("CONVERSION", `${r.name}: ${expected} has MBR type 0x${id.toString(16)}, expected 0x42`);
    if (roots.length === 0) return;
  }
  if (roots.length !== 1 || roots[0] !== expected) {
    throw new V2vError("CONVERSION", `${r.name}: libguestfs found the roots [${roots.join(", ")}], expected only ${expected}; check the hives and System32 files`);
  }
  const product = await g.cmd("inspect-get-product-name", expected);
  if (product !== r.windows.productName) {
    throw new V2vError("CONVERSION", `${r.name}: libguestfs reads the product name "${product}", expected "${r.windows.productName}"; check SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion`);
  }
}

/** Phony Windows reference guests: inspectable and convertible, not bootable, so static proof only. */
export const windowsBuilder: GuestBuilder<WindowsRecipe> = { kind: "windows", proof: "static", ensureDisks: ensureWindowsDisks };
