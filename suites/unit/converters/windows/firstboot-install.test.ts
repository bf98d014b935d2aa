// installFirstboot on a fake guest and a real in-memory SYSTEM hive: files in place (in the
// guest's spelling of existing folders), the service key's values and types; findServiceExe.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { FIRSTBOOT_EXE_ENV, findServiceExe, installFirstboot } from "../../../../src/converters/windows/firstboot/install.js";
import { V2vError } from "../../../../src/model/errors.js";
import { emptyHive, Hive } from "../../../../src/registry/hive.js";
import { REG, valueDword, valueString } from "../../../../src/registry/values.js";
import { FakeGuest } from "../../fakes/fake-guest.js";

const tmp = mkdtempSync(join(tmpdir(), "v2v-firstboot-install-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const exe = join(tmp, "v2vfirstboot.exe");
const EXE_BYTES = "MZ\x90\x00\x03\x00\xff binary \x00\x01";
writeFileSync(exe, Buffer.from(EXE_BYTES, "latin1"));

const scripts = [
  { name: "0100-wait-pnp.ps1", content: "exit 0\r\n" },
  { name: "9900-boot-report.ps1", content: "Write-Output 'x'\r\nexit 0\r\n" },
];
const KEY = ["ControlSet001", "Services", "v2v-firstboot"];
const system = (): Hive => Hive.parse(emptyHive("SYSTEM"), "SYSTEM hive (test)");

describe("installFirstboot", () => {
  test("a guest with /Program Files: the tree, the exe's bytes, the scripts", async () => {
    const g = new FakeGuest({ dirs: ["/Program Files/Common Files", "/Windows/System32/config"] });
    const hive = system();
    const r = await installFirstboot(g, hive, { controlSet: "ControlSet001", arch: "x86_64", scripts, serviceExe: exe });
    expect(r).toEqual({ guestDir: "/Program Files/V2V/Firstboot", windowsDir: "C:\\Program Files\\V2V\\Firstboot", otherScripts: [] });
    expect(g.file("/Program Files/V2V/Firstboot/v2vfirstboot.exe")).toBe(EXE_BYTES);
    expect(await g.isDir("/Program Files/V2V/Firstboot/scripts-done")).toBe(true);
    expect(await g.ls("/Program Files/V2V/Firstboot/scripts")).toEqual(["0100-wait-pnp.ps1", "9900-boot-report.ps1"]);
    expect(g.file("/Program Files/V2V/Firstboot/scripts/9900-boot-report.ps1")).toBe("Write-Output 'x'\r\nexit 0\r\n");
    expect(await g.ls("/")).toEqual(["Program Files", "Windows"]);
  });

  test("existing folders in another case are reused, not duplicated", async () => {
    const g = new FakeGuest({ dirs: ["/PROGRAM FILES/v2v/FIRSTBOOT/Scripts"], files: { "/PROGRAM FILES/v2v/FIRSTBOOT/Scripts/0100-WAIT-PNP.PS1": "old\r\n", "/PROGRAM FILES/v2v/FIRSTBOOT/Scripts/0150-other.bat": "x" } });
    const r = await installFirstboot(g, system(), { controlSet: "ControlSet002", arch: "i386", scripts, serviceExe: exe });
    expect(r.guestDir).toBe("/PROGRAM FILES/v2v/FIRSTBOOT");
    expect(r.windowsDir).toBe("C:\\PROGRAM FILES\\v2v\\FIRSTBOOT");
    expect(r.otherScripts).toEqual(["0150-other.bat"]);
    expect(await g.ls("/")).toEqual(["PROGRAM FILES"]);
    expect(await g.ls("/PROGRAM FILES/v2v/FIRSTBOOT")).toEqual(["Scripts", "scripts-done", "v2vfirstboot.exe"]);
    // Our script replaces the file of the same name in whatever case it had.
    expect(g.file("/PROGRAM FILES/v2v/FIRSTBOOT/Scripts/0100-WAIT-PNP.PS1")).toBe("exit 0\r\n");
    expect(await g.ls("/PROGRAM FILES/v2v/FIRSTBOOT/Scripts")).toEqual(["0100-WAIT-PNP.PS1", "0150-other.bat", "9900-boot-report.ps1"]);
  });

  test("the service key: values, types, and the hive survives a round trip", async () => {
    const hive = system();
    await installFirstboot(new FakeGuest(), hive, { controlSet: "ControlSet001", arch: "x86_64", scripts, serviceExe: exe });
    const back = Hive.parse(hive.toBuffer(), "SYSTEM hive (round trip)");
    const v = (name: string) => back.value(KEY, name);
    expect(v("Type")?.type).toBe(REG.DWORD);
    expect(valueDword(v("Type"))).toBe(0x10);
    expect(valueDword(v("Start"))).toBe(2);
    expect(valueDword(v("ErrorControl"))).toBe(1);
    expect(v("ObjectName")?.type).toBe(REG.SZ);
    expect(valueString(v("ObjectName"))).toBe("LocalSystem");
    expect(v("ImagePath")?.type).toBe(REG.EXPAND_SZ);
    expect(valueString(v("ImagePath"))).toBe('"C:\\Program Files\\V2V\\Firstboot\\v2vfirstboot.exe"');
    expect(v("DisplayName")?.type).toBe(REG.SZ);
    expect(valueString(v("DisplayName"))).toBe("v2v first boot");
    expect(valueString(v("Description"))).toContain("C:\\Program Files\\V2V\\Firstboot\\scripts");
    expect(back.subkeys(["ControlSet001", "Services"])).toEqual(["v2v-firstboot"]);
  });

  test("a second install replaces the values instead of adding more", async () => {
    const hive = system();
    const g = new FakeGuest();
    for (let i = 0; i < 2; i++) await installFirstboot(g, hive, { controlSet: "ControlSet001", arch: "x86_64", scripts, serviceExe: exe });
    expect(hive.values(KEY)?.map((x) => x.name).sort()).toEqual(["Description", "DisplayName", "ErrorControl", "ImagePath", "ObjectName", "Start", "Type"]);
  });

  test.each([
    [{ controlSet: "CurrentControlSet" }, "CurrentControlSet"],
    [{ controlSet: "ControlSet001\\Services" }, "ControlSet001"],
    [{ scripts: [{ name: "../evil.bat", content: "" }] }, "../evil.bat"],
    [{ scripts: [{ name: "0100-X.bat", content: "" }] }, "0100-X.bat"],
    [{ scripts: [{ name: "0100-x.exe", content: "" }] }, "0100-x.exe"],
  ])("refuses %j before touching the guest", async (bad, shown) => {
    const g = new FakeGuest();
    const err = await installFirstboot(g, system(), { controlSet: "ControlSet001", arch: "x86_64", scripts, serviceExe: exe, ...bad }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(V2vError);
    expect((err as V2vError).code).toBe("CONVERSION");
    expect((err as V2vError).message).toContain(shown);
    expect(g.ops).toEqual([]);
  });
});

describe("findServiceExe", () => {
  test("the override wins, for any arch", () => {
    expect(findServiceExe("i386", { [FIRSTBOOT_EXE_ENV]: exe })).toBe(exe);
  });

  test("a missing override names the variable", () => {
    const missing = join(tmp, "nope.exe");
    expect(() => findServiceExe("x86_64", { [FIRSTBOOT_EXE_ENV]: missing })).toThrow(new RegExp(`${FIRSTBOOT_EXE_ENV}.*${FIRSTBOOT_EXE_ENV}`));
  });

  test.each(["x86_64", "i386"] as const)("the built one for %s, or one line naming it and the fix", (arch) => {
    const built = fileURLToPath(new URL(`../../../../dist/windows-tools/${arch}/v2vfirstboot.exe`, import.meta.url));
    if (existsSync(built)) {
      expect(findServiceExe(arch, {})).toBe(built);
    } else {
      let err: unknown;
      try { findServiceExe(arch, {}); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(V2vError);
      expect((err as V2vError).message).toContain(built);
      expect((err as V2vError).message).toContain("npm run build");
      expect((err as V2vError).message).not.toContain("\n");
    }
  });
});
