// The Windows converter end to end on a FakeGuest: hives are real regf bytes (hives.ts) stored
// as latin1 strings, the virtio-win tree is a real directory on the host (VIRTIO_WIN), the
// first-boot service a temporary file (V2V_FIRSTBOOT_EXE). What the guest ends up with is read
// back from the fake's files: the driver folder, the boot driver, the re-parsed hives, the ESP,
// the first-boot service and scripts. Refusals must leave the guest untouched.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, test } from "vitest";
import { chooseBootDriver, windowsConverter } from "../../../../src/converters/windows/windows-converter.js";
import type { StageContext } from "../../../../src/model/contracts.js";
import { V2vError } from "../../../../src/model/errors.js";
import { RecordingReporter } from "../../../../src/model/messages.js";
import type { Inspection, Source } from "../../../../src/model/types.js";
import type { Hive } from "../../../../src/registry/hive.js";
import { REG, valueDword, valueString } from "../../../../src/registry/values.js";
import { FakeGuest, type FakeGuestOptions } from "../../fakes/fake-guest.js";
import {
  bcdHive,
  hiveFromLatin1,
  latin1,
  LOADER_A,
  LOADER_B,
  server2022System,
  softwareHive,
  VMWARE_TOOLS,
  VMWARE_TOOLS_GUID,
  win7System,
  type SoftwareOptions,
} from "./hives.js";

const tmp = mkdtempSync(join(tmpdir(), "v2v-windows-converter-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SYSTEM = "/Windows/System32/config/SYSTEM";
const SOFTWARE = "/Windows/System32/config/SOFTWARE";
const LEGACY = "PCI\\VEN_1AF4&DEV_1001&SUBSYS_00021AF4&REV_00";
const MODERN = "PCI\\VEN_1AF4&DEV_1042&SUBSYS_11001AF4&REV_01";
const ESP_TYPE = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b";
const BOOTMGFW = "MZ\x90\x00bootmgfw\xff\x00\x01 EFI boot manager";
const FIRSTBOOT_EXE_BYTES = "MZ\x90\x00\x03 v2vfirstboot \xfe\x00";

const crlf = (lines: readonly string[]): string => `${lines.join("\r\n")}\r\n`;
const VIOSTOR_INF = crlf([
  "; viostor.inf: Red Hat VirtIO block driver",
  "[Version]",
  'Signature="$WINDOWS NT$"',
  "Class=SCSIAdapter",
  "ClassGUID={4D36E97B-E325-11CE-BFC1-08002BE10318}",
  "Provider=%RHEL%",
  "DriverVer=08/14/2024,100.95.104.26200",
  "CatalogFile=viostor.cat",
  "",
  "[Manufacturer]",
  "%RHEL% = RHEL,NTamd64",
  "",
  "[RHEL.NTamd64]",
  `%RHELScsi.DeviceDesc% = rhelscsi_inst, ${LEGACY}`,
  `%RHELScsi.DeviceDesc% = rhelscsi_inst, ${MODERN}`,
  "",
  "[rhelscsi_inst.Services]",
  "AddService = viostor, 0x00000002 , rhelscsi_Service_Inst, rhelscsi_EventLog_Inst",
  "",
  "[Strings]",
  'RHEL = "Red Hat, Inc."',
  'RHELScsi.DeviceDesc = "Red Hat VirtIO SCSI controller"',
]);
const NETKVM_INF = crlf([
  "[Version]",
  "Class=Net",
  "ClassGUID={4D36E972-E325-11CE-BFC1-08002BE10318}",
  "Provider=%RHEL%",
  "[Manufacturer]",
  "%RHEL% = RHEL,NTamd64",
  "[RHEL.NTamd64]",
  "%NetKVM.DeviceDesc% = kvmnet6.ndi, PCI\\VEN_1AF4&DEV_1000&SUBSYS_00011AF4&REV_00",
  "%NetKVM.DeviceDesc% = kvmnet6.ndi, PCI\\VEN_1AF4&DEV_1041&SUBSYS_11001AF4&REV_01",
  "[kvmnet6.ndi.Services]",
  "AddService = netkvm, 2, kvmnet6.Service, kvmnet6.EventLog",
  "[Strings]",
  'RHEL = "Red Hat, Inc."',
  'NetKVM.DeviceDesc = "Red Hat VirtIO Ethernet Adapter"',
]);
const VIOSCSI_INF = crlf([
  "[Version]",
  "Class=SCSIAdapter",
  "ClassGUID={4D36E97B-E325-11CE-BFC1-08002BE10318}",
  "[Manufacturer]",
  "%RHEL% = RHEL,NTamd64",
  "[RHEL.NTamd64]",
  "%VioScsi.DeviceDesc% = scsi_inst, PCI\\VEN_1AF4&DEV_1004&SUBSYS_00081AF4&REV_00",
  "%VioScsi.DeviceDesc% = scsi_inst, PCI\\VEN_1AF4&DEV_1048&SUBSYS_11001AF4&REV_01",
  "[scsi_inst.Services]",
  "AddService = vioscsi, 0x00000002, scsi_Service_Inst",
]);
const sysBytes = (name: string, os: string): string => `MZ\x90\x00 ${name} for ${os} \xff\x01`;

/** A virtio-win directory tree on the host; paths relative to it → content. */
function tree(name: string, files: Readonly<Record<string, string>>): string {
  const root = join(tmp, name);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), Buffer.from(content, "latin1"));
  }
  return root;
}

