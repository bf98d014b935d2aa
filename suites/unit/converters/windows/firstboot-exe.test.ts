// The real v2vfirstboot.exe files: PE headers read here (machine, PE32/PE32+, console subsystem,
// no DLLs beyond what every Windows has), and, when wine is installed, `--run-once` on a folder
// with scripts that succeed with 3010 and fail.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const source = join(root, "src/converters/windows/firstboot/service.c");
const exeOf = (arch: string): string => join(root, "dist/windows-tools", arch, "v2vfirstboot.exe");

const onPath = (cmd: string): string | undefined => {
  const r = spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
};
const mingw = onPath("x86_64-w64-mingw32-gcc") !== undefined && onPath("i686-w64-mingw32-gcc") !== undefined;
// Debian's wine64 package (no recommends) installs only /usr/lib/wine/wine64; the wine package adds /usr/bin/wine.
const wine = [existsSync("/usr/lib/wine/wine64") ? "/usr/lib/wine/wine64" : undefined, onPath("wine64"), onPath("wine")].find(Boolean);

const stale = (arch: string): boolean => !existsSync(exeOf(arch)) || statSync(exeOf(arch)).mtimeMs < statSync(source).mtimeMs;

beforeAll(() => {
  // Build (about 2 s) when mingw-w64 is here and the .exe files are missing or older than the source.
  if (mingw && (stale("x86_64") || stale("i386"))) execFileSync(join(root, "scripts/build-windows-tools.sh"), { cwd: root, stdio: "pipe" });
}, 120_000);

interface PeFacts { machine: number; magic: number; subsystem: number; imports: string[] }

/** The facts of a PE image's headers, checked on the way (MZ, e_lfanew in range, PE\0\0), and its imported DLLs. */
function readPe(buf: Buffer): PeFacts {
  expect(buf.toString("latin1", 0, 2)).toBe("MZ");
  const pe = buf.readUInt32LE(0x3c);
  expect(pe + 24 + 0x70).toBeLessThan(buf.length);
  expect(buf.toString("latin1", pe, pe + 4)).toBe("PE\0\0");
  const coff = pe + 4;
  const optional = coff + 20;
  const magic = buf.readUInt16LE(optional);
  const sections = optional + buf.readUInt16LE(coff + 16); // SizeOfOptionalHeader
  const nSections = buf.readUInt16LE(coff + 2);
  // Data directory 1 (imports): its offset in the optional header differs between PE32 and PE32+.
  const importRva = buf.readUInt32LE(optional + (magic === 0x20b ? 112 : 96) + 8);
  const fileOffset = (rva: number): number => {
    for (let i = 0; i < nSections; i++) {
      const s = sections + i * 40;
      const va = buf.readUInt32LE(s + 12), size = Math.max(buf.readUInt32LE(s + 8), buf.readUInt32LE(s + 16));
      if (rva >= va && rva < va + size) return rva - va + buf.readUInt32LE(s + 20);
    }
    throw new Error(`RVA 0x${rva.toString(16)} is in no section`);
  };
  const imports: string[] = [];
  for (let d = fileOffset(importRva); buf.readUInt32LE(d + 12) !== 0; d += 20) {
    const name = fileOffset(buf.readUInt32LE(d + 12));
    imports.push(buf.toString("latin1", name, buf.indexOf(0, name)));
  }
  return { machine: buf.readUInt16LE(coff), magic, subsystem: buf.readUInt16LE(optional + 68), imports };
}

describe("v2vfirstboot.exe headers", () => {
  const missing = !existsSync(exeOf("x86_64")) || !existsSync(exeOf("i386"));
  if (missing) console.log(`skipped: dist/windows-tools/*/v2vfirstboot.exe not built and mingw-w64 ${mingw ? "present" : "not installed"} (apt-get install gcc-mingw-w64-x86-64-win32 gcc-mingw-w64-i686-win32)`);

  test.skipIf(missing).each([
    ["x86_64", 0x8664, 0x20b], // IMAGE_FILE_MACHINE_AMD64, PE32+
    ["i386", 0x14c, 0x10b], // IMAGE_FILE_MACHINE_I386, PE32
  ])("%s: machine, format, console subsystem, system DLLs only", (arch, machine, magic) => {
    const buf = readFileSync(exeOf(arch));
    const facts = readPe(buf);
    // IMAGE_SUBSYSTEM_WINDOWS_CUI; DLLs every Windows since XP has (no mingw runtime DLLs).
    expect(facts).toEqual({ machine, magic, subsystem: 3, imports: expect.any(Array) });
    expect(facts.imports.map((d) => d.toLowerCase()).sort()).toEqual(["advapi32.dll", "kernel32.dll", "msvcrt.dll"]);
    expect(buf.length).toBeLessThan(200_000);
  });
});

