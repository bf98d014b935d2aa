// The differential against virt-v2v 2.2 (issue 8), on small synthetic hive maps: what each tool
// changed, where the two differ, which differences are known and why, which are boot-critical,
// and the report's summary and exit decision (an unexplained boot-critical row must fail).
import { describe, expect, test } from "vitest";
import {
  compareChanges, compareListings, compareXml, describeData, diffGuest, EMPTY_KEY, flattenHive, hiveChanges, normaliseDriverPackage, xmlFacets,
  type GuestState,
} from "../../../src/harness/differential/diff.js";
import { explainRow, explainRows, isBootCritical } from "../../../src/harness/differential/explain.js";
import { exitDecision, renderReport, summarise } from "../../../src/harness/differential/report.js";
import { emptyHive, Hive } from "../../../src/registry/hive.js";
import { binary, dword, multiSz, sz, utf16z } from "../../../src/registry/values.js";
import { renderLibvirtXml } from "../../../src/outputs/common/libvirt-xml.js";
import { OVMF, windows2022 } from "../outputs/meta-fixtures.js";

const SZ = (s: string): string => `1:${utf16z(s).toString("hex")}`;
const DW = (n: number): string => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return `4:${b.toString("hex")}`;
};
const BIN = (bytes: number[]): string => `3:${Buffer.from(bytes).toString("hex")}`;

const VIOSTOR = "controlset001\\services\\viostor";
const DEVID = "driverdatabase\\deviceids\\pci\\ven_1af4&dev_1001&subsys_00021af4&rev_00";

/** A Windows 8+ SYSTEM hive before conversion, and what each tool makes of it. */
const source = new Map([
  ["select:current", DW(1)],
  ["controlset001\\control\\crashcontrol:autoreboot", DW(1)],
  ["controlset001\\services\\vmtools:start", DW(2)],
]);
const common: Array<[string, string]> = [
  ["select:current", DW(1)],
  ["controlset001\\control\\crashcontrol:autoreboot", DW(0)],
  ["controlset001\\services\\vmtools:start", DW(4)],
  [`${VIOSTOR}:start`, DW(0)],
  [`${VIOSTOR}:type`, DW(1)],
];
const ours = new Map<string, string>([
  ...common,
  [`${DEVID}:v2vviostor.inf`, BIN([1, 0xff, 0, 0])],
  ["controlset001\\services\\v2v-firstboot:start", DW(2)],
]);
const theirs = new Map<string, string>([
  ...common,
  [`${DEVID}:guestor.inf`, BIN([1, 0xff, 0, 0])],
  ["controlset001\\services\\firstboot:start", DW(2)],
]);

describe("flattenHive", () => {
  test("one lower-cased entry per value, type and hex data; an empty key is an entry of its own", () => {
    const h = Hive.parse(emptyHive(), "test hive");
    h.setValue(["ControlSet001", "Services", "viostor"], dword("Start", 0));
    h.setValue(["ControlSet001", "Services", "viostor"], sz("Group", "SCSI miniport"));
    h.setValue(["DriverDatabase", "DeviceIds", "PCI", "VEN_1AF4&DEV_1001"], binary("guestor.inf", [1, 0xff, 0, 0]));
    h.ensureKey(["Empty"]);
    const f = flattenHive(h);
    expect(f.get(`${VIOSTOR}:start`)).toBe(DW(0));
    expect(f.get(`${VIOSTOR}:group`)).toBe(SZ("SCSI miniport"));
    expect(f.get("driverdatabase\\deviceids\\pci\\ven_1af4&dev_1001:guestor.inf")).toBe("3:01ff0000");
    expect(f.get("empty\\")).toBe(EMPTY_KEY);
    // Keys that hold subkeys but no values are not listed: their values say enough.
    expect(f.has("controlset001\\")).toBe(false);
  });
});

