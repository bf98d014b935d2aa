// system-edits.ts on SYSTEM / SOFTWARE hives built with the Hive API (hives.ts): the control
// set, GUID bytes, the boot driver's registration (CriticalDeviceDatabase without a
// DriverDatabase key, a DriverDatabase package with one), the other hypervisors' services,
// CrashControl and DevicePath. Every check reads the hive back after a toBuffer/parse round trip,
// so what is asserted is what the guest gets.
import { describe, expect, test } from "vitest";
import {
  appendDevicePath,
  currentControlSet,
  disableForeignServices,
  guidBytes,
  keepCrashScreen,
  registerBootDriver,
  SCSI_ADAPTER_CLASS,
  type BootDriverChoice,
} from "../../../../src/converters/windows/system-edits.js";
import type { DriverInfo } from "../../../../src/converters/windows/virtio-win/inf.js";
import { V2vError } from "../../../../src/model/errors.js";
import { Hive, type KeyPath } from "../../../../src/registry/hive.js";
import { expandSz, REG, sz, valueDword, valueMultiSz, valueString, type RegValue } from "../../../../src/registry/values.js";
import { DISK_CLASS, server2022System, softwareHive, systemHive, win7System } from "./hives.js";

const reread = (h: Hive): Hive => Hive.parse(h.toBuffer(), "SYSTEM hive (round trip)");
const hex = (v: RegValue | undefined): string | undefined => v?.data.toString("hex");

const LEGACY = "PCI\\VEN_1AF4&DEV_1001&SUBSYS_00021AF4&REV_00";
const MODERN = "PCI\\VEN_1AF4&DEV_1042&SUBSYS_11001AF4&REV_01";
const viostorInfo = (over: Partial<DriverInfo> = {}): DriverInfo => ({
  name: "viostor",
  class: "SCSIAdapter",
  classGuid: "{4D36E97B-E325-11CE-BFC1-08002BE10318}",
  hardwareIds: [LEGACY, MODERN],
  service: "viostor",
  source: "inf",
  ...over,
});
const viostor = (over: Partial<DriverInfo> = {}): BootDriverChoice => ({ service: "viostor", info: viostorInfo(over) });

/** The thrown V2vError (fails when nothing, or something else, is thrown). */
function v2vErrorOf(f: () => unknown): V2vError {
  try {
    f();
  } catch (e) {
    if (e instanceof V2vError) return e;
    throw e;
  }
  throw new Error("expected a V2vError, nothing was thrown");
}

describe("currentControlSet", () => {
  test("inspection's answer wins when it is ControlSetNNN, whatever Select says", () => {
    const h = systemHive({ current: 1, controlSets: [1, 2] });
    expect(currentControlSet(h, "ControlSet002")).toBe("ControlSet002");
  });

  test("otherwise Select\\Current, zero-padded to three digits", () => {
    expect(currentControlSet(systemHive({ current: 2, controlSets: [1, 2] }))).toBe("ControlSet002");
    expect(currentControlSet(systemHive({ current: 1, controlSets: [1, 2] }), "")).toBe("ControlSet001");
    expect(currentControlSet(systemHive({ current: 2, controlSets: [1, 2] }), "CurrentControlSet")).toBe("ControlSet002");
    expect(currentControlSet(systemHive({ current: 1, controlSets: [1] }), "ControlSet1")).toBe("ControlSet001");
    expect(currentControlSet(systemHive({ current: 12, controlSets: [12] }))).toBe("ControlSet012");
  });

  test("Select\\Current naming a control set the hive lacks is refused", () => {
    const e = v2vErrorOf(() => currentControlSet(systemHive({ current: 3, controlSets: [1, 2] })));
    expect(e.code).toBe("CONVERSION");
    expect(e.message).toBe("the SYSTEM hive has no usable current control set (Select\\Current = 3); check the guest's registry");
  });

  test("no Select key, or a number that is not NNN, is refused", () => {
    const missing = v2vErrorOf(() => currentControlSet(systemHive({ controlSets: [1] })));
    expect(missing.code).toBe("CONVERSION");
    expect(missing.message).toBe("the SYSTEM hive has no usable current control set (Select\\Current = missing); check the guest's registry");
    const big = systemHive({ current: 1000, controlSets: [1] });
    big.ensureKey(["ControlSet1000"]);
    expect(v2vErrorOf(() => currentControlSet(big)).message).toContain("(Select\\Current = 1000)");
  });
});