const TREE_2K22 = tree("virtio-win-2k22", {
  "viostor/2k22/amd64/viostor.inf": VIOSTOR_INF,
  "viostor/2k22/amd64/viostor.sys": sysBytes("viostor", "2k22"),
  "viostor/2k22/amd64/viostor.cat": "0\x82 catalog",
  "viostor/2k22/x86/viostor.sys": sysBytes("viostor", "2k22 x86"),
  "viostor/w10/amd64/viostor.sys": sysBytes("viostor", "w10"),
  "NetKVM/2k22/amd64/netkvm.inf": NETKVM_INF,
  "NetKVM/2k22/amd64/netkvm.sys": sysBytes("netkvm", "2k22"),
  "NetKVM/2k22/amd64/readme.txt": "not a driver file",
  "vioscsi/2k22/amd64/vioscsi.inf": VIOSCSI_INF,
  "vioscsi/2k22/amd64/vioscsi.sys": sysBytes("vioscsi", "2k22"),
  "guest-agent/qemu-ga-x86_64.msi": "stand-in MSI x86_64",
  "guest-agent/qemu-ga-i386.msi": "stand-in MSI i386",
});
const TREE_W7 = tree("virtio-win-w7", {
  "viostor/w7/amd64/viostor.inf": VIOSTOR_INF,
  "viostor/w7/amd64/viostor.sys": sysBytes("viostor", "w7"),
  "rhev/qemu-ga-x64.msi": "stand-in MSI under an older name",
});
const TREE_NO_2K22 = tree("virtio-win-old", {
  "viostor/w10/amd64/viostor.inf": VIOSTOR_INF,
  "viostor/w10/amd64/viostor.sys": sysBytes("viostor", "w10"),
  "viostor/2k19/amd64/viostor.inf": VIOSTOR_INF,
  "viostor/2k19/amd64/viostor.sys": sysBytes("viostor", "2k19"),
});
const FIRSTBOOT_EXE = join(tmp, "v2vfirstboot.exe");
writeFileSync(FIRSTBOOT_EXE, Buffer.from(FIRSTBOOT_EXE_BYTES, "latin1"));

const ENV_KEYS = ["VIRTIO_WIN", "VIRTIO_WIN_DIR", "V2V_FIRSTBOOT_EXE"] as const;
let savedEnv: Record<string, string | undefined> = {};
let workDir = "";
let reporter = new RecordingReporter();
beforeEach(() => {
  savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  delete process.env["VIRTIO_WIN_DIR"];
  process.env["VIRTIO_WIN"] = TREE_2K22;
  process.env["V2V_FIRSTBOOT_EXE"] = FIRSTBOOT_EXE;
  workDir = mkdtempSync(join(tmp, "work-"));
  reporter = new RecordingReporter();
});
afterEach(() => {
  for (const k of ENV_KEYS) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
});
const ctx = (): StageContext => ({ workDir, reporter, verbose: false });

const source: Source = { name: "win2022", hypervisor: "vmware", memoryBytes: 4 * 1024 ** 3, vcpus: 2, firmware: "uefi", disks: [], nics: [], removableCount: 0 };

function server2022(over: Partial<Inspection> = {}): Inspection {
  return {
    root: "/dev/sda3",
    osType: "windows",
    distro: "windows",
    majorVersion: 10,
    minorVersion: 0,
    productName: "Windows Server 2022 Standard",
    arch: "x86_64",
    osinfo: "win2k22",
    packageFormat: "unknown",
    packageManagement: "unknown",
    mountpoints: [{ mountpoint: "/", device: "/dev/sda3" }],
    applications: [],
    firmware: "uefi",
    windows: {
      systemRoot: "/Windows",
      currentControlSet: "ControlSet001",
      productVariant: "Server",
      systemHive: SYSTEM,
      softwareHive: SOFTWARE,
    },
    ...over,
  };
}

function windows7(): Inspection {
  return server2022({
    majorVersion: 6,
    minorVersion: 1,
    productName: "Windows 7 Professional",
    osinfo: "win7",
    firmware: "bios",
    windows: { systemRoot: "/Windows", currentControlSet: "ControlSet001", productVariant: "Client", systemHive: SYSTEM, softwareHive: SOFTWARE },
  });
}

/** A FakeGuest whose ESP files are kept when fixEsps unmounts and removes its mountpoint. */
class EspRecordingGuest extends FakeGuest {
  /** Mountpoint → the files under it at umount time (paths relative to the mountpoint). */
  readonly unmounted = new Map<string, Map<string, string>>();
  override async umount(path: string): Promise<void> {
    const base = this.resolve(path);
    const snap = new Map<string, string>();
    for (const [p, c] of this.files) if (p.startsWith(`${base}/`)) snap.set(p.slice(base.length), c);
    this.unmounted.set(base, snap);
    await super.umount(path);
  }
}

interface GuestSpec {
  readonly system?: Hive;
  readonly software?: SoftwareOptions;
  readonly bcd?: Hive;
  readonly esp?: boolean;
  readonly extraFiles?: Readonly<Record<string, string>>;
  readonly espFiles?: Readonly<Record<string, string>>;
  /** Extra directories (a stock Windows has no %SystemRoot%\Drivers: the default guest lacks it). */
  readonly dirs?: readonly string[];
  /** Raw block devices (an NT 5 guest's boot sector) and sizes of whole disks. */
  readonly deviceBytes?: Readonly<Record<string, Buffer>>;
  readonly deviceSizes?: Readonly<Record<string, number>>;
}

function windowsGuest(spec: GuestSpec = {}): EspRecordingGuest {
  const esp = spec.esp ?? true;
  const opts: FakeGuestOptions = {
    files: {
      [SYSTEM]: latin1(spec.system ?? server2022System()),
      [SOFTWARE]: latin1(softwareHive(spec.software ?? { currentBuildNumber: "20348", apps: [VMWARE_TOOLS], devicePath: "%SystemRoot%\\inf" })),
      "/Windows/System32/drivers/disk.sys": "MZ disk",
      "/Windows/System32/drivers/vmci.sys": "MZ vmci",
      ...(spec.extraFiles ?? {}),
    },
    dirs: ["/Windows/Temp", "/Program Files/Common Files", ...(spec.dirs ?? [])],
    ...(spec.deviceBytes ? { deviceBytes: spec.deviceBytes } : {}),
    ...(spec.deviceSizes ? { deviceSizes: spec.deviceSizes } : {}),
    ...(esp
      ? {
          filesystems: { "/dev/sda1": "vfat", "/dev/sda2": "vfat", "/dev/sda3": "ntfs", "/dev/sda4": "ntfs" },
          blkid: {
            "/dev/sda1": { TYPE: "vfat", PART_ENTRY_TYPE: ESP_TYPE },
            // Typed as an ESP but not FAT: not an ESP.
            "/dev/sda4": { TYPE: "ntfs", PART_ENTRY_TYPE: ESP_TYPE.toUpperCase() },
            "/dev/sda2": { TYPE: "vfat", PART_ENTRY_TYPE: "ebd0a0a2-b9e5-4433-87c0-68b6b72699c7" },
          },
          deviceFiles: {
            "/dev/sda1": spec.espFiles ?? {
              "/EFI/Microsoft/Boot/BCD": latin1(spec.bcd ?? bcdHive({ defaultEntry: LOADER_A, loaders: { [LOADER_A]: true, [LOADER_B]: true } })),
              "/EFI/Microsoft/Boot/bootmgfw.efi": BOOTMGFW,
            },
            "/dev/sda2": { "/data.txt": "not an ESP" },
          },
        }
      : { filesystems: { "/dev/sda1": "ntfs" } }),
  };
  return new EspRecordingGuest(opts);
}