describe("hiveChanges and compareChanges", () => {
  test("each tool's effect is its converted hive against the source: added, changed, removed", () => {
    const c = hiveChanges(source, ours);
    expect(c.get("controlset001\\control\\crashcontrol:autoreboot")).toEqual({ kind: "changed", before: DW(1), after: DW(0) });
    expect(c.get(`${VIOSTOR}:start`)).toEqual({ kind: "added", after: DW(0) });
    expect(c.has("select:current")).toBe(false);
    const removed = hiveChanges(source, new Map([...source].filter(([k]) => !k.includes("vmtools"))));
    expect(removed.get("controlset001\\services\\vmtools:start")).toEqual({ kind: "removed", before: DW(2) });
  });

  test("an edit both tools made alike is no row; each tool's own entries are rows", () => {
    const rows = compareChanges("SYSTEM", hiveChanges(source, ours), hiveChanges(source, theirs));
    expect(rows.map((r) => r.key)).toEqual([
      "controlset001\\services\\firstboot:start",
      "controlset001\\services\\v2v-firstboot:start",
      `${DEVID}:guestor.inf`,
      `${DEVID}:v2vviostor.inf`,
    ]);
    expect(rows[1]).toEqual({ area: "SYSTEM", key: "controlset001\\services\\v2v-firstboot:start", ours: "added DWORD 0x2", theirs: "(not touched)" });
  });

  test("the same value set to different data is a row showing both", () => {
    const t = new Map(theirs).set(`${VIOSTOR}:start`, DW(3));
    const rows = compareChanges("SYSTEM", hiveChanges(source, ours), hiveChanges(source, t));
    expect(rows.find((r) => r.key === `${VIOSTOR}:start`)).toMatchObject({ ours: "added DWORD 0x0", theirs: "added DWORD 0x3" });
  });

  test("describeData reads strings, multi-strings, DWORDs and cuts long binaries", () => {
    expect(describeData(SZ("a b"))).toBe('SZ "a b"');
    expect(describeData(`7:${multiSz("", ["x", "y"]).data.toString("hex")}`)).toBe('MULTI_SZ ["x", "y"]');
    expect(describeData(`3:${"ab".repeat(30)}`)).toMatch(/^BINARY ab ab .* … \(30 bytes\)$/);
  });
});

describe("normaliseDriverPackage", () => {
  const pkg = (name: string, pkgName: string, conf: string, service: string): Map<string, string> => new Map([
    [`${DEVID}:${name}`, BIN([1, 0xff, 0, 0])],
    [`driverdatabase\\driverinffiles\\${name}:active`, SZ(pkgName)],
    [`driverdatabase\\driverpackages\\${pkgName}\\configurations\\${conf}:service`, SZ(service)],
    ["controlset001\\services\\guestor_conf:start", DW(0)],
  ]);

  test("the two tools' package names become the same placeholders, in keys and in string data, under DriverDatabase only", () => {
    const o = normaliseDriverPackage(pkg("v2vviostor.inf", "v2vviostor.inf_v2v", "v2vviostor_conf", "viostor"));
    const t = normaliseDriverPackage(pkg("guestor.inf", "guestor.inf_tmp", "guestor_conf", "viostor"));
    expect([...o]).toEqual([...t]);
    expect(o.get("driverdatabase\\driverinffiles\\<inf>:active")).toBe(SZ("<package>"));
    expect(o.has("controlset001\\services\\guestor_conf:start")).toBe(true);
  });

  test("a package bound to another service is a row; a DeviceIds value that differs is boot-critical and unexplained", () => {
    const o = pkg("v2vviostor.inf", "v2vviostor.inf_v2v", "v2vviostor_conf", "vioscsi").set(`${DEVID}:v2vviostor.inf`, BIN([1, 0xff, 0, 1]));
    const st = (system: ReadonlyMap<string, string>): GuestState => ({ system, software: new Map(), virtio: [] });
    const rows = explainRows(diffGuest({ source: st(new Map()), ours: st(o), theirs: st(pkg("guestor.inf", "guestor.inf_tmp", "guestor_conf", "viostor")), oursXml: xml(), theirsXml: xml() }), "w");
    expect(rows.map((r) => [r.key, r.ours, r.theirs, r.bootCritical, r.explanation.explained])).toEqual([
      [`${DEVID}:<inf>`, "added BINARY 01 ff 00 01", "added BINARY 01 ff 00 00", true, false],
      ["driverdatabase\\driverpackages\\<package>\\configurations\\<configuration>:service", 'added SZ "vioscsi"', 'added SZ "viostor"', true, false],
    ]);
  });
});