describe("guidBytes", () => {
  test("first three fields little-endian, the last two as written", () => {
    expect(guidBytes("{4D36E97B-E325-11CE-BFC1-08002BE10318}").toString("hex")).toBe("7be9364d25e3ce11bfc108002be10318");
    expect(guidBytes("{00112233-4455-6677-8899-aabbccddeeff}").toString("hex")).toBe("33221100554477668899aabbccddeeff");
    expect(guidBytes("{00112233-4455-6677-8899-aabbccddeeff}")).toHaveLength(16);
  });

  test.each(["4D36E97B-E325-11CE-BFC1-08002BE10318", "{4D36E97B-E325-11CE-BFC1-08002BE1031}", "{4D36E97B-E325-11CE-BFC1-08002BE1031G}", ""])("%j is refused", (g) => {
    expect(() => guidBytes(g)).toThrow(`guidBytes: ${g} is not a {GUID}`);
  });
});

describe("registerBootDriver: the service", () => {
  test.each([
    ["no DriverDatabase (Windows 7)", win7System],
    ["with DriverDatabase (Server 2022)", server2022System],
  ])("%s: Services\\viostor Type 1, Start 0, ErrorControl 1, Group, ImagePath REG_EXPAND_SZ", (_, make) => {
    const h = make();
    const changes = registerBootDriver(h, "ControlSet001", viostor());
    expect(changes[0]).toBe("registered the viostor service to start at boot (ControlSet001\\Services\\viostor, Start 0)");
    const back = reread(h);
    const svc = ["ControlSet001", "Services", "viostor"];
    const v = (n: string) => back.value(svc, n);
    expect(back.values(svc)?.map((x) => [x.name, x.type])).toEqual([
      ["Type", REG.DWORD],
      ["Start", REG.DWORD],
      ["ErrorControl", REG.DWORD],
      ["Group", REG.SZ],
      ["ImagePath", REG.EXPAND_SZ],
    ]);
    expect(valueDword(v("Type"))).toBe(1);
    expect(valueDword(v("Start"))).toBe(0);
    expect(valueDword(v("ErrorControl"))).toBe(1);
    expect(valueString(v("Group"))).toBe("SCSI miniport");
    expect(valueString(v("ImagePath"))).toBe("system32\\drivers\\viostor.sys");
    // Only the current control set is touched.
    expect(back.hasKey(["ControlSet002", "Services", "viostor"])).toBe(false);
  });

  test("an existing viostor service is overwritten to boot start", () => {
    const h = systemHive({ current: 1, services: { viostor: 3 } });
    registerBootDriver(h, "ControlSet001", viostor());
    expect(valueDword(reread(h).value(["ControlSet001", "Services", "viostor"], "Start"))).toBe(0);
  });
});