const systemOf = (g: FakeGuest) => hiveFromLatin1(g.file(SYSTEM), "SYSTEM hive (after)");
const softwareOf = (g: FakeGuest) => hiveFromLatin1(g.file(SOFTWARE), "SOFTWARE hive (after)");
const MUTATING = /^(write|upload|cp|mv|rm|rm-rf|mkdir|mount \/dev|command|sh) /;

async function rejection(p: Promise<unknown>): Promise<V2vError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof V2vError) return e;
    throw e;
  }
  throw new Error("expected a V2vError, the promise resolved");
}

describe("windowsConverter.convert: Server 2022, UEFI, drivers for 2k22", () => {
  test("drivers outcome, files in Drivers\\VirtIO (created: a stock Windows has no Drivers folder), viostor.sys in System32\\drivers", async () => {
    const g = windowsGuest();
    const out = await windowsConverter.convert(g, server2022(), source, ctx());
    expect(out.drivers).toEqual({ virtioBlk: true, virtioNet: true, virtioRng: false, virtioBalloon: false });
    expect(await g.ls("/Windows/Drivers/VirtIO")).toEqual(["netkvm.inf", "netkvm.sys", "vioscsi.inf", "vioscsi.sys", "viostor.cat", "viostor.inf", "viostor.sys"]);
    expect(g.file("/Windows/Drivers/VirtIO/viostor.sys")).toBe(sysBytes("viostor", "2k22"));
    expect(g.file("/Windows/Drivers/VirtIO/netkvm.sys")).toBe(sysBytes("netkvm", "2k22"));
    expect(g.file("/Windows/Drivers/VirtIO/viostor.inf")).toBe(VIOSTOR_INF);
    expect(g.file("/Windows/System32/drivers/viostor.sys")).toBe(sysBytes("viostor", "2k22"));
    expect(out.changes).toContain("copied 7 virtio-win files (2k22) into /Windows/Drivers/VirtIO");
    expect(out.warnings).toEqual([]);
    // The staging copies are gone from the work directory.
    expect(g.ops.filter((o) => o.startsWith("upload /Windows/Drivers/VirtIO/"))).toHaveLength(7);
  });

  test("the SYSTEM hive re-read from the guest: viostor boot service, DriverDatabase package, foreign services off, AutoReboot 0", async () => {
    const g = windowsGuest();
    const out = await windowsConverter.convert(g, server2022(), source, ctx());
    const sys = systemOf(g);
    const svc = ["ControlSet001", "Services", "viostor"];
    expect(valueDword(sys.value(svc, "Start"))).toBe(0);
    expect(valueDword(sys.value(svc, "Type"))).toBe(1);
    expect(sys.value(svc, "ImagePath")?.type).toBe(REG.EXPAND_SZ);
    expect(valueString(sys.value(svc, "ImagePath"))).toBe("system32\\drivers\\viostor.sys");
    expect(valueString(sys.value(["DriverDatabase", "DriverInfFiles", "v2vviostor.inf"], "Active"))).toBe("v2vviostor.inf_v2v");
    for (const id of [LEGACY, MODERN]) {
      expect(sys.value(["DriverDatabase", "DeviceIds", ...id.split("\\")], "v2vviostor.inf")?.data.toString("hex")).toBe("01ff0000");
    }
    expect(sys.hasKey(["ControlSet001", "Control", "CriticalDeviceDatabase"])).toBe(false);
    expect(valueDword(sys.value(["ControlSet001", "Services", "vmtools"], "Start"))).toBe(4);
    expect(valueDword(sys.value(["ControlSet001", "Services", "VMCI"], "Start"))).toBe(4);
    expect(valueDword(sys.value(["ControlSet001", "Services", "Tcpip"], "Start"))).toBe(1);
    expect(valueDword(sys.value(["ControlSet001", "Control", "CrashControl"], "AutoReboot"))).toBe(0);
    expect(out.changes).toEqual(expect.arrayContaining([
      "registered the viostor service to start at boot (ControlSet001\\Services\\viostor, Start 0)",
      `added the DriverDatabase package v2vviostor.inf_v2v binding ${LEGACY}, ${MODERN} to viostor`,
      "disabled the services of the previous hypervisor: VMCI, vmtools",
      "set CrashControl\\AutoReboot to 0 (a boot failure stays on screen)",
      "appended %SystemRoot%\\Drivers\\VirtIO to DevicePath",
    ]));
  });

  test("the SOFTWARE hive re-read from the guest: DevicePath gains the VirtIO folder, nothing else changes", async () => {
    const g = windowsGuest();
    await windowsConverter.convert(g, server2022(), source, ctx());
    const sw = softwareOf(g);
    const dp = sw.value(["Microsoft", "Windows", "CurrentVersion"], "DevicePath");
    expect(dp?.type).toBe(REG.EXPAND_SZ);
    expect(valueString(dp)).toBe("%SystemRoot%\\inf;%SystemRoot%\\Drivers\\VirtIO");
    expect(valueString(sw.value(["Microsoft", "Windows", "CurrentVersion", "Uninstall", VMWARE_TOOLS_GUID], "DisplayName"))).toBe("VMware Tools");
  });

  test("the ESP: BCD edited (default entry only), fallback loader written with the boot manager's bytes, mountpoint removed", async () => {
    const g = windowsGuest();
    const out = await windowsConverter.convert(g, server2022(), source, ctx());
    const mp = "/Windows/Temp/v2v-esp-0";
    expect(g.ops).toContain(`mount /dev/sda1 ${mp}`);
    expect(g.ops.filter((o) => o.startsWith("mount "))).toEqual([`mount /dev/sda1 ${mp}`]);
    const esp = g.unmounted.get(mp)!;
    expect(esp.get("/EFI/Boot/BOOTX64.EFI")).toBe(BOOTMGFW);
    const bcd = hiveFromLatin1(esp.get("/EFI/Microsoft/Boot/BCD"), "BCD (after)");
    expect(bcd.subkeys(["Objects", LOADER_A, "Elements"])).toEqual(["12000004", "22000002"]);
    expect(bcd.subkeys(["Objects", LOADER_B, "Elements"])).toEqual(["12000004", "16000046", "22000002"]);
    expect(out.changes).toEqual(expect.arrayContaining([
      `removed graphicsmodedisabled from the default boot entry ${LOADER_A} of the BCD`,
      "copied the Windows boot manager to the fallback loader /EFI/Boot/BOOTX64.EFI",
    ]));
    expect(g.ops).toContain(`umount ${mp}`);
    expect(await g.exists(mp)).toBe(false);
  });

  test("an existing Drivers folder in another case is reused", async () => {
    const g = windowsGuest({ dirs: ["/Windows/DRIVERS/virtio"] });
    await windowsConverter.convert(g, server2022(), source, ctx());
    expect(await g.ls("/Windows/DRIVERS/virtio")).toEqual(["netkvm.inf", "netkvm.sys", "vioscsi.inf", "vioscsi.sys", "viostor.cat", "viostor.inf", "viostor.sys"]);
    expect(await g.ls("/Windows")).toEqual(["DRIVERS", "System32", "Temp"]);
    expect(g.file("/Windows/System32/drivers/viostor.sys")).toBe(sysBytes("viostor", "2k22"));
  });

  test("an i386 guest gets BOOTIA32.EFI", async () => {
    process.env["VIRTIO_WIN"] = tree("virtio-win-x86", { "viostor/2k8/x86/viostor.inf": VIOSTOR_INF, "viostor/2k8/x86/viostor.sys": sysBytes("viostor", "2k8") });
    const g = windowsGuest({ system: win7System(), software: { currentBuildNumber: "6002" } });
    const insp = server2022({ arch: "i386", majorVersion: 6, minorVersion: 0, productName: "Windows Server 2008 Standard", osinfo: "win2k8" });
    const out = await windowsConverter.convert(g, insp, source, ctx());
    expect(out.drivers.virtioBlk).toBe(true);
    expect(g.unmounted.get("/Windows/Temp/v2v-esp-0")!.get("/EFI/Boot/BOOTIA32.EFI")).toBe(BOOTMGFW);
  });

  test("a fallback loader already identical to bootmgfw.efi is not rewritten; a BCD with no default gives a warning", async () => {
    const g = windowsGuest({
      espFiles: {
        "/EFI/Microsoft/Boot/BCD": latin1(bcdHive({ loaders: { [LOADER_A]: true } })),
        "/EFI/Microsoft/Boot/bootmgfw.efi": BOOTMGFW,
        "/EFI/BOOT/bootx64.efi": BOOTMGFW,
      },
    });
    const out = await windowsConverter.convert(g, server2022(), source, ctx());
    expect(g.ops.filter((o) => o.startsWith("cp ") && /bootx64/i.test(o))).toEqual([]);
    expect(g.ops.filter((o) => o.startsWith("upload ") && o.includes("/EFI/"))).toEqual([]);
    expect(out.warnings).toEqual(["the BCD has no default boot entry (Windows Boot Manager element 23000003); the boot configuration was left as it is"]);
  });

  test("a fallback loader that differs from bootmgfw.efi (another OS's, an old one) is replaced", async () => {
    const g = windowsGuest({
      espFiles: {
        "/EFI/Microsoft/Boot/bootmgfw.efi": BOOTMGFW,
        "/EFI/Boot/BOOTX64.EFI": "MZ shim from another OS",
      },
    });
    const out = await windowsConverter.convert(g, server2022(), source, ctx());
    expect(g.unmounted.get("/Windows/Temp/v2v-esp-0")!.get("/EFI/Boot/BOOTX64.EFI")).toBe(BOOTMGFW);
    expect(out.changes).toContain("copied the Windows boot manager to the fallback loader /EFI/Boot/BOOTX64.EFI");
  });

  test("an ESP without bootmgfw.efi: a warning, no fallback loader", async () => {
    const g = windowsGuest({ espFiles: { "/EFI/Microsoft/Boot/BCD": latin1(bcdHive({ defaultEntry: LOADER_A, loaders: { [LOADER_A]: false } })) } });
    const out = await windowsConverter.convert(g, server2022(), source, ctx());
    expect(out.warnings).toEqual(["the ESP has no EFI/Microsoft/Boot/bootmgfw.efi; the guest may not find its boot manager on the new firmware"]);
    expect([...g.unmounted.get("/Windows/Temp/v2v-esp-0")!.keys()]).toEqual(["/EFI/Microsoft/Boot/BCD"]);
    // Nothing to remove in the BCD: it is not written back.
    expect(g.ops.filter((o) => o.startsWith("upload ") && o.includes("/EFI/"))).toEqual([]);
  });

  test("a UEFI guest without an ESP: a warning, nothing mounted", async () => {
    const g = windowsGuest({ esp: false });
    const out = await windowsConverter.convert(g, server2022(), source, ctx());
    expect(out.warnings).toEqual(["this UEFI guest has no EFI System Partition that v2v could find; its boot files were not checked"]);
    expect(g.ops.some((o) => o.startsWith("mount "))).toBe(false);
  });

  test("the control set inspection names is the one edited", async () => {
    const insp = server2022({ windows: { ...server2022().windows!, currentControlSet: "ControlSet002" } });
    const sys = server2022System();
    sys.ensureKey(["ControlSet002", "Services", "vmtools"]);
    const g = windowsGuest({ system: sys });
    await windowsConverter.convert(g, insp, source, ctx());
    const back = systemOf(g);
    expect(valueDword(back.value(["ControlSet002", "Services", "viostor"], "Start"))).toBe(0);
    expect(valueDword(back.value(["ControlSet002", "Services", "vmtools"], "Start"))).toBe(4);
    expect(back.hasKey(["ControlSet001", "Services", "viostor"])).toBe(false);
    expect(valueDword(back.value(["ControlSet001", "Services", "vmtools"], "Start"))).toBe(2);
  });

  test("a BIOS guest's ESP-looking partitions are not touched", async () => {
    const g = windowsGuest();
    await windowsConverter.convert(g, server2022({ firmware: "bios" }), source, ctx());
    expect(g.ops.some((o) => o.startsWith("mount "))).toBe(false);
  });
});

