// The real v2vfirstboot.exe files: PE headers read here (machine, PE32/PE32+, console subsystem,
// no DLLs beyond what every Windows has), and, when wine is installed (about 20 s): `--run-once`
// on a folder with scripts that succeed with 3010 and fail, and a real service run in a prefix of
// its own (wine's services.exe; its next session processes pending deletions as a boot would).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { firstbootScripts } from "../../../../src/converters/windows/firstboot/scripts.js";

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

describe("v2vfirstboot.exe under wine", () => {
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

  test.skipIf(reason !== undefined)("as a service: runs the scripts, deletes its registration, keeps the log, schedules its folder's removal", () => {
    // A prefix of its own: the service name is fixed, and another run must not see this one's.
    const prefix = mkdtempSync(join(tmpdir(), "v2v-firstboot-wineprefix-"));
    const env = { ...process.env, WINEPREFIX: prefix, WINEDEBUG: "-all", WINEDLLOVERRIDES: "mscoree,mshtml=" };
    const run = (...args: string[]) => spawnSync(wine!, args, { encoding: "utf8", timeout: 150_000, env });
    try {
      expect(run("sc", "create", "v2v-firstboot", "binPath=", "C:\\v2vtest\\v2vfirstboot.exe", "type=", "own", "start=", "demand").status).toBe(0);
      const dir = join(prefix, "drive_c", "v2vtest");
      mkdirSync(join(dir, "scripts"), { recursive: true });
      writeFileSync(join(dir, "v2vfirstboot.exe"), readFileSync(exeOf("x86_64")));
      writeFileSync(join(dir, "scripts", "0100-ok.bat"), "@echo off\r\nexit /b 3010\r\n");
      const started = run("net", "start", "v2v-firstboot");
      expect(started.status, started.stdout + started.stderr).toBe(0);
      // The service runs on after "net start" returns. wineserver -w waits until only wine's own
      // processes are left and wine has stopped, and saved its registry.
      expect(spawnSync(join(wine!, "..", "wineserver"), ["-w"], { env, timeout: 120_000 }).status).toBe(0);
      const log = readFileSync(join(prefix, "drive_c", "windows", "logs", "v2v-firstboot.log"), "utf8");
      expect(log).toContain("end 0100-ok.bat: exit code 3010 (ok, reboot required)");
      expect(log).toContain("deleted the service v2v-firstboot");
      // wine's InitiateSystemShutdownEx only reports success; Windows reboots here.
      expect(log).toContain("rebooting in 10 seconds (a script exited 3010)");
      expect(readFileSync(join(dir, "log.txt"), "utf8")).toMatch(/log copied to C:\\windows\\Logs\\v2v-firstboot\.log\r\n$/);
      expect(readdirSync(join(dir, "scripts-done"))).toEqual(["0100-ok.bat"]);
      const reg = readFileSync(join(prefix, "system.reg"), "latin1");
      const pending = /"PendingFileRenameOperations"=str\(7\):"([^\n]*)"/.exec(reg)?.[1]?.split("\\0\\0").filter(Boolean) ?? [];
      const at = (p: string) => pending.indexOf(`\\\\??\\\\C:\\\\v2vtest${p}`);
      expect(at(""), pending.join(" ")).toBe(pending.length - 1); // the folder last, when it is empty
      for (const f of ["\\\\log.txt", "\\\\v2vfirstboot.exe", "\\\\scripts-done\\\\0100-ok.bat", "\\\\scripts"]) expect(at(f), f).toBeGreaterThanOrEqual(0);
      expect(at("\\\\scripts-done\\\\0100-ok.bat")).toBeLessThan(at("\\\\scripts-done"));
      // The next wine session starts like a boot: the service is gone, and so is its folder.
      expect(run("sc", "query", "v2v-firstboot").status).not.toBe(0);
      expect(existsSync(dir)).toBe(false);
    } finally {
      spawnSync(join(wine!, "..", "wineserver"), ["-k"], { env });
      rmSync(prefix, { recursive: true, force: true });
    }
  }, 180_000);

  test.skipIf(reason !== undefined)("generated .bat scripts: an uninstaller of a product that is gone succeeds (1605), a missing MSI fails; MSI logs land in DIR", () => {
    const gen = mkdtempSync(join(tmpdir(), "v2v-firstboot-gen-"));
    try {
      mkdirSync(join(gen, "scripts"));
      const all = firstbootScripts({
        osMajor: 10, osMinor: 0, arch: "x86_64", virtioDriversDir: "C:\\Windows\\Drivers\\VirtIO", bootReportSerial: "COM1",
        uninstallers: [{ name: "VMware Tools", command: "MsiExec.exe /X{E2A6C1F1-7B2C-4F8A-9D3B-1A2B3C4D5E6F} /quiet /norestart REBOOT=ReallySuppress" }],
        qemuGaMsi: "C:\\no such folder\\qemu-ga-x86_64.msi",
      });
      // wine has msiexec but no pnputil and only a stub PowerShell: the uninstaller and qemu-ga scripts only.
      for (const sc of all.filter((x) => /^0[34]00-/.test(x.name))) writeFileSync(join(gen, "scripts", sc.name), sc.content);
      const prefix = join(process.env["V2V_CACHE_DIR"] ?? "/var/tmp/v2v-ts-cache", "wine-prefix");
      mkdirSync(prefix, { recursive: true });
      const r = spawnSync(wine!, [exeOf("x86_64"), "--run-once", `Z:${gen.replace(/\//g, "\\")}`], {
        encoding: "utf8",
        timeout: 150_000,
        env: { ...process.env, WINEPREFIX: prefix, WINEDEBUG: "-all", WINEDLLOVERRIDES: "mscoree,mshtml=" },
      });
      expect(r.status, r.stdout + r.stderr).toBe(1);
      const log = readFileSync(join(gen, "log.txt"), "utf8");
      expect(log).toContain("vmware-tools uninstaller exit code 1605\r\n");
      expect(log).toContain("end 0300-uninstall-vmware-tools.bat: exit code 0 (ok)");
      expect(log).toMatch(/end 0400-install-qemu-ga\.bat: exit code [1-9][0-9]* \(failed\)/);
      expect(readdirSync(join(gen, "scripts-done")).sort()).toEqual(["0300-uninstall-vmware-tools.bat", "0400-install-qemu-ga.bat.failed"]);
      // %~dp0..\ is DIR: the logs are not in scripts\, where the service would take them for scripts.
      expect(readdirSync(join(gen, "scripts"))).toEqual([]);
      expect(existsSync(join(gen, "uninstall-vmware-tools.log"))).toBe(true);
    } finally {
      rmSync(gen, { recursive: true, force: true });
    }
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