describe("registerBootDriver: CriticalDeviceDatabase (no DriverDatabase key)", () => {
  test("one lowercased pci#ven_… key per id, with Service and ClassGUID", () => {
    const h = win7System();
    const changes = registerBootDriver(h, "ControlSet001", viostor());
    expect(changes).toEqual([
      "registered the viostor service to start at boot (ControlSet001\\Services\\viostor, Start 0)",
      `added 2 CriticalDeviceDatabase entries for viostor (${LEGACY}, ${MODERN})`,
    ]);
    const back = reread(h);
    const cdd: KeyPath = ["ControlSet001", "Control", "CriticalDeviceDatabase"];
    expect(back.subkeys(cdd)).toEqual(["pci#ven_1af4&dev_1001&subsys_00021af4&rev_00", "pci#ven_1af4&dev_1042&subsys_11001af4&rev_01"]);
    for (const k of back.subkeys(cdd)!) {
      expect(back.values([...cdd, k])?.map((x) => [x.name, x.type, valueString(x)])).toEqual([
        ["Service", REG.SZ, "viostor"],
        ["ClassGUID", REG.SZ, "{4D36E97B-E325-11CE-BFC1-08002BE10318}"],
      ]);
    }
    expect(back.hasKey(["DriverDatabase"])).toBe(false);
  });

  test("only PCI ids of the right shape are registered; ACPI and malformed ids are skipped", () => {
    const h = win7System();
    const changes = registerBootDriver(h, "ControlSet001", viostor({ hardwareIds: ["ACPI\\QEMU0002", "PCI\\VEN_1AF4&DEV_1001", "PCI\\VEN 1AF4", "PCI\\VEN_1AF4\\X", "pci\\ven_1af4&dev_1042"] }));
    expect(changes[1]).toBe("added 1 CriticalDeviceDatabase entries for viostor (PCI\\VEN_1AF4&DEV_1001)");
    expect(reread(h).subkeys(["ControlSet001", "Control", "CriticalDeviceDatabase"])).toEqual(["pci#ven_1af4&dev_1001"]);
  });

  test("a lowercase class GUID is upper-cased; a missing or malformed one falls back to SCSIAdapter", () => {
    const key: KeyPath = ["ControlSet001", "Control", "CriticalDeviceDatabase", "pci#ven_1af4&dev_1001&subsys_00021af4&rev_00"];
    const lower = win7System();
    registerBootDriver(lower, "ControlSet001", viostor({ classGuid: "{4d36e97d-e325-11ce-bfc1-08002be10318}" }));
    expect(valueString(reread(lower).value(key, "ClassGUID"))).toBe("{4D36E97D-E325-11CE-BFC1-08002BE10318}");
    for (const classGuid of [undefined, "SCSIAdapter", "{4D36E97B-E325-11CE-BFC1-08002BE1031}"]) {
      const h = win7System();
      const info = viostorInfo({ classGuid });
      if (classGuid === undefined) delete (info as { classGuid?: string }).classGuid;
      registerBootDriver(h, "ControlSet001", { service: "viostor", info });
      expect(valueString(reread(h).value(key, "ClassGUID"))).toBe(SCSI_ADAPTER_CLASS);
    }
    expect(SCSI_ADAPTER_CLASS).toBe("{4D36E97B-E325-11CE-BFC1-08002BE10318}");
  });
});