describe("windowsConverter.convert: Windows 7 (no DriverDatabase)", () => {
  test("CriticalDeviceDatabase entries for both viostor ids, prl_strg out of LowerFilters", async () => {
    process.env["VIRTIO_WIN"] = TREE_W7;
    const g = windowsGuest({ system: win7System(), software: { currentBuildNumber: "7601" }, esp: false });
    const out = await windowsConverter.convert(g, windows7(), source, ctx());
    expect(out.drivers).toEqual({ virtioBlk: true, virtioNet: false, virtioRng: false, virtioBalloon: false });
    const sys = systemOf(g);
    const cdd = ["ControlSet001", "Control", "CriticalDeviceDatabase"];
    expect(sys.subkeys(cdd)).toEqual(["pci#ven_1af4&dev_1001&subsys_00021af4&rev_00", "pci#ven_1af4&dev_1042&subsys_11001af4&rev_01"]);
    expect(valueString(sys.value([...cdd, "pci#ven_1af4&dev_1001&subsys_00021af4&rev_00"], "Service"))).toBe("viostor");
    expect(valueString(sys.value([...cdd, "pci#ven_1af4&dev_1042&subsys_11001af4&rev_01"], "ClassGUID"))).toBe("{4D36E97B-E325-11CE-BFC1-08002BE10318}");
    expect(sys.hasKey(["DriverDatabase"])).toBe(false);
    expect(out.changes).toContain("removed prl_strg from the disk drive class's LowerFilters");
    expect(g.file("/Windows/System32/drivers/viostor.sys")).toBe(sysBytes("viostor", "w7"));
    // The tree's installer has an older name; in the guest it has the one the scripts use.
    expect(g.file("/Program Files/V2V/Firstboot/qemu-ga-x86_64.msi")).toBe("stand-in MSI under an older name");
  });

  test("Group Policy and antivirus give their 0x7B warnings when viostor was installed", async () => {
    process.env["VIRTIO_WIN"] = TREE_W7;
    const g = windowsGuest({
      system: win7System(),
      software: {
        currentBuildNumber: "7601",
        gpoHistory: ["{31B2F340-016D-11D2-945F-00C04FB984F9}"],
        apps: [{ key: "K", displayName: "Kaspersky Endpoint Security 10" }, { key: "M", displayName: "McAfee VirusScan Enterprise" }],
      },
      esp: false,
    });
    const out = await windowsConverter.convert(g, windows7(), source, ctx());
    expect(out.warnings).toEqual([
      "this guest has Group Policy objects; a policy that restricts device installation can stop Windows finding its virtio disk on first boot (STOP 0x7B)",
      "this guest has antivirus software (Kaspersky Endpoint Security 10, McAfee VirusScan Enterprise) that may stop Windows from booting on its new disk controller (STOP 0x7B)",
    ]);
    expect(reporter.lines.filter((l) => l.type === "warning").map((l) => l.text)).toEqual(out.warnings);
  });
});

