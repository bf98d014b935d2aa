// The PE files of a phony Windows guest, compiled with mingw-w64 from the tiny C sources in
// stubs/: console programs (libguestfs reads the guest's architecture from cmd.exe's PE header),
// kernel drivers (native subsystem) and UEFI applications (subsystem 10). They are built into the
// build directory, never into the repository; their sources are part of the guest's cache key.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "../../../host/exec.js";
import { projectRoot } from "../../project-root.js";
import type { WindowsRecipe } from "../recipes.js";
import { driverFiles } from "./registry-text.js";

export type StubSource = "program" | "driver" | "efi-app";

export interface StubFile {
  /** Which file system it goes to: C: or the partition holding the boot manager. */
  readonly partition: "windows" | "boot";
  /** Path inside that file system. */
  readonly guestPath: string;
  readonly source: StubSource;
}

export const STUB_SOURCES: readonly StubSource[] = ["program", "driver", "efi-app"];

/** Where the C sources live (src/, also when running from dist/). */
export function stubSourceDir(): string {
  return join(projectRoot(), "src", "harness", "guests", "windows", "stubs");
}

/** The C sources' texts, in STUB_SOURCES order, for the cache key. */
export function readStubSources(): Promise<string[]> {
  return Promise.all(STUB_SOURCES.map((s) => readFile(join(stubSourceDir(), `${s}.c`), "utf8")));
}

/**
 * Pure: every PE file the guest gets. On UEFI guests the fallback loader EFI/Boot/bootx64.efi is
 * deliberately a DIFFERENT stub from EFI/Microsoft/Boot/bootmgfw.efi, so the conversion's step
 * "replace the fallback loader by a copy of bootmgfw.efi when they differ" has work to do.
 */
export function stubFiles(r: WindowsRecipe): StubFile[] {
  const files: StubFile[] = [
    { partition: "windows", guestPath: "/Windows/System32/cmd.exe", source: "program" },
    { partition: "windows", guestPath: "/Windows/System32/notepad.exe", source: "program" },
    { partition: "windows", guestPath: "/Windows/System32/regedit.exe", source: "program" },
    { partition: "windows", guestPath: "/Windows/explorer.exe", source: "program" },
    { partition: "windows", guestPath: "/Program Files/VMware/VMware Tools/vmtoolsd.exe", source: "program" },
    ...driverFiles(r).map((f): StubFile => ({ partition: "windows", guestPath: `/Windows/System32/drivers/${f}`, source: "driver" })),
  ];
  if (r.firmware === "uefi") {
    files.push(
      { partition: "boot", guestPath: "/EFI/Microsoft/Boot/bootmgfw.efi", source: "efi-app" },
      { partition: "boot", guestPath: "/EFI/Boot/bootx64.efi", source: "efi-app" },
    );
  } else {
    // A BIOS system partition's boot manager is "bootmgr" (not a PE for the firmware, but a file of that name is what Windows leaves there).
    files.push({ partition: "boot", guestPath: "/bootmgr", source: "program" });
  }
  return files;
}

const COMPILER: Record<WindowsRecipe["arch"], string> = { x86_64: "x86_64-w64-mingw32-gcc" };
const ENTRY: Record<StubSource, string> = { program: "stub_main", driver: "DriverEntry", "efi-app": "efi_main" };
const SUBSYSTEM: Record<StubSource, string> = { program: "console", driver: "native", "efi-app": "10" };

/** Pure: the compiler command for one stub (no C runtime, stripped, no link timestamp: reproducible bytes). */
export function compileArgv(arch: WindowsRecipe["arch"], f: StubFile, outPath: string): string[] {
  const name = f.guestPath.slice(f.guestPath.lastIndexOf("/") + 1);
  return [
    COMPILER[arch], "-Os", "-s", "-nostdlib", `-Wl,-e,${ENTRY[f.source]}`, `-Wl,--subsystem,${SUBSYSTEM[f.source]}`,
    "-Wl,--no-insert-timestamp", `-DSTUB_NAME="${name}"`, "-o", outPath, join(stubSourceDir(), `${f.source}.c`),
  ];
}

/** Compile every stub of the recipe into `outDir`; returns host paths in stubFiles order. */
export async function compileStubs(r: WindowsRecipe, outDir: string): Promise<{ file: StubFile; hostPath: string }[]> {
  const out: { file: StubFile; hostPath: string }[] = [];
  for (const [i, file] of stubFiles(r).entries()) {
    // Always with an extension: mingw's gcc appends ".exe" to an output name that has none ("bootmgr").
    const hostPath = join(outDir, `stub-${i}-${file.guestPath.slice(file.guestPath.lastIndexOf("/") + 1)}.pe`);
    await run(compileArgv(r.arch, file, hostPath), { timeoutMs: 60_000 });
    out.push({ file, hostPath });
  }
  return out;
}
