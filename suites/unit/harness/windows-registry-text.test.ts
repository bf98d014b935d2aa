// The .reg text of the phony Windows hives: value encodings, ancestors before children, and the
// content the conversion and libguestfs read (version, hostname, MountedDevices, VMware Tools,
// driver database or CriticalDeviceDatabase, BCD default entry). When hivexregedit exists, the
// text is merged into an empty hive and exported back.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { findRecipe } from "../../../src/harness/guests/recipes.js";
import { emptyHive } from "../../../src/harness/guests/windows/hive.js";
import { mountedDeviceData, planWindowsLayout } from "../../../src/harness/guests/windows/layout.js";
import {
  bcdKeys, bootDescription, bootLoaderGuid, BOOTMGR_OBJECT, HIVE_PREFIX, regQuote, renderReg, renderValue, softwareKeys,
  systemKeys, VMWARE_TOOLS_PRODUCT_CODE, XEN_PV_UNINSTALL_KEY, type RegKey, type RegValue,
} from "../../../src/harness/guests/windows/registry-text.js";

const w7 = findRecipe("windows-7-bios");
const w22 = findRecipe("windows-2022-uefi");
const w11 = findRecipe("windows-11-uefi");

const key = (keys: readonly RegKey[], path: string): RegKey | undefined => keys.find((k) => k.path.toLowerCase() === path.toLowerCase());
const value = (keys: readonly RegKey[], path: string, name: string): RegValue | undefined => key(keys, path)?.values.find((v) => v.name === name);
const data = (keys: readonly RegKey[], path: string, name: string): unknown => value(keys, path, name)?.data;

describe("renderValue", () => {
  test("each type in regedit's syntax", () => {
    expect(renderValue({ name: "A", type: "sz", data: 'C:\\x "y"' })).toBe('"A"="C:\\\\x \\"y\\""');
    expect(renderValue({ name: "", type: "sz", data: "d" })).toBe('@="d"');
    expect(renderValue({ name: "D", type: "dword", data: 10 })).toBe('"D"=dword:0000000a');
    expect(renderValue({ name: "B", type: "binary", data: Buffer.from([1, 0xff]) })).toBe('"B"=hex:01,ff');
    expect(renderValue({ name: "E", type: "expand_sz", data: "%a%" })).toBe('"E"=hex(2):25,00,61,00,25,00,00,00');
    expect(renderValue({ name: "M", type: "multi_sz", data: ["a", "b"] })).toBe('"M"=hex(7):61,00,00,00,62,00,00,00,00,00');
    expect(() => renderValue({ name: "D", type: "dword", data: -1 })).toThrow(/DWORD/);
    expect(regQuote("\\DosDevices\\C:")).toBe('"\\\\DosDevices\\\\C:"');
  });
});

describe("renderReg", () => {
  test("every ancestor once, before its children; a key listed twice is merged", () => {
    const text = renderReg("HKEY_LOCAL_MACHINE\\SOFTWARE", [
      { path: "A\\B\\C", values: [{ name: "x", type: "dword", data: 1 }] },
      { path: "A\\D", values: [] },
      { path: "a\\b\\c", values: [{ name: "y", type: "dword", data: 2 }] },
    ]);
    const heads = [...text.matchAll(/^\[(.*)\]\r$/gm)].map((m) => m[1]);
    expect(heads).toEqual(["HKEY_LOCAL_MACHINE\\SOFTWARE\\A", "HKEY_LOCAL_MACHINE\\SOFTWARE\\A\\B", "HKEY_LOCAL_MACHINE\\SOFTWARE\\A\\B\\C", "HKEY_LOCAL_MACHINE\\SOFTWARE\\A\\D"]);
    expect(text.startsWith("Windows Registry Editor Version 5.00\r\n\r\n")).toBe(true);
    expect(text).toContain('[HKEY_LOCAL_MACHINE\\SOFTWARE\\A\\B\\C]\r\n"x"=dword:00000001\r\n"y"=dword:00000002\r\n');
    expect(() => renderReg("P", [{ path: "A\\\\B", values: [] }])).toThrow(/empty component/);
  });
});