describe("windowsConverter.convert: no drivers for this Windows", () => {
  test("all-false drivers, a warning naming where drivers were looked for (and no 0x7B warnings), no viostor service, hives still fixed", async () => {
    process.env["VIRTIO_WIN"] = TREE_NO_2K22;
    const g = windowsGuest({
      esp: false,
      software: { currentBuildNumber: "20348", devicePath: "%SystemRoot%\\inf", gpoHistory: ["{31B2F340-016D-11D2-945F-00C04FB984F9}"], apps: [VMWARE_TOOLS, { key: "N", displayName: "Norton AntiVirus" }] },
    });
    const out = await windowsConverter.convert(g, server2022({ firmware: "bios" }), source, ctx());
    expect(out.drivers).toEqual({ virtioBlk: false, virtioNet: false, virtioRng: false, virtioBalloon: false });
    expect(out.warnings).toEqual([
      `the QEMU guest agent installer (qemu-ga-x86_64.msi) was not found in ${TREE_NO_2K22}; install qemu-ga in the guest yourself after the conversion`,
      `there are no virtio drivers for this version of Windows (10.0 x86_64 server win2k22 (build 20348)) in ${TREE_NO_2K22}; ` +
        "the target will use emulated devices (sata disk, e1000 NIC), which are slower. Set VIRTIO_WIN to a virtio-win directory or ISO to install them",
    ]);
    const sys = systemOf(g);
    expect(sys.hasKey(["ControlSet001", "Services", "viostor"])).toBe(false);
    expect(sys.hasKey(["DriverDatabase", "DriverInfFiles", "v2vviostor.inf"])).toBe(false);
    expect(valueDword(sys.value(["ControlSet001", "Services", "vmtools"], "Start"))).toBe(4);
    expect(valueDword(sys.value(["ControlSet001", "Control", "CrashControl"], "AutoReboot"))).toBe(0);
    expect(await g.exists("/Windows/Drivers/VirtIO")).toBe(false);
    expect(await g.exists("/Windows/System32/drivers/viostor.sys")).toBe(false);
    expect(g.ops.some((o) => o.startsWith(`upload ${SOFTWARE}`))).toBe(false);
    expect(valueString(softwareOf(g).value(["Microsoft", "Windows", "CurrentVersion"], "DevicePath"))).toBe("%SystemRoot%\\inf");
  });

  test.skipIf(existsSync("/usr/share/virtio-win"))("no VIRTIO_WIN and no /usr/share/virtio-win: the warning names both default places", async () => {
    delete process.env["VIRTIO_WIN"];
    const g = windowsGuest({ esp: false });
    const out = await windowsConverter.convert(g, server2022({ firmware: "bios" }), source, ctx());
    expect(out.drivers).toEqual({ virtioBlk: false, virtioNet: false, virtioRng: false, virtioBalloon: false });
    expect(out.warnings).toEqual([
      "the QEMU guest agent installer (qemu-ga-x86_64.msi) was not found in /usr/share/virtio-win/virtio-win.iso or /usr/share/virtio-win; install qemu-ga in the guest yourself after the conversion",
      "there are no virtio drivers for this version of Windows (10.0 x86_64 server win2k22 (build 20348)) in /usr/share/virtio-win/virtio-win.iso or /usr/share/virtio-win; " +
        "the target will use emulated devices (sata disk, e1000 NIC), which are slower. Set VIRTIO_WIN to a virtio-win directory or ISO to install them",
    ]);
  });
});

