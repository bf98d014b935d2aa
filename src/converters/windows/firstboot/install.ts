// Install the first-boot service (service.c, built into dist/windows-tools/) and its scripts
// (scripts.ts) into a mounted Windows guest, and register the service in its SYSTEM hive:
//
//   C:\Program Files\V2V\Firstboot\v2vfirstboot.exe
//   C:\Program Files\V2V\Firstboot\scripts\NNNN-*.bat|ps1      run once at first boot, in name order
//   C:\Program Files\V2V\Firstboot\scripts-done\               where the service moves them
//   SYSTEM\<ControlSet>\Services\v2v-firstboot                 own process, automatic, LocalSystem
//
// The caller writes the hive back into the guest (Hive.toBuffer, upload).
import { statSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { V2vError } from "../../../model/errors.js";
import type { GuestHandle } from "../../../model/guest-handle.js";
import { quoteForMessage } from "../../../model/untrusted.js";
import type { Hive } from "../../../registry/hive.js";
import { dword, expandSz, sz } from "../../../registry/values.js";

/** The service's name (its key under Services, and what service.c deletes at the end). */
export const FIRSTBOOT_SERVICE = "v2v-firstboot";
export const FIRSTBOOT_EXE = "v2vfirstboot.exe";
/** Environment variable naming the .exe to install instead of the built one (any arch). */
export const FIRSTBOOT_EXE_ENV = "V2V_FIRSTBOOT_EXE";

export interface FirstbootInstallOptions {
  /** The SYSTEM hive's control set to register the service in: "ControlSet001". */
  readonly controlSet: string;
  readonly arch: "x86_64" | "i386";
  readonly scripts: readonly { readonly name: string; readonly content: string }[];
  /** Host path of v2vfirstboot.exe for this arch (findServiceExe). */
  readonly serviceExe: string;
}

export interface FirstbootInstalled {
  /** The folder in the mounted guest: "/Program Files/V2V/Firstboot" (in the guest's spelling). */
  readonly guestDir: string;
  /** The same folder as Windows names it: "C:\\Program Files\\V2V\\Firstboot". */
  readonly windowsDir: string;
  /** Files that were already in scripts\ and are not ours (an earlier conversion that never booted); left in place. */
  readonly otherScripts: readonly string[];
}

const SCRIPT_NAME = /^[0-9]{4}-[a-z0-9-]+\.(bat|cmd|ps1)$/;

/** A child's name as spelled in the guest (NTFS names are case-insensitive, ntfs-3g paths are not), or `name`. */
async function spelled(g: GuestHandle, dir: string, name: string): Promise<string> {
  const lower = name.toLowerCase();
  return (await g.ls(dir)).find((n) => n.toLowerCase() === lower) ?? name;
}

/** The first-boot folder in the guest (created if missing), in the guest's spelling of each folder that already exists. */
export async function firstbootFolder(g: GuestHandle): Promise<{ guestDir: string; windowsDir: string }> {
  const programFiles = await spelled(g, "/", "Program Files");
  const v2v = await spelled(g, `/${programFiles}`, "V2V");
  const firstboot = await spelled(g, `/${programFiles}/${v2v}`, "Firstboot");
  const guestDir = `/${programFiles}/${v2v}/${firstboot}`;
  await g.mkdirP(guestDir);
  return { guestDir, windowsDir: `C:\\${programFiles}\\${v2v}\\${firstboot}` };
}

/** The guest path of `name` inside `dir`, in the guest's spelling if it exists. */
export async function childPath(g: GuestHandle, dir: string, name: string): Promise<string> {
  return `${dir}/${await spelled(g, dir, name)}`;
}

/**
 * Copy the service and the scripts into the guest (mounted at /) and register the service in
 * `system` (not written back here). Throws CONVERSION for a bad control set or script name.
 */
export async function installFirstboot(g: GuestHandle, system: Hive, opts: FirstbootInstallOptions): Promise<FirstbootInstalled> {
  if (!/^ControlSet[0-9]{3}$/.test(opts.controlSet)) {
    throw new V2vError("CONVERSION", `first boot: the control set ${quoteForMessage(opts.controlSet)} is not ControlSetNNN; check the guest's SYSTEM hive (Select\\Current)`);
  }
  for (const s of opts.scripts) {
    if (!SCRIPT_NAME.test(s.name)) throw new V2vError("CONVERSION", `first boot: the script name ${quoteForMessage(s.name)} is not NNNN-name.bat|cmd|ps1`);
  }

  const { guestDir, windowsDir } = await firstbootFolder(g);
  const scriptsDir = await childPath(g, guestDir, "scripts");
  const doneDir = await childPath(g, guestDir, "scripts-done");
  await g.mkdirP(scriptsDir);
  await g.mkdirP(doneDir);

  const ours = new Set(opts.scripts.map((s) => s.name.toLowerCase()));
  const existing = await g.ls(scriptsDir);
  const otherScripts = existing.filter((n) => !ours.has(n.toLowerCase()));
  await g.upload(opts.serviceExe, await childPath(g, guestDir, FIRSTBOOT_EXE));
  for (const s of opts.scripts) {
    await g.writeFile(`${scriptsDir}/${existing.find((n) => n.toLowerCase() === s.name.toLowerCase()) ?? s.name}`, s.content);
  }

  const key = [opts.controlSet, "Services", FIRSTBOOT_SERVICE];
  system.ensureKey(key);
  system.setValue(key, dword("Type", 0x10)); // SERVICE_WIN32_OWN_PROCESS
  system.setValue(key, dword("Start", 2)); // SERVICE_AUTO_START
  system.setValue(key, dword("ErrorControl", 1)); // SERVICE_ERROR_NORMAL: logged, boot goes on
  system.setValue(key, sz("ObjectName", "LocalSystem"));
  // Quoted: the path has spaces, and an unquoted one would let C:\Program.exe run instead.
  system.setValue(key, expandSz("ImagePath", `"${windowsDir}\\${FIRSTBOOT_EXE}"`));
  system.setValue(key, sz("DisplayName", "v2v first boot"));
  system.setValue(key, sz("Description", `Finishes the conversion to KVM: runs each script in ${windowsDir}\\scripts once, then removes itself`));
  return { guestDir, windowsDir, otherScripts };
}

/** The project's root: the nearest parent of this module holding package.json (src/ and dist/ alike). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new V2vError("CONVERSION", `no package.json above ${fileURLToPath(import.meta.url)}; reinstall v2v`);
    dir = up;
  }
  return dir;
}

/**
 * Host path of the first-boot service for a guest architecture: $V2V_FIRSTBOOT_EXE when set,
 * else dist/windows-tools/<arch>/v2vfirstboot.exe in the package. Missing → CONVERSION naming it
 * and the fix.
 */
export function findServiceExe(arch: "x86_64" | "i386", env: NodeJS.ProcessEnv = process.env): string {
  const override = env[FIRSTBOOT_EXE_ENV];
  const path = override ? override : join(packageRoot(), "dist", "windows-tools", arch, FIRSTBOOT_EXE);
  let isFile = false;
  try { isFile = statSync(path).isFile(); } catch { /* missing */ }
  if (isFile) return path;
  throw new V2vError("CONVERSION", override
    ? `the first-boot service ${path} (from ${FIRSTBOOT_EXE_ENV}) does not exist; point ${FIRSTBOOT_EXE_ENV} at a v2vfirstboot.exe for ${arch}, or unset it`
    : `the first-boot service for ${arch} Windows guests is missing (${path}); install mingw-w64 (apt-get install gcc-mingw-w64-x86-64-win32 gcc-mingw-w64-i686-win32) and run npm run build`);
}