describe("registerBootDriver: DriverDatabase package (Windows 8 and later)", () => {
  const db = ["DriverDatabase"];
  const pkg = [...db, "DriverPackages", "v2vviostor.inf_v2v"];

  test("the change sentences, and no CriticalDeviceDatabase", () => {
    const h = server2022System();
    expect(registerBootDriver(h, "ControlSet001", viostor())).toEqual([
      "registered the viostor service to start at boot (ControlSet001\\Services\\viostor, Start 0)",
      `added the DriverDatabase package v2vviostor.inf_v2v binding ${LEGACY}, ${MODERN} to viostor`,
    ]);
    expect(reread(h).hasKey(["ControlSet001", "Control", "CriticalDeviceDatabase"])).toBe(false);
  });

  test("DriverInfFiles\\v2vviostor.inf: default, Active, Configurations", () => {
    const h = server2022System();
    registerBootDriver(h, "ControlSet001", viostor());
    const back = reread(h);
    const inf = [...db, "DriverInfFiles", "v2vviostor.inf"];
    expect(back.values(inf)?.map((x) => [x.name, x.type])).toEqual([["", REG.MULTI_SZ], ["Active", REG.SZ], ["Configurations", REG.MULTI_SZ]]);
    expect(valueMultiSz(back.value(inf, ""))).toEqual(["v2vviostor.inf_v2v"]);
    expect(valueString(back.value(inf, "Active"))).toBe("v2vviostor.inf_v2v");
    expect(valueMultiSz(back.value(inf, "Configurations"))).toEqual(["v2vviostor_conf"]);
    // The guest's own packages are kept.
    expect(back.subkeys([...db, "DriverInfFiles"])).toEqual(["disk.inf", "v2vviostor.inf"]);
    expect(valueString(back.value([...db, "DriverInfFiles", "disk.inf"], "Active"))).toBe("disk.inf_amd64_b9e6bd3a8a0f4bda");
  });

  test("DeviceIds\\PCI\\<id>: v2vviostor.inf = binary 01 ff 00 00, for each id", () => {
    const h = server2022System();
    registerBootDriver(h, "ControlSet001", viostor());
    const back = reread(h);
    expect(back.subkeys([...db, "DeviceIds", "PCI"])).toEqual(["VEN_1AF4&DEV_1001&SUBSYS_00021AF4&REV_00", "VEN_1AF4&DEV_1042&SUBSYS_11001AF4&REV_01"]);
    for (const id of [LEGACY, MODERN]) {
      const vals = back.values([...db, "DeviceIds", ...id.split("\\")]);
      expect(vals?.map((x) => [x.name, x.type, x.data.toString("hex")])).toEqual([["v2vviostor.inf", REG.BINARY, "01ff0000"]]);
    }
  });

  test("DriverPackages\\v2vviostor.inf_v2v: default, Version (header, class GUID bytes, zeros), Provider", () => {
    const h = server2022System();
    registerBootDriver(h, "ControlSet001", viostor());
    const back = reread(h);
    expect(back.values(pkg)?.map((x) => [x.name, x.type])).toEqual([["", REG.SZ], ["Version", REG.BINARY], ["Provider", REG.SZ]]);
    expect(valueString(back.value(pkg, ""))).toBe("v2vviostor.inf");
    expect(valueString(back.value(pkg, "Provider"))).toBe("v2v");
    expect(hex(back.value(pkg, "Version"))).toBe(`00ff090000000000${"7be9364d25e3ce11bfc108002be10318"}${"00".repeat(24)}`);
  });

  test("the Version bytes carry the .inf's class GUID", () => {
    const h = server2022System();
    registerBootDriver(h, "ControlSet001", viostor({ classGuid: "{4d36e97d-e325-11ce-bfc1-08002be10318}" }));
    expect(hex(reread(h).value(pkg, "Version"))?.slice(16, 48)).toBe("7de9364d25e3ce11bfc108002be10318");
  });

  test("Configurations\\v2vviostor_conf: ConfigFlags 0, Service; Descriptors\\PCI\\<id>: Configuration", () => {
    const h = server2022System();
    registerBootDriver(h, "ControlSet001", viostor());
    const back = reread(h);
    const conf = [...pkg, "Configurations", "v2vviostor_conf"];
    expect(back.values(conf)?.map((x) => [x.name, x.type])).toEqual([["ConfigFlags", REG.DWORD], ["Service", REG.SZ]]);
    expect(valueDword(back.value(conf, "ConfigFlags"))).toBe(0);
    expect(valueString(back.value(conf, "Service"))).toBe("viostor");
    expect(back.subkeys([...pkg, "Descriptors", "PCI"])).toEqual(["VEN_1AF4&DEV_1001&SUBSYS_00021AF4&REV_00", "VEN_1AF4&DEV_1042&SUBSYS_11001AF4&REV_01"]);
    for (const id of [LEGACY, MODERN]) {
      const d = [...pkg, "Descriptors", ...id.split("\\")];
      expect(back.values(d)?.map((x) => [x.name, x.type, valueString(x)])).toEqual([["Configuration", REG.SZ, "v2vviostor_conf"]]);
    }
  });

  test("the names follow the service: vioscsi gives v2vvioscsi.inf", () => {
    const h = server2022System();
    registerBootDriver(h, "ControlSet001", { service: "vioscsi", info: viostorInfo({ name: "vioscsi", hardwareIds: ["PCI\\VEN_1AF4&DEV_1048&SUBSYS_11001AF4&REV_01"] }) });
    const back = reread(h);
    expect(valueString(back.value(["DriverDatabase", "DriverInfFiles", "v2vvioscsi.inf"], "Active"))).toBe("v2vvioscsi.inf_v2v");
    expect(hex(back.value(["DriverDatabase", "DeviceIds", "PCI", "VEN_1AF4&DEV_1048&SUBSYS_11001AF4&REV_01"], "v2vvioscsi.inf"))).toBe("01ff0000");
    expect(valueString(back.value(["ControlSet001", "Services", "vioscsi"], "ImagePath"))).toBe("system32\\drivers\\vioscsi.sys");
  });
});