describe("windowsConverter.convert: a driver without its .inf", () => {
  test("viostor.sys without viostor.inf is copied but not registered: virtio-blk stays off", async () => {
    process.env["VIRTIO_WIN"] = tree("virtio-win-no-inf", {
      "viostor/2k22/amd64/viostor.sys": sysBytes("viostor", "2k22"),
      "viostor/2k22/amd64/viostor.cat": "0\x82 catalog",
      "NetKVM/2k22/amd64/netkvm.inf": NETKVM_INF,
      "NetKVM/2k22/amd64/netkvm.sys": sysBytes("netkvm", "2k22"),
    });
    const g = windowsGuest({ esp: false });
    const out = await windowsConverter.convert(g, server2022({ firmware: "bios" }), source, ctx());
    expect(out.drivers).toEqual({ virtioBlk: false, virtioNet: true, virtioRng: false, virtioBalloon: false });
    expect(await g.ls("/Windows/Drivers/VirtIO")).toEqual(["netkvm.inf", "netkvm.sys", "viostor.cat", "viostor.sys"]);
    expect(await g.exists("/Windows/System32/drivers/viostor.sys")).toBe(false);
    expect(systemOf(g).hasKey(["ControlSet001", "Services", "viostor"])).toBe(false);
  });
});

describe("windowsConverter.convert: refusals leave the guest untouched", () => {
  test.each(["HIBR", "hibr", "WAKE", "wake"])("a hiberfil.sys starting %j: UNSUPPORTED_GUEST, nothing written", async (magic) => {
    const g = windowsGuest({ extraFiles: { "/hiberfil.sys": `${magic}\x00\x10\x00\x00 saved memory` } });
    const e = await rejection(windowsConverter.convert(g, server2022(), source, ctx()));
    expect(e.code).toBe("UNSUPPORTED_GUEST");
    expect(e.message).toContain("(its /hiberfil.sys holds a saved session)");
    expect(e.message).toContain("powercfg /h off");
    expect(g.ops).toEqual(["download-range /hiberfil.sys 0 4"]);
    expect(g.ops.filter((o) => MUTATING.test(o))).toEqual([]);
  });

  test("the hibernation file is found in the guest's spelling", async () => {
    const g = windowsGuest({ extraFiles: { "/HIBERFIL.SYS": "HIBRxxxx" } });
    const e = await rejection(windowsConverter.convert(g, server2022(), source, ctx()));
    expect(e.code).toBe("UNSUPPORTED_GUEST");
    expect(e.message).toContain("/HIBERFIL.SYS");
  });

  test("a hiberfil.sys of zeros (cleanly shut down) does not stop the conversion", async () => {
    const g = windowsGuest({ extraFiles: { "/hiberfil.sys": "\x00\x00\x00\x00\x00\x00" } });
    const out = await windowsConverter.convert(g, server2022(), source, ctx());
    expect(out.drivers.virtioBlk).toBe(true);
  });

  test.each([
    [5, 0, "Windows 2000 Professional"],
    [4, 0, "Windows NT Workstation"],
  ])("Windows NT %d.%d is refused before anything is read or written", async (major, minor, productName) => {
    const g = windowsGuest();
    const e = await rejection(windowsConverter.convert(g, server2022({ majorVersion: major, minorVersion: minor, productName, osinfo: "win2k" }), source, ctx()));
    expect(e.code).toBe("UNSUPPORTED_GUEST");
    expect(e.message).toBe(`Windows NT ${major}.${minor} (${productName}) is not supported; v2v converts Windows XP / 2003 (NT 5.1) and later`);
    expect(g.ops).toEqual([]);
  });

  test("another architecture is refused", async () => {
    const g = windowsGuest();
    const e = await rejection(windowsConverter.convert(g, server2022({ arch: "aarch64" }), source, ctx()));
    expect(e.code).toBe("UNSUPPORTED_GUEST");
    expect(e.message).toBe("Windows on aarch64 is not supported; v2v converts x86_64 and i386 Windows");
    expect(g.ops).toEqual([]);
  });

  test("inspection without the Windows facts is refused", async () => {
    const g = windowsGuest();
    const noFacts = server2022();
    delete (noFacts as { windows?: unknown }).windows;
    const e = await rejection(windowsConverter.convert(g, noFacts, source, ctx()));
    expect(e.code).toBe("CONVERSION");
    expect(e.message).toBe("inspection did not find this Windows guest's system folder and registry (/dev/sda3); check that C: is the disk's system volume");
    const unknownHive = server2022({ windows: { ...server2022().windows!, systemHive: "unknown" } });
    expect((await rejection(windowsConverter.convert(g, unknownHive, source, ctx()))).code).toBe("CONVERSION");
    expect(g.ops).toEqual([]);
  });
});

