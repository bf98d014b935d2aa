// Reading .inf files: real-looking text, UTF-16, comments, strings, sections in any case; empty
// and garbage text never throw; missing ids fall back to the well-known ones.
import { describe, expect, test } from "vitest";
import { CLASS_GUIDS, WELL_KNOWN, decodeInfBytes, driverInfo, infFields, parseInf } from "../../../../src/converters/windows/virtio-win/inf.js";

const VIOSTOR = [
  "; viostor.inf - virtio block",
  ";",
  "[Version]",
  'Signature="$WINDOWS NT$"',
  "Class=SCSIAdapter",
  "ClassGuid={4D36E97B-E325-11CE-BFC1-08002BE10318}",
  "Provider=%VENDOR%",
  "DriverVer = 06/05/2025,100.100.104.27100",
  "CatalogFile=viostor.cat",
  "",
  "[manufacturer]",
  "%VENDOR% = Models, NTamd64",
  "",
  "[Models.NTAMD64]",
  '%VirtioBlk.DeviceDesc% = viostor_inst, PCI\\VEN_1AF4&DEV_1001&SUBSYS_00021AF4&REV_00 ; legacy',
  "%VirtioBlk.DeviceDesc% = viostor_inst, PCI\\VEN_1AF4&DEV_1042&SUBSYS_11001AF4&REV_01",
  "%VirtioBlk.DeviceDesc% = viostor_inst, pci\\ven_1af4&dev_1001&subsys_00021af4&rev_00",
  "",
  "[viostor_inst.NTamd64.Services]",
  "AddService = viostor, 0x00000002, viostor_Service_Inst, viostor_EventLog_Inst",
  "",
  "[Strings]",
  'VENDOR = "Red Hat, Inc."',
  'VirtioBlk.DeviceDesc = "Red Hat VirtIO SCSI controller; block"',
].join("\r\n");

describe("parseInf", () => {
  test("a real-looking viostor.inf", () => {
    expect(parseInf(VIOSTOR)).toEqual({
      class: "SCSIAdapter",
      classGuid: CLASS_GUIDS.SCSIAdapter,
      provider: "Red Hat, Inc.",
      driverVer: "06/05/2025,100.100.104.27100",
      catalogFile: "viostor.cat",
      hardwareIds: ["PCI\\VEN_1AF4&DEV_1001&SUBSYS_00021AF4&REV_00", "PCI\\VEN_1AF4&DEV_1042&SUBSYS_11001AF4&REV_01"],
      service: "viostor",
    });
  });

  test("UTF-16LE with a BOM, and UTF-16BE, and UTF-8 with a BOM read the same", () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(VIOSTOR, "utf16le")]);
    expect(parseInf(le)).toEqual(parseInf(VIOSTOR));
    const be = Buffer.from(VIOSTOR, "utf16le");
    be.swap16();
    expect(parseInf(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toEqual(parseInf(VIOSTOR));
    expect(parseInf(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(VIOSTOR)]))).toEqual(parseInf(VIOSTOR));
    expect(decodeInfBytes(Buffer.from("[Version]\r\n", "utf16le"))).toBe("[Version]\r\n");
  });

  test("the associated service wins over an earlier one; decorations with dots; ACPI ids; %% and unknown tokens", () => {
    const inf = [
      "[Version]", "Class=System", "Provider=100%%", "ClassGuid=%Guid%",
      "[Manufacturer]", "%Mfg%=Std,NTamd64.10.0...16299",
      "[Std.NTamd64.10.0...16299]", "%Dev%=inst, ACPI\\VEN_QEMU&DEV_0002, ACPI\\QEMU0002, not an id",
      "[inst.Services]", "AddService=Helper,0,helper_inst", "AddService=FwCfg,0x2,fw_inst",
      "[Strings]", "Mfg=QEMU", "Guid={4d36e97d-e325-11ce-bfc1-08002be10318}",
    ].join("\n");
    const r = parseInf(inf);
    expect(r.hardwareIds).toEqual(["ACPI\\VEN_QEMU&DEV_0002", "ACPI\\QEMU0002"]);
    expect(r.service).toBe("FwCfg");
    expect(r.provider).toBe("100%");
    expect(r.classGuid).toBe(CLASS_GUIDS.System);
  });

  test("localised strings are used when [Strings] lacks the token; line continuation", () => {
    const r = parseInf("[Version]\nProvider=%P%\nClass=\\\n  Net\n[Strings.0409]\nP=\"Someone\"\n");
    expect(r.provider).toBe("Someone");
    expect(r.class).toBe("Net");
  });

  test.each([
    ["empty", ""],
    ["whitespace", " \r\n\t\r\n"],
    ["binary", Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))],
    ["unclosed section and quotes", '[Version\nClass="Net\n[\n=\n==\n[Manufacturer]\n=,,,\n%a%=%b%,%c%'],
    ["a huge line", `[Version]\nClass=${"x".repeat(3_000_000)}`],
    ["a manufacturer naming itself", "[Manufacturer]\nx=Manufacturer\n[manufacturer]\ny=manufacturer,manufacturer"],
  ])("%s text never throws and gives no ids", (_, text) => {
    const r = parseInf(text);
    expect(r.hardwareIds).toEqual([]);
  });

  test("at most INF_MAX_IDS ids", () => {
    const lines = ["[Manufacturer]", "M=Models", "[Models]"];
    for (let i = 0; i < 2000; i++) lines.push(`d=i, PCI\\VEN_1AF4&DEV_${i.toString(16).padStart(4, "0")}`);
    expect(parseInf(lines.join("\n")).hardwareIds.length).toBe(512);
  });

  test("infFields keeps quoted commas", () => {
    expect(infFields(' "a, b" , c ,,"d""e"')).toEqual(["a, b", "c", "", 'd"e']);
  });
});