describe("compareListings", () => {
  test("names are compared without case; only names one side lacks are rows", () => {
    expect(compareListings("VirtIO", ["viostor.sys", "NetKVM.inf", "balloon.pdb"], ["viostor.sys", "netkvm.inf"])).toEqual([
      { area: "VirtIO", key: "balloon.pdb", ours: "present", theirs: "absent" },
    ]);
  });
});

const xml = (over: { features?: string; bus?: string; nic?: string; extra?: string; loader?: string } = {}): string => `<?xml version='1.0'?>
<!-- generated by a tool, version 1 -->
<domain type='kvm'>
  <name>g</name><uuid>0c6f0ee0-0000-0000-0000-000000000000</uuid>
  <memory unit='KiB'>2097152</memory><vcpu>2</vcpu>
  <features>${over.features ?? "<acpi/><apic/>"}</features>
  <os><type arch='x86_64' machine='q35'>hvm</type>${over.loader ?? "<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.fd</loader>"}<nvram template='/x/VARS.fd'/></os>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/some/where/g-sda'/><target dev='vda' bus='${over.bus ?? "virtio"}'/></disk>
    <interface type='network'><source network='default'/><mac address='52:54:00:00:00:01'/><model type='${over.nic ?? "virtio"}'/></interface>
    <memballoon model='virtio'/>${over.extra ?? ""}
  </devices>
</domain>`;

describe("compareXml", () => {
  test("names, uuids, comments, MACs and paths do not count", () => {
    expect(compareXml(xml(), xml().replace("<name>g</name>", "<name>h</name>").replace("/some/where", "/else").replace("0c6f", "ffff").replace("version 1", "v2"))).toEqual([]);
  });

  test("machine-relevant elements are compared one by one: disk bus, NIC model, features, TPM, loader", () => {
    const rows = compareXml(
      xml({ features: "<acpi/><apic/><hyperv><relaxed state='on'/></hyperv>", extra: "<tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>" }),
      xml({ bus: "sata", nic: "rtl8139", loader: "<loader readonly='yes' type='pflash' secure='yes'>/c.fd</loader>" }),
    );
    expect(Object.fromEntries(rows.map((r) => [r.key, [r.ours, r.theirs]]))).toEqual({
      features: ["acpi,apic,hyperv", "acpi,apic"],
      "features hyperv": ["relaxed", "(absent)"],
      loader: ["readonly=yes type=pflash secure=-", "readonly=yes type=pflash secure=yes"],
      "disk 1": ["device=disk bus=virtio dev=vda format=raw", "device=disk bus=sata dev=vda format=raw"],
      "nic 1 model": ["virtio", "rtl8139"],
      tpm: ["tpm-crb/emulator-2.0", "(none)"],
    });
  });

  test("our qemu-ga channel and virtio-serial controller match what virt-v2v 2.2 writes: no row for them", () => {
    // The devices virt-v2v 2.2 wrote for windows-2022-uefi (differential run of 2026-12-02), ours from the renderer.
    const theirs = xml({ extra: "<console type='pty'/><controller type='virtio-serial' model='virtio'/><channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>" });
    const ours = renderLibvirtXml(windows2022(), { version: "t", ovmf: OVMF });
    expect(xmlFacets(ours).get("controllers")).toBe("virtio-serial/virtio");
    expect(xmlFacets(ours).get("channels")).toBe("unix:org.qemu.guest_agent.0");
    const keys = compareXml(ours, theirs).map((r) => r.key);
    expect(keys).not.toContain("controllers");
    expect(keys).not.toContain("channels");
    expect(compareXml(xml(), theirs).map((r) => r.key)).toEqual(expect.arrayContaining(["controllers", "channels"]));
  });

  test("xmlFacets reads the osinfo id and memballoon", () => {
    const f = xmlFacets(xml().replace("<name>g</name>", "<metadata><libosinfo:libosinfo xmlns:libosinfo='x'><libosinfo:os id='http://microsoft.com/win/2k16'/></libosinfo:libosinfo></metadata>"));
    expect(f.get("osinfo")).toBe("http://microsoft.com/win/2k16");
    expect(f.get("memballoon")).toBe("virtio");
  });
});