describe("windowsConverter: --block-driver", () => {
  test("chooseBootDriver: the one asked for, else viostor with a warning for virtio-scsi, else none", () => {
    const both = (n: string) => n === "viostor" || n === "vioscsi";
    expect(chooseBootDriver("virtio-blk", both)).toEqual({ driver: "viostor" });
    expect(chooseBootDriver("virtio-scsi", both)).toEqual({ driver: "vioscsi" });
    expect(chooseBootDriver("virtio-scsi", (n) => n === "viostor")).toEqual({ driver: "viostor", warning: expect.stringContaining("have no vioscsi; the guest boots from virtio-blk (viostor) instead") });
    expect(chooseBootDriver("virtio-blk", (n) => n === "vioscsi")).toEqual({});
    expect(chooseBootDriver("virtio-scsi", () => false)).toEqual({});
  });

  test("virtio-scsi: vioscsi is registered for the virtio-scsi ids and copied to System32\\drivers; viostor is not registered", async () => {
    const g = windowsGuest({ esp: false });
    const out = await windowsConverter.convert(g, server2022({ firmware: "bios" }), source, ctx(), { blockDriver: "virtio-scsi" });
    expect(out.drivers).toMatchObject({ virtioBlk: false, virtioScsi: true, virtioNet: true });
    const sys = systemOf(g);
    expect(valueDword(sys.value(["ControlSet001", "Services", "vioscsi"], "Start"))).toBe(0);
    expect(sys.hasKey(["ControlSet001", "Services", "viostor"])).toBe(false);
    expect(sys.hasKey(["DriverDatabase", "DeviceIds", "PCI", "VEN_1AF4&DEV_1048&SUBSYS_11001AF4&REV_01"])).toBe(true);
    expect(g.file("/Windows/System32/drivers/vioscsi.sys")).toBe(sysBytes("vioscsi", "2k22"));
    expect(await g.exists("/Windows/System32/drivers/viostor.sys")).toBe(false);
    expect(out.warnings).toEqual([]);
  });

  test("virtio-scsi with a tree that has only viostor: viostor, and a warning", async () => {
    process.env["VIRTIO_WIN"] = TREE_W7;
    const g = windowsGuest({ system: win7System(), software: { currentBuildNumber: "7601" }, esp: false });
    const out = await windowsConverter.convert(g, windows7(), source, ctx(), { blockDriver: "virtio-scsi" });
    expect(out.drivers).toMatchObject({ virtioBlk: true });
    expect(out.drivers.virtioScsi).toBeUndefined();
    expect(out.warnings.join("\n")).toContain("--block-driver virtio-scsi: the virtio-win drivers for this Windows have no vioscsi");
  });
});

describe("windowsConverter: Windows Server 2003 (NT 5.2)", () => {
  const GiB = 1024 ** 3;
  const bootSector = (heads: number, oem = "NTFS    "): Buffer => {
    const b = Buffer.alloc(512);
    b.write(oem, 3, "latin1");
    b.writeUInt16LE(heads, 0x1a);
    b.writeUInt16LE(0xaa55, 510);
    return b;
  };
  const server2003 = (): Inspection =>
    server2022({
      root: "/dev/sda1",
      majorVersion: 5,
      minorVersion: 2,
      productName: "Windows Server 2003 R2",
      osinfo: "win2k3r2",
      firmware: "bios",
      mountpoints: [{ mountpoint: "/", device: "/dev/sda1" }],
      windows: { systemRoot: "/WINDOWS", currentControlSet: "ControlSet001", productVariant: "Server", systemHive: SYSTEM, softwareHive: SOFTWARE },
    });
  const nt5Guest = (heads: number, diskBytes: number, oem?: string): EspRecordingGuest =>
    windowsGuest({ system: win7System(), software: { currentBuildNumber: "3790", apps: [VMWARE_TOOLS] }, esp: false, dirs: ["/WINDOWS"], deviceBytes: { "/dev/sda1": bootSector(heads, oem) }, deviceSizes: { "/dev/sda": diskBytes } });

  test.each([
    [1 * GiB, 0x40],
    [3 * GiB, 0x80],
    [40 * GiB, 0xff],
  ])("a disk of %d bytes: the NTFS boot sector gets %d heads, and the change says so", async (diskBytes, heads) => {
    const g = nt5Guest(0x10, diskBytes);
    const out = await windowsConverter.convert(g, server2003(), source, ctx());
    expect(g.deviceBytes("/dev/sda1").readUInt16LE(0x1a)).toBe(heads);
    expect(g.deviceBytes("/dev/sda1").equals(bootSector(heads))).toBe(true); // nothing else changed
    expect(out.changes).toContain(`set the heads of /dev/sda1's NTFS boot sector from 16 to ${heads}, as the KVM BIOS reports them for this disk (NT 5 boots through them)`);
  });

  test("heads already right: nothing written; not NTFS: nothing written", async () => {
    const right = nt5Guest(0xff, 40 * GiB);
    await windowsConverter.convert(right, server2003(), source, ctx());
    expect(right.ops.some((o) => o.startsWith("write-device"))).toBe(false);
    const fat = nt5Guest(0x10, 40 * GiB, "MSDOS5.0");
    await windowsConverter.convert(fat, server2003(), source, ctx());
    expect(fat.deviceBytes("/dev/sda1").readUInt16LE(0x1a)).toBe(0x10);
    expect(fat.ops.some((o) => o.startsWith("write-device"))).toBe(false);
  });

  test("no drivers for 2003 in the tree: IDE and rtl8139 named in the warning; the first boot runs only the uninstaller", async () => {
    const g = nt5Guest(0xff, 40 * GiB);
    const insp = server2003();
    const out = await windowsConverter.convert(g, insp, source, ctx());
    expect(out.drivers.virtioBlk).toBe(false);
    expect(out.warnings.join("\n")).toContain("the target will use emulated devices (IDE disk, rtl8139 NIC)");
    const after = await windowsConverter.postConvert!(g, insp, out, ctx());
    expect(await g.ls("/Program Files/V2V/Firstboot/scripts")).toEqual(["0300-uninstall-vmware-tools.bat"]);
    expect(after.changes.join("\n")).toContain("with 1 script: 0300-uninstall-vmware-tools.bat");
  });
});