describe("SOFTWARE", () => {
  const nt = "Microsoft\\Windows NT\\CurrentVersion";
  test("Windows 7: CurrentVersion 6.1, no major/minor DWORDs, build, edition, Client", () => {
    const k = softwareKeys(w7);
    expect(data(k, nt, "ProductName")).toBe("Windows 7 Professional");
    expect(data(k, nt, "CurrentVersion")).toBe("6.1");
    expect(value(k, nt, "CurrentMajorVersionNumber")).toBeUndefined();
    expect(data(k, nt, "CurrentBuildNumber")).toBe("7601");
    expect(data(k, nt, "InstallationType")).toBe("Client");
    expect(data(k, nt, "SystemRoot")).toBe("C:\\Windows");
  });

  test("Server 2022: CurrentVersion 6.3 and the 10.0 DWORDs, build 20348, Server", () => {
    const k = softwareKeys(w22);
    expect(data(k, nt, "CurrentVersion")).toBe("6.3");
    expect(value(k, nt, "CurrentMajorVersionNumber")).toEqual({ name: "CurrentMajorVersionNumber", type: "dword", data: 10 });
    expect(data(k, nt, "CurrentMinorVersionNumber")).toBe(0);
    expect(data(k, nt, "CurrentBuild")).toBe("20348");
    expect(data(k, nt, "EditionID")).toBe("ServerStandard");
    expect(data(k, nt, "InstallationType")).toBe("Server");
  });

  test("DevicePath is REG_EXPAND_SZ; VMware Tools' MSI uninstaller; an empty GPO history; Xen PV only when asked", () => {
    const k = softwareKeys(w22);
    expect(value(k, "Microsoft\\Windows\\CurrentVersion", "DevicePath")).toEqual({ name: "DevicePath", type: "expand_sz", data: "%SystemRoot%\\inf" });
    const tools = `Microsoft\\Windows\\CurrentVersion\\Uninstall\\${VMWARE_TOOLS_PRODUCT_CODE}`;
    expect(data(k, tools, "DisplayName")).toBe("VMware Tools");
    expect(data(k, tools, "Publisher")).toBe("VMware, Inc.");
    expect(data(k, tools, "UninstallString")).toBe(`MsiExec.exe /I${VMWARE_TOOLS_PRODUCT_CODE}`);
    expect(key(k, "Microsoft\\Windows\\CurrentVersion\\Group Policy\\History")?.values).toEqual([]);
    const xen = `Microsoft\\Windows\\CurrentVersion\\Uninstall\\${XEN_PV_UNINSTALL_KEY}`;
    expect(key(k, xen)).toBeUndefined();
    expect(data(softwareKeys(findRecipe("windows-2022-xenpv")), xen, "UninstallString")).toMatch(/^C:\\Program Files\\Red Hat\\.*\\uninst\.exe$/);
  });
});

describe("SYSTEM", () => {
  test("Select, hostname, ComputerName, MountedDevices matching the layout, CrashControl", () => {
    const l = planWindowsLayout(w22);
    const k = systemKeys(w22, l);
    expect(key(k, "Select")?.values.map((v) => [v.name, v.data])).toEqual([["Current", 1], ["Default", 1], ["LastKnownGood", 1], ["Failed", 0]]);
    expect(data(k, "ControlSet001\\Services\\Tcpip\\Parameters", "Hostname")).toBe("win2022uefi");
    expect(data(k, "ControlSet001\\Control\\ComputerName\\ComputerName", "ComputerName")).toBe("WIN2022UEFI");
    expect((data(k, "MountedDevices", "\\DosDevices\\C:") as Buffer).equals(mountedDeviceData(l, l.windows))).toBe(true);
    expect(data(k, "ControlSet001\\Control\\CrashControl", "AutoReboot")).toBe(1);
  });

  test("VMware's services: storage drivers start at boot with System32\\drivers image paths; no virtio", () => {
    const k = systemKeys(w22, planWindowsLayout(w22));
    for (const s of ["pvscsi", "LSI_SAS"]) {
      const p = `ControlSet001\\Services\\${s}`;
      expect([data(k, p, "Type"), data(k, p, "Start"), data(k, p, "Group")]).toEqual([1, 0, "SCSI miniport"]);
      expect(data(k, p, "ImagePath")).toBe(`System32\\drivers\\${s.toLowerCase()}.sys`);
    }
    for (const s of ["vmtools", "vmci", "vm3dmp", "vmmemctl"]) expect(key(k, `ControlSet001\\Services\\${s}`)).toBeDefined();
    expect(k.some((x) => /viostor|vioscsi|virtio/i.test(x.path))).toBe(false);
  });

  test("Windows 7: CriticalDeviceDatabase, no DriverDatabase, no fast startup; 8 and later: the reverse", () => {
    const k7 = systemKeys(w7, planWindowsLayout(w7));
    expect(k7.filter((x) => x.path.startsWith("ControlSet001\\Control\\CriticalDeviceDatabase\\")).length).toBeGreaterThanOrEqual(2);
    expect(k7.some((x) => x.path.startsWith("DriverDatabase"))).toBe(false);
    expect(value(k7, "ControlSet001\\Control\\Session Manager\\Power", "HiberbootEnabled")).toBeUndefined();
    const k11 = systemKeys(w11, planWindowsLayout(w11));
    expect(k11.some((x) => x.path.includes("CriticalDeviceDatabase"))).toBe(false);
    for (const p of ["DriverDatabase\\DriverInfFiles", "DriverDatabase\\DeviceIds\\PCI", "DriverDatabase\\DriverPackages"]) {
      expect(k11.some((x) => x.path.startsWith(`${p}\\`))).toBe(true);
    }
    expect(data(k11, "ControlSet001\\Control\\Session Manager\\Power", "HiberbootEnabled")).toBe(0);
  });

  test("hibernated: fast startup on; Xen PV: xenpci and xenvbd services", () => {
    const hib = findRecipe("windows-2022-hibernated");
    expect(data(systemKeys(hib, planWindowsLayout(hib)), "ControlSet001\\Control\\Session Manager\\Power", "HiberbootEnabled")).toBe(1);
    const xen = findRecipe("windows-2022-xenpv");
    const k = systemKeys(xen, planWindowsLayout(xen));
    expect(key(k, "ControlSet001\\Services\\xenpci")).toBeDefined();
    expect(key(k, "ControlSet001\\Services\\xenvbd")).toBeDefined();
  });
});