describe("explain", () => {
  const row = (key: string, o = "added DWORD 0x0", t = "(not touched)") => ({ area: "SYSTEM" as const, key, ours: o, theirs: t });

  test("the driver package name and the first-boot service are known differences", () => {
    expect(explainRow(row(`${DEVID}:v2vviostor.inf`), "windows-2022-uefi")).toMatchObject({ explained: true, id: "driver-package-name" });
    expect(explainRow(row(`${DEVID}:guestor.inf`), "windows-2022-uefi")).toMatchObject({ explained: true, id: "driver-package-name" });
    expect(explainRow(row("driverdatabase\\driverpackages\\v2vviostor.inf_v2v\\configurations\\v2vviostor_conf:service"), "w")).toMatchObject({ explained: true });
    expect(explainRow(row("controlset001\\services\\v2v-firstboot:imagepath"), "w")).toMatchObject({ explained: true, id: "firstboot-service" });
  });

  test("our stand-in package's Provider and default value are known; other package values are not", () => {
    const key = "driverdatabase\\driverpackages\\<package>";
    expect(explainRow(row(`${key}:provider`, 'added SZ "v2v"'), "w")).toMatchObject({ explained: true, id: "driver-package-provider" });
    expect(explainRow(row(`${key}:`, 'added SZ "<inf>"'), "w")).toMatchObject({ explained: true, id: "driver-package-default" });
    expect(explainRow(row(`${key}:version`, "added BINARY 00"), "w")).toEqual({ explained: false });
  });

  test("a secure loader on our side is the source's Secure Boot; any other loader difference is not explained", () => {
    const loader = (ours: string, theirs: string) => ({ area: "XML" as const, key: "loader", ours, theirs });
    expect(explainRow(loader("readonly=yes type=pflash secure=yes", "readonly=yes type=pflash secure=-"), "w")).toMatchObject({ explained: true, id: "secure-boot" });
    expect(explainRow(loader("readonly=yes type=pflash secure=-", "readonly=yes type=pflash secure=yes"), "w")).toEqual({ explained: false });
    expect(explainRow(loader("readonly=no type=rom secure=-", "readonly=yes type=pflash secure=-"), "w")).toEqual({ explained: false });
  });

  test("a different boot driver start type is neither explained nor harmless", () => {
    const r = row(`${VIOSTOR}:start`, "added DWORD 0x3", "added DWORD 0x0");
    expect(explainRow(r, "windows-2022-uefi")).toEqual({ explained: false });
    expect(isBootCritical(r)).toBe(true);
  });

  test("boot-critical: boot driver service, CriticalDeviceDatabase, DeviceIds, Select, BCD; not other services", () => {
    expect(isBootCritical(row("controlset001\\control\\criticaldevicedatabase\\pci#ven_1af4&dev_1001:service"))).toBe(true);
    expect(isBootCritical(row(`${DEVID}:x.inf`))).toBe(true);
    expect(isBootCritical(row("select:current"))).toBe(true);
    expect(isBootCritical({ area: "BCD", key: "objects\\{x}\\elements\\16000046:element", ours: "removed", theirs: "(not touched)" })).toBe(true);
    expect(isBootCritical(row("controlset001\\services\\vmtools:start"))).toBe(false);
    expect(isBootCritical(row("controlset001\\services\\viostorx:start"))).toBe(false);
    expect(isBootCritical({ area: "SOFTWARE", key: "select:current", ours: "", theirs: "" })).toBe(false);
  });

  test("VMware services disabled only by us are known; any other edit of them is not", () => {
    expect(explainRow(row("controlset001\\services\\vmtools:start", "set DWORD 0x4"), "w")).toMatchObject({ explained: true, id: "vmware-services" });
    expect(explainRow(row("controlset001\\services\\vmtools:start", "set DWORD 0x3"), "w")).toEqual({ explained: false });
    expect(explainRow(row("controlset001\\services\\vmtools:start", "set DWORD 0x4", "set DWORD 0x3"), "w")).toEqual({ explained: false });
  });

  test("a guest-specific rule (2k25 driver folder) only covers its guest", () => {
    const r = { area: "VirtIO" as const, key: "viostor.sys", ours: "present", theirs: "absent" };
    expect(explainRow(r, "windows-2025-uefi")).toMatchObject({ explained: true, id: "2k25-driver-dir" });
    expect(explainRow(r, "windows-2022-uefi")).toEqual({ explained: false });
  });
});