describe("windowsConverter: handles", () => {
  test("windows guests only", () => {
    expect(windowsConverter.name).toBe("windows");
    expect(windowsConverter.handles(server2022())).toBe(true);
    expect(windowsConverter.handles(server2022({ osType: "linux" }))).toBe(false);
  });
});

describe("windowsConverter.postConvert: the first-boot service", () => {
  test("service key, exe and scripts in the guest; earlier registrations kept", async () => {
    const g = windowsGuest();
    const insp = server2022();
    const out = await windowsConverter.convert(g, insp, source, ctx());
    const after = await windowsConverter.postConvert!(g, insp, out, ctx());
    const sys = systemOf(g);
    const key = ["ControlSet001", "Services", "v2v-firstboot"];
    expect(valueDword(sys.value(key, "Type"))).toBe(0x10);
    expect(valueDword(sys.value(key, "Start"))).toBe(2);
    expect(sys.value(key, "ImagePath")?.type).toBe(REG.EXPAND_SZ);
    expect(valueString(sys.value(key, "ImagePath"))).toBe('"C:\\Program Files\\V2V\\Firstboot\\v2vfirstboot.exe"');
    expect(valueString(sys.value(key, "ObjectName"))).toBe("LocalSystem");
    // What convert registered survives the second save.
    expect(valueDword(sys.value(["ControlSet001", "Services", "viostor"], "Start"))).toBe(0);
    expect(valueDword(sys.value(["ControlSet001", "Services", "vmtools"], "Start"))).toBe(4);

    const dir = "/Program Files/V2V/Firstboot";
    expect(g.file(`${dir}/v2vfirstboot.exe`)).toBe(FIRSTBOOT_EXE_BYTES);
    expect(await g.isDir(`${dir}/scripts-done`)).toBe(true);
    expect(await g.ls(`${dir}/scripts`)).toEqual(["0100-wait-pnp.ps1", "0200-install-drivers.bat", "0300-uninstall-vmware-tools.bat", "0400-install-qemu-ga.bat", "9900-boot-report.ps1"]);
    // The guest agent's installer, from the tree's guest-agent folder, next to the service.
    expect(g.file(`${dir}/qemu-ga-x86_64.msi`)).toBe("stand-in MSI x86_64");
    expect(g.file(`${dir}/scripts/0400-install-qemu-ga.bat`)).toContain('/i "C:\\Program Files\\V2V\\Firstboot\\qemu-ga-x86_64.msi" /qn');
    const uninstall = g.file(`${dir}/scripts/0300-uninstall-vmware-tools.bat`)!;
    expect(uninstall).toContain(`MsiExec.exe /X${VMWARE_TOOLS_GUID} /quiet /norestart`);
    expect(uninstall).toContain("\r\n");
    expect(g.file(`${dir}/scripts/0200-install-drivers.bat`)).toContain("C:\\Windows\\Drivers\\VirtIO");

    expect(after.drivers).toEqual(out.drivers);
    expect(after.changes.slice(0, out.changes.length)).toEqual(out.changes);
    expect(after.changes.slice(out.changes.length)).toEqual([
      "installed the first-boot service in C:\\Program Files\\V2V\\Firstboot with 5 scripts: 0100-wait-pnp.ps1, 0200-install-drivers.bat, 0300-uninstall-vmware-tools.bat, 0400-install-qemu-ga.bat, 9900-boot-report.ps1",
      "VMware Tools will be uninstalled at first boot",
    ]);
    expect(after.warnings).toEqual([]);
  });

  test("the outcome's warnings from convert are kept, postConvert's come after", async () => {
    process.env["VIRTIO_WIN"] = TREE_NO_2K22;
    const g = windowsGuest({ esp: false, software: { currentBuildNumber: "20348", apps: [{ key: "P", displayName: "Parallels Tools" }] } });
    const insp = server2022({ firmware: "bios" });
    const out = await windowsConverter.convert(g, insp, source, ctx());
    expect(out.warnings).toHaveLength(2); // no drivers, no qemu-ga installer
    const after = await windowsConverter.postConvert!(g, insp, out, ctx());
    expect(after.warnings).toEqual([...out.warnings, "Parallels Tools has no UninstallString: remove it by hand after the first boot"]);
  });

  test("an uninstall string v2v cannot run becomes a warning, and no uninstall script", async () => {
    const g = windowsGuest({ software: { currentBuildNumber: "20348", apps: [{ key: "VMwareTools", displayName: "VMware Tools", uninstallString: "C:\\Program Files\\VMware\\setup.exe /x" }] } });
    const insp = server2022();
    const out = await windowsConverter.convert(g, insp, source, ctx());
    const after = await windowsConverter.postConvert!(g, insp, out, ctx());
    expect(after.warnings).toEqual(["the uninstall string of VMware Tools is not one v2v knows how to run silently: remove it by hand after the first boot"]);
    expect(await g.ls("/Program Files/V2V/Firstboot/scripts")).toEqual(["0100-wait-pnp.ps1", "0200-install-drivers.bat", "0400-install-qemu-ga.bat", "9900-boot-report.ps1"]);
  });

  test("a missing V2V_FIRSTBOOT_EXE is refused before anything is written", async () => {
    process.env["V2V_FIRSTBOOT_EXE"] = join(tmp, "no-such.exe");
    const g = windowsGuest();
    const out = { drivers: { virtioBlk: false, virtioNet: false, virtioRng: false, virtioBalloon: false }, changes: [], warnings: [] };
    const e = await rejection(windowsConverter.postConvert!(g, server2022(), out, ctx()));
    expect(e.code).toBe("CONVERSION");
    expect(e.message).toContain("V2V_FIRSTBOOT_EXE");
    expect(g.ops.filter((o) => MUTATING.test(o))).toEqual([]);
  });
});