describe("registerBootDriver: refusals (nothing written)", () => {
  test.each(["vio stor", "..\\viostor", "", "a".repeat(65), "viostor.sys"])("service name %j", (service) => {
    const h = win7System();
    const before = h.toBuffer().toString("hex");
    const e = v2vErrorOf(() => registerBootDriver(h, "ControlSet001", { service, info: viostorInfo() }));
    expect(e.code).toBe("CONVERSION");
    expect(e.message).toBe(`the boot driver name ${JSON.stringify(service)} is not a service name`);
    expect(h.toBuffer().toString("hex")).toBe(before);
  });

  test("no PCI hardware id", () => {
    for (const hardwareIds of [[], ["ACPI\\QEMU0001"], ["USB\\VID_1AF4"]]) {
      const h = server2022System();
      const e = v2vErrorOf(() => registerBootDriver(h, "ControlSet001", viostor({ hardwareIds })));
      expect(e.code).toBe("CONVERSION");
      expect(e.message).toBe("the viostor driver's .inf names no PCI hardware id; check the virtio-win drivers");
      expect(h.hasKey(["ControlSet001", "Services", "viostor"])).toBe(false);
      expect(h.hasKey(["DriverDatabase", "DriverInfFiles", "v2vviostor.inf"])).toBe(false);
    }
  });
});

describe("disableForeignServices", () => {
  test("Start 4 for the foreign services present and not already disabled, named as the guest spells them", () => {
    const h = win7System();
    const changes = disableForeignServices(h, "ControlSet001");
    expect(changes).toEqual([
      "disabled the services of the previous hypervisor: prl_fs, prl_strg, VMCI, vmxnet3ndis6, vmtools",
      "removed prl_strg from the disk drive class's LowerFilters",
    ]);
    const back = reread(h);
    const start = (ccs: string, s: string) => valueDword(back.value([ccs, "Services", s], "Start"));
    for (const s of ["prl_fs", "prl_strg", "VMCI", "vmxnet3ndis6", "vmtools", "vmmemctl"]) expect(start("ControlSet001", s)).toBe(4);
    expect(back.value(["ControlSet001", "Services", "VMCI"], "Start")?.type).toBe(REG.DWORD);
    expect(start("ControlSet001", "Tcpip")).toBe(1);
    expect(start("ControlSet001", "disk")).toBe(0);
    // Nothing created for services the guest does not have; the other control set untouched.
    expect(back.subkeys(["ControlSet001", "Services"])?.sort()).toEqual(["disk", "prl_fs", "prl_strg", "Tcpip", "VMCI", "vmmemctl", "vmtools", "vmxnet3ndis6"].sort());
    expect(start("ControlSet002", "VMCI")).toBe(0);
    expect(start("ControlSet002", "vmtools")).toBe(2);
  });

  test("prl_strg leaves LowerFilters (any case); the other filters stay in order, as REG_MULTI_SZ", () => {
    const h = systemHive({ current: 1, lowerFilters: ["PartMgr", "PRL_STRG", "EhStorClass", "prl_strg"] });
    expect(disableForeignServices(h, "ControlSet001")).toEqual(["removed prl_strg from the disk drive class's LowerFilters"]);
    const v = reread(h).value(["ControlSet001", "Control", "Class", DISK_CLASS], "LowerFilters");
    expect(v?.type).toBe(REG.MULTI_SZ);
    expect(valueMultiSz(v)).toEqual(["PartMgr", "EhStorClass"]);
  });

  test("LowerFilters without prl_strg, or no LowerFilters: untouched", () => {
    const h = systemHive({ current: 1, lowerFilters: ["PartMgr", "prl_strgx"] });
    const before = h.toBuffer().toString("hex");
    expect(disableForeignServices(h, "ControlSet001")).toEqual([]);
    expect(h.toBuffer().toString("hex")).toBe(before);
    expect(disableForeignServices(systemHive({ current: 1 }), "ControlSet001")).toEqual([]);
  });

  test("a service key without Start gets Start 4; a second run changes nothing", () => {
    const h = systemHive({ current: 1, services: { vmhgfs: null, rhelscsi: 0, vmtools: 4 } });
    expect(disableForeignServices(h, "ControlSet001")).toEqual(["disabled the services of the previous hypervisor: rhelscsi, vmhgfs"]);
    expect(valueDword(h.value(["ControlSet001", "Services", "vmhgfs"], "Start"))).toBe(4);
    expect(disableForeignServices(h, "ControlSet001")).toEqual([]);
    expect(disableForeignServices(win7System(), "ControlSet003")).toEqual([]);
  });
});