describe("report", () => {
  const pair = (t: ReadonlyMap<string, string>): GuestState[] => {
    const st = (system: ReadonlyMap<string, string>): GuestState => ({ system, software: new Map(), virtio: ["viostor.sys"] });
    return [st(source), st(ours), st(t)];
  };
  const result = (t: ReadonlyMap<string, string>) => {
    const [s, o, th] = pair(t);
    return { guest: "windows-2022-uefi", rows: explainRows(diffGuest({ source: s!, ours: o!, theirs: th!, oursXml: xml(), theirsXml: xml() }), "windows-2022-uefi"), seconds: [["ours", 1.25]] as Array<[string, number]> };
  };

  test("only known differences: the summary says 0 boot-critical unexplained and the exit is 0", () => {
    const r = result(theirs);
    const s = summarise([r]);
    // The DeviceIds values differ only by package name: no row; the two first-boot services: 2 rows.
    expect(s).toEqual({ rows: 2, explained: 2, unexplained: 0, bootCriticalUnexplained: 0, failedGuests: 0 });
    expect(exitDecision(s)).toBe(0);
    const md = renderReport([r]);
    expect(md).toContain("| area | key | ours | theirs | why |");
    expect(md).toContain("| ours | 1.3 |");
    expect(md.trimEnd().split("\n").at(-1)).toBe("2 differences: 2 explained, 0 unexplained; boot-critical unexplained: 0");
  });

  test("an unexplained boot-critical difference is on top, named, counted, and makes the exit 1", () => {
    const r = result(new Map(theirs).set(`${VIOSTOR}:start`, DW(3)));
    const s = summarise([r]);
    expect(s.bootCriticalUnexplained).toBe(1);
    expect(exitDecision(s)).toBe(1);
    const md = renderReport([r]);
    const firstRow = md.split("\n").find((l) => l.startsWith("| SYSTEM"));
    expect(firstRow).toBe(`| SYSTEM | ${VIOSTOR}:start | added DWORD 0x0 | added DWORD 0x3 | **boot-critical** **UNEXPLAINED** |`);
    expect(md).toMatch(/boot-critical unexplained: 1\n$/);
  });

  test("an unexplained row that is not boot-critical is counted but does not fail; a guest not compared does", () => {
    const r = result(new Map(theirs).set("controlset001\\services\\vmtools:start", DW(3)));
    expect(summarise([r])).toMatchObject({ unexplained: 1, bootCriticalUnexplained: 0 });
    expect(exitDecision(summarise([r]))).toBe(0);
    const failed = { guest: "windows-7-bios", rows: [], seconds: [], failure: "virt-v2v 2.2 exited 1" };
    expect(exitDecision(summarise([r, failed]))).toBe(1);
    expect(renderReport([failed])).toContain("Not compared: virt-v2v 2.2 exited 1");
  });

  test("cells keep the table intact", () => {
    const r = result(new Map(theirs).set("controlset001\\services\\x|y:start", DW(3)));
    expect(renderReport([r])).toContain("x\\|y:start");
  });
});

describe("collect: which drive a root is on", () => {
  test("drives are /dev/sda, /dev/sdb … in the order added; a partition belongs to its own drive only", async () => {
    const { deviceOfDrive, onDevice } = await import("../../../src/harness/differential/collect.js");
    expect([0, 1, 2].map(deviceOfDrive)).toEqual(["/dev/sda", "/dev/sdb", "/dev/sdc"]);
    expect(onDevice("/dev/sdb3", "/dev/sdb")).toBe(true);
    expect(onDevice("/dev/sdb", "/dev/sdb")).toBe(true);
    expect(onDevice("/dev/sda3", "/dev/sdb")).toBe(false);
    expect(onDevice("/dev/sdbb1", "/dev/sdb")).toBe(false);
  });
});