describe("BCD", () => {
  test("the default entry names the loader, whose description, path and graphicsmodedisabled are set", () => {
    const k = bcdKeys(w22);
    const loader = bootLoaderGuid(w22);
    expect(loader).toMatch(/^\{[0-9a-f-]{36}\}$/);
    expect(value(k, `Objects\\${BOOTMGR_OBJECT}\\Elements\\23000003`, "Element")).toEqual({ name: "Element", type: "sz", data: loader });
    expect(data(k, `Objects\\${loader}\\Elements\\12000004`, "Element")).toBe("Windows Server 2022");
    expect(data(k, `Objects\\${loader}\\Elements\\12000002`, "Element")).toBe("\\Windows\\system32\\winload.efi");
    expect((data(k, `Objects\\${loader}\\Elements\\16000046`, "Element") as Buffer).toString("hex")).toBe("01");
    expect(data(bcdKeys(w7), `Objects\\${bootLoaderGuid(w7)}\\Elements\\12000002`, "Element")).toBe("\\Windows\\system32\\winload.exe");
    expect([bootDescription(w7), bootDescription(w11)]).toEqual(["Windows 7", "Windows 11"]);
  });
});

describe("hivexregedit reads the text back", () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "v2v-reg-test-")); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("SYSTEM, SOFTWARE and BCD merge into empty hives and export with the right types", (ctx) => {
    if (spawnSync("sh", ["-c", "command -v hivexregedit"]).status !== 0) {
      const reason = "hivexregedit not installed (apt-get install libwin-hivex-perl)";
      console.log(`skipped: ${reason}`);
      ctx.skip(reason);
      return;
    }
    const merge = (name: string, prefix: string, keys: readonly RegKey[]): string => {
      const hive = join(dir, name);
      writeFileSync(hive, emptyHive());
      writeFileSync(`${hive}.reg`, renderReg(prefix, keys));
      execFileSync("hivexregedit", ["--merge", "--prefix", prefix, hive, `${hive}.reg`]);
      return execFileSync("hivexregedit", ["--export", "--prefix", prefix, hive, "\\"], { encoding: "utf8" });
    };
    const l = planWindowsLayout(w7);
    const system = merge("SYSTEM", HIVE_PREFIX.SYSTEM, systemKeys(w7, l));
    expect(system).toContain('"Current"=dword:00000001');
    expect(system).toContain("[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Control\\CriticalDeviceDatabase\\pci#ven_15ad&dev_07c0]");
    const c = [...mountedDeviceData(l, l.windows)].map((b) => b.toString(16).padStart(2, "0")).join(",");
    expect(system).toContain(`"\\\\DosDevices\\\\C:"=hex(3):${c}`);
    expect(system).toMatch(/"UpperFilters"=hex\(7\):70,00,61,00/);
    const software = merge("SOFTWARE", HIVE_PREFIX.SOFTWARE, softwareKeys(w22));
    expect(software).toContain('"DevicePath"=hex(2):25,00,53,00');
    expect(software).toContain(`[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\${VMWARE_TOOLS_PRODUCT_CODE}]`);
    expect(software).toContain("[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Group Policy\\History]");
    const bcd = merge("BCD", HIVE_PREFIX.BCD, bcdKeys(w22));
    expect(bcd).toContain(`[HKEY_LOCAL_MACHINE\\BCD00000000\\Objects\\${BOOTMGR_OBJECT}\\Elements\\23000003]`);
    expect(bcd).toMatch(/\\16000046\]\r?\n"Element"=hex\(3\):01/);
  });
});