describe("v2vfirstboot.exe --run-once under wine", () => {
  const missing = !existsSync(exeOf("x86_64"));
  const reason = !wine ? "wine is not installed (apt-get install --no-install-recommends wine64)" : missing ? "dist/windows-tools/x86_64/v2vfirstboot.exe is not built" : undefined;
  if (reason) console.log(`skipped: ${reason}`);
  const dir = mkdtempSync(join(tmpdir(), "v2v-firstboot-wine-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.skipIf(reason !== undefined)("scripts run in name order; 3010 is success, a failure is moved as .failed; exit 1", () => {
    const scripts = join(dir, "scripts");
    mkdirSync(scripts);
    // Written in reverse order, so the directory order is not the name order by chance.
    writeFileSync(join(scripts, "0200-fails.bat"), "@echo off\r\necho second script output\r\nexit /b 7\r\n");
    writeFileSync(join(scripts, "0100-reboot.cmd"), "@echo off\r\necho first script output\r\nexit /b 3010\r\n");
    // One prefix for every run (created on first use, ~5 s); no Mono or Gecko prompts.
    const prefix = join(process.env["V2V_CACHE_DIR"] ?? "/var/tmp/v2v-ts-cache", "wine-prefix");
    mkdirSync(prefix, { recursive: true });
    const r = spawnSync(wine!, [exeOf("x86_64"), "--run-once", `Z:${dir.replace(/\//g, "\\")}`], {
      encoding: "utf8",
      timeout: 150_000,
      env: { ...process.env, WINEPREFIX: prefix, WINEDEBUG: "-all", WINEDLLOVERRIDES: "mscoree,mshtml=" },
    });
    expect(r.error).toBeUndefined();
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(1);
    expect(r.stdout).toMatch(/ran 2 script\(s\), 1 failed, reboot required/);

    expect(readdirSync(scripts)).toEqual([]);
    expect(readdirSync(join(dir, "scripts-done")).sort()).toEqual(["0100-reboot.cmd", "0200-fails.bat.failed"]);
    const log = readFileSync(join(dir, "log.txt"), "utf8");
    const lines = log.split("\r\n").filter((l) => l !== "").map((l) => l.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d /, ""));
    expect(log.split("\r\n").filter((l) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d /.test(l))).toHaveLength(7);
    expect(lines.slice(1)).toEqual([
      "start 0100-reboot.cmd",
      "first script output",
      "end 0100-reboot.cmd: exit code 3010 (ok, reboot required)",
      "start 0200-fails.bat",
      "second script output",
      "end 0200-fails.bat: exit code 7 (failed)",
      "moved 0200-fails.bat to scripts-done\\0200-fails.bat.failed: it does not run again",
      "ran 2 script(s), 1 failed, reboot required",
    ]);
    expect(lines[0]).toMatch(/^v2v first boot: 2 script\(s\) in Z:.*\\scripts$/);
  }, 180_000);

  test.skipIf(reason !== undefined)("bad usage exits 1 with the usage line", () => {
    const prefix = join(process.env["V2V_CACHE_DIR"] ?? "/var/tmp/v2v-ts-cache", "wine-prefix");
    const r = spawnSync(wine!, [exeOf("x86_64"), "--run-once", "Z:\\no\\such\\dir"], {
      encoding: "utf8",
      timeout: 150_000,
      env: { ...process.env, WINEPREFIX: prefix, WINEDEBUG: "-all", WINEDLLOVERRIDES: "mscoree,mshtml=" },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("usage: v2vfirstboot.exe --run-once DIR");
  }, 180_000);
});