describe("keepCrashScreen", () => {
  test("AutoReboot 1 → 0, once; the other CrashControl values stay", () => {
    const h = win7System();
    expect(keepCrashScreen(h, "ControlSet001")).toEqual(["set CrashControl\\AutoReboot to 0 (a boot failure stays on screen)"]);
    const back = reread(h);
    const cc = ["ControlSet001", "Control", "CrashControl"];
    expect(back.value(cc, "AutoReboot")?.type).toBe(REG.DWORD);
    expect(valueDword(back.value(cc, "AutoReboot"))).toBe(0);
    expect(valueDword(back.value(cc, "CrashDumpEnabled"))).toBe(7);
    expect(valueDword(back.value(["ControlSet002", "Control", "CrashControl"], "AutoReboot"))).toBe(1);
    expect(keepCrashScreen(h, "ControlSet001")).toEqual([]);
  });

  test("a missing value or key is created as 0; an existing 0 is left alone", () => {
    const noValue = systemHive({ current: 1 });
    expect(keepCrashScreen(noValue, "ControlSet001")).toHaveLength(1);
    expect(valueDword(noValue.value(["ControlSet001", "Control", "CrashControl"], "AutoReboot"))).toBe(0);
    const noKey = systemHive({ current: 1, controlSets: [] });
    expect(keepCrashScreen(noKey, "ControlSet001")).toHaveLength(1);
    expect(valueDword(noKey.value(["ControlSet001", "Control", "CrashControl"], "AutoReboot"))).toBe(0);
    const zero = systemHive({ current: 1, autoReboot: 0 });
    const before = zero.toBuffer().toString("hex");
    expect(keepCrashScreen(zero, "ControlSet001")).toEqual([]);
    expect(zero.toBuffer().toString("hex")).toBe(before);
  });
});

describe("appendDevicePath", () => {
  const CV = ["Microsoft", "Windows", "CurrentVersion"];
  const devicePath = (h: Hive) => Hive.parse(h.toBuffer(), "SOFTWARE (round trip)").value(CV, "DevicePath");

  test("appended once, as REG_EXPAND_SZ", () => {
    const h = softwareHive({ devicePath: "%SystemRoot%\\inf" });
    expect(appendDevicePath(h)).toEqual(["appended %SystemRoot%\\Drivers\\VirtIO to DevicePath"]);
    const v = devicePath(h);
    expect(v?.type).toBe(REG.EXPAND_SZ);
    expect(valueString(v)).toBe("%SystemRoot%\\inf;%SystemRoot%\\Drivers\\VirtIO");
    expect(appendDevicePath(h)).toEqual([]);
    expect(valueString(devicePath(h))).toBe("%SystemRoot%\\inf;%SystemRoot%\\Drivers\\VirtIO");
  });

  test("already there in another case: nothing changes", () => {
    const h = softwareHive({ devicePath: "%systemroot%\\inf;%SYSTEMROOT%\\DRIVERS\\VIRTIO" });
    const before = h.toBuffer().toString("hex");
    expect(appendDevicePath(h)).toEqual([]);
    expect(h.toBuffer().toString("hex")).toBe(before);
  });

  test("missing: the Windows default, then the folder", () => {
    const h = softwareHive();
    expect(appendDevicePath(h)).toEqual(["appended %SystemRoot%\\Drivers\\VirtIO to DevicePath"]);
    expect(valueString(devicePath(h))).toBe("%SystemRoot%\\inf;%SystemRoot%\\Drivers\\VirtIO");
  });

  test("empty entries are dropped, a REG_SZ DevicePath is read too, another folder may be given", () => {
    const h = softwareHive();
    h.setValue(CV, sz("DevicePath", "%SystemRoot%\\inf;;C:\\Drivers;"));
    expect(appendDevicePath(h, "C:\\Other")).toEqual(["appended C:\\Other to DevicePath"]);
    expect(valueString(devicePath(h))).toBe("%SystemRoot%\\inf;C:\\Drivers;C:\\Other");
    expect(devicePath(h)?.type).toBe(REG.EXPAND_SZ);
    const prefix = softwareHive();
    prefix.setValue(CV, expandSz("DevicePath", "%SystemRoot%\\inf;%SystemRoot%\\Drivers\\VirtIO\\x"));
    expect(appendDevicePath(prefix)).toHaveLength(1);
  });
});