describe("driverInfo", () => {
  test("from the .inf when it lists ids", () => {
    const d = driverInfo("VIOSTOR", VIOSTOR);
    expect(d.source).toBe("inf");
    expect(d.name).toBe("viostor");
    expect(d.hardwareIds).toHaveLength(2);
    expect(d.driverVer).toBe("06/05/2025,100.100.104.27100");
  });

  test.each([["an empty .inf", ""], ["no .inf", undefined], ["garbage", "\u0000\u0001zz"]])(
    "%s falls back to the well-known ids and class", (_, text) => {
      const d = driverInfo("viostor", text);
      expect(d.source).toBe("well-known");
      expect(d.hardwareIds).toEqual(["PCI\\VEN_1AF4&DEV_1001&SUBSYS_00021AF4&REV_00", "PCI\\VEN_1AF4&DEV_1042&SUBSYS_11001AF4&REV_01"]);
      expect(d.classGuid).toBe(CLASS_GUIDS.SCSIAdapter);
      expect(d.class).toBe("SCSIAdapter");
      expect(d.service).toBe("viostor");
    });

  test("an .inf with a class but no ids keeps its class and takes the well-known ids", () => {
    const d = driverInfo("netkvm", "[Version]\nClass=Net\nClassGuid={4D36E972-E325-11CE-BFC1-08002BE10318}\nProvider=X\n");
    expect(d.source).toBe("well-known");
    expect(d.provider).toBe("X");
    expect(d.hardwareIds).toEqual(WELL_KNOWN["netkvm"]!.hardwareIds);
  });

  test("an unknown driver without ids says none", () => {
    expect(driverInfo("qxldod", "").source).toBe("none");
    expect(driverInfo("constructor", "").source).toBe("none");
    expect(driverInfo("qxldod", "").hardwareIds).toEqual([]);
  });

  test("the well-known table has the ids the conversion registers", () => {
    expect(WELL_KNOWN["vioscsi"]!.hardwareIds.join()).toMatch(/DEV_1004.*DEV_1048/);
    expect(WELL_KNOWN["netkvm"]!.hardwareIds.join()).toMatch(/DEV_1000.*DEV_1041/);
    expect(WELL_KNOWN["balloon"]!.hardwareIds.join()).toMatch(/DEV_1002.*DEV_1045/);
    expect(WELL_KNOWN["viorng"]!.hardwareIds.join()).toMatch(/DEV_1005.*DEV_1044/);
    expect(WELL_KNOWN["vioser"]!.hardwareIds.join()).toMatch(/DEV_1003.*DEV_1043/);
    expect(WELL_KNOWN["pvpanic"]!.hardwareIds).toEqual(["ACPI\\QEMU0001"]);
    expect(WELL_KNOWN["fwcfg"]!.hardwareIds).toEqual(["ACPI\\VEN_QEMU&DEV_0002", "ACPI\\QEMU0002"]);
  });
});
