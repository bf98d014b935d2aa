// Pure: the registry of a phony Windows guest as .reg text (the format regedit exports and
// hivexregedit --merge reads), for its SYSTEM, SOFTWARE and BCD hives. The content is what a
// VMware-born Windows of that version holds where the conversion and libguestfs look: version and
// edition, the hostname, MountedDevices for C:, VMware's services and uninstaller, the storage
// driver database, and the boot manager's default entry.
import type { WindowsRecipe } from "../recipes.js";
import { mountedDeviceData, seededGuid, type WindowsLayout } from "./layout.js";

export type RegValue =
  | { readonly name: string; readonly type: "sz"; readonly data: string }
  | { readonly name: string; readonly type: "expand_sz"; readonly data: string }
  | { readonly name: string; readonly type: "multi_sz"; readonly data: readonly string[] }
  | { readonly name: string; readonly type: "dword"; readonly data: number }
  | { readonly name: string; readonly type: "binary"; readonly data: Buffer };

export interface RegKey {
  /** Path under the hive root, "\"-separated, without the root: "Microsoft\Windows NT\CurrentVersion". */
  readonly path: string;
  readonly values: readonly RegValue[];
}

/** Where each hive is merged (hivexregedit --prefix): the name Windows mounts it under. */
export const HIVE_PREFIX = {
  SYSTEM: "HKEY_LOCAL_MACHINE\\SYSTEM",
  SOFTWARE: "HKEY_LOCAL_MACHINE\\SOFTWARE",
  BCD: "HKEY_LOCAL_MACHINE\\BCD00000000",
} as const;

/** The class GUID of SCSI and RAID controllers ("SCSIAdapter"). */
export const SCSI_ADAPTER_CLASS = "{4d36e97b-e325-11ce-bfc1-08002be10318}";
/** The class GUID of disk drives ("DiskDrive"). */
export const DISK_DRIVE_CLASS = "{4d36e967-e325-11ce-bfc1-08002be10318}";
/** The BCD object of the Windows Boot Manager. */
export const BOOTMGR_OBJECT = "{9dea862c-5cdd-4e70-acc1-f32b344d4795}";
/** The product code of the VMware Tools MSI in these guests (a fixed, made-up one). */
export const VMWARE_TOOLS_PRODUCT_CODE = "{8C4D7E2A-3F51-4B6E-9D0A-7E2B5C1F3A90}";
export const XEN_PV_UNINSTALL_KEY = "Red Hat Paravirtualized Xen Drivers for Windows(R)";

const sz = (name: string, data: string): RegValue => ({ name, type: "sz", data });
const expand = (name: string, data: string): RegValue => ({ name, type: "expand_sz", data });
const multi = (name: string, data: readonly string[]): RegValue => ({ name, type: "multi_sz", data });
const dword = (name: string, data: number): RegValue => ({ name, type: "dword", data });
const binary = (name: string, data: Buffer): RegValue => ({ name, type: "binary", data });

/** Pure: a string escaped for a quoted .reg name or value ("\" and """ take a backslash). */
export function regQuote(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** Pure: bytes as .reg hex list ("01,ff,00"). */
const hexList = (b: Buffer): string => [...b].map((x) => x.toString(16).padStart(2, "0")).join(",");
const utf16z = (s: string): Buffer => Buffer.from(`${s}\0`, "utf16le");

/** Pure: one value line. */
export function renderValue(v: RegValue): string {
  const name = v.name === "" ? "@" : regQuote(v.name);
  switch (v.type) {
    case "sz":
      return `${name}=${regQuote(v.data)}`;
    case "expand_sz":
      return `${name}=hex(2):${hexList(utf16z(v.data))}`;
    case "multi_sz":
      return `${name}=hex(7):${hexList(Buffer.concat([...v.data.map(utf16z), Buffer.from([0, 0])]))}`;
    case "dword":
      if (!Number.isInteger(v.data) || v.data < 0 || v.data > 0xffffffff) throw new Error(`${v.name}: ${v.data} is not a DWORD`);
      return `${name}=dword:${v.data.toString(16).padStart(8, "0")}`;
    case "binary":
      return `${name}=hex:${hexList(v.data)}`;
  }
}

/**
 * Pure: the .reg file for one hive. hivexregedit --merge does not create missing parents, so
 * every ancestor of every key is emitted, once, before its children; keys listed twice are merged.
 */
export function renderReg(prefix: string, keys: readonly RegKey[]): string {
  const order: string[] = [];
  const values = new Map<string, RegValue[]>();
  const add = (path: string): RegValue[] => {
    let v = values.get(path.toLowerCase());
    if (!v) {
      v = [];
      values.set(path.toLowerCase(), v);
      order.push(path);
    }
    return v;
  };
  for (const k of keys) {
    const parts = k.path.split("\\");
    if (parts.some((p) => p === "")) throw new Error(`registry key "${k.path}" has an empty component`);
    for (let i = 1; i < parts.length; i++) add(parts.slice(0, i).join("\\"));
    add(k.path).push(...k.values);
  }
  const blocks = order.map((path) => [`[${prefix}\\${path}]`, ...values.get(path.toLowerCase())!.map(renderValue)].join("\r\n"));
  return `Windows Registry Editor Version 5.00\r\n\r\n${blocks.join("\r\n\r\n")}\r\n\r\n`;
}

/** Pure: the boot menu's name for the version: the product name without its edition ("Windows Server 2022"). */
export function bootDescription(r: WindowsRecipe): string {
  return r.windows.productName.replace(/ (Standard|Datacenter|Pro|Professional|Enterprise|Home|Ultimate|Education)( Edition)?$/, "");
}

/** The GUID of the default "Windows Boot Loader" BCD object of this guest, with braces, lower-case. */
export function bootLoaderGuid(r: WindowsRecipe): string {
  return `{${seededGuid(`${r.name}:bootloader`).toLowerCase()}}`;
}

/** Pure: SOFTWARE. */
export function softwareKeys(r: WindowsRecipe): RegKey[] {
  const v = r.windows;
  const nt = "Microsoft\\Windows NT\\CurrentVersion";
  const cv = "Microsoft\\Windows\\CurrentVersion";
  const un = `${cv}\\Uninstall`;
  const keys: RegKey[] = [
    {
      path: nt,
      values: [
        sz("ProductName", v.productName),
        // Windows 10 and later keep "6.3" here for old programs; the real version is in the two DWORDs.
        sz("CurrentVersion", v.major >= 10 ? "6.3" : `${v.major}.${v.minor}`),
        ...(v.major >= 10 ? [dword("CurrentMajorVersionNumber", v.major), dword("CurrentMinorVersionNumber", v.minor)] : []),
        sz("CurrentBuildNumber", String(v.build)),
        sz("CurrentBuild", String(v.build)),
        sz("EditionID", v.editionId),
        sz("InstallationType", v.installationType),
        sz("CurrentType", "Multiprocessor Free"),
        sz("SystemRoot", "C:\\Windows"),
        sz("PathName", "C:\\Windows"),
        sz("RegisteredOwner", "Windows User"),
        dword("InstallDate", 1704067200),
        ...(v.major === 6 && v.minor === 1 ? [sz("CSDVersion", "Service Pack 1")] : []),
      ],
    },
    {
      path: cv,
      values: [
        expand("DevicePath", "%SystemRoot%\\inf"),
        sz("ProgramFilesDir", "C:\\Program Files"),
        sz("ProgramFilesDir (x86)", "C:\\Program Files (x86)"),
        sz("CommonFilesDir", "C:\\Program Files\\Common Files"),
        expand("ProgramFilesPath", "%ProgramFiles%"),
      ],
    },
    {
      path: `${un}\\${VMWARE_TOOLS_PRODUCT_CODE}`,
      values: [
        sz("DisplayName", "VMware Tools"),
        sz("DisplayVersion", "12.3.5.22544099"),
        sz("Publisher", "VMware, Inc."),
        sz("InstallLocation", "C:\\Program Files\\VMware\\VMware Tools\\"),
        expand("UninstallString", `MsiExec.exe /I${VMWARE_TOOLS_PRODUCT_CODE}`),
        expand("ModifyPath", `MsiExec.exe /I${VMWARE_TOOLS_PRODUCT_CODE}`),
        dword("WindowsInstaller", 1),
        dword("EstimatedSize", 98304),
      ],
    },
    {
      path: `${un}\\7-Zip`,
      values: [
        sz("DisplayName", "7-Zip 23.01 (x64)"),
        sz("DisplayVersion", "23.01"),
        sz("Publisher", "Igor Pavlov"),
        sz("InstallLocation", "C:\\Program Files\\7-Zip\\"),
        sz("UninstallString", '"C:\\Program Files\\7-Zip\\Uninstall.exe"'),
        dword("NoModify", 1),
      ],
    },
    {
      path: `${un}\\{D4F5A0C7-2B6E-4E1A-8C3D-5F9B7A2E1C64}`,
      values: [
        sz("DisplayName", "Microsoft Visual C++ 2015-2022 Redistributable (x64) - 14.38.33130"),
        sz("DisplayVersion", "14.38.33130.0"),
        sz("Publisher", "Microsoft Corporation"),
        expand("UninstallString", "MsiExec.exe /X{D4F5A0C7-2B6E-4E1A-8C3D-5F9B7A2E1C64}"),
        dword("WindowsInstaller", 1),
      ],
    },
    // Present and empty: no Group Policy has been applied (the conversion warns when it has children).
    { path: `${cv}\\Group Policy\\History`, values: [] },
  ];
  if (r.xenPv) {
    keys.push({
      path: `${un}\\${XEN_PV_UNINSTALL_KEY}`,
      values: [
        sz("DisplayName", XEN_PV_UNINSTALL_KEY),
        sz("DisplayVersion", "1.3.10"),
        sz("Publisher", "Red Hat, Inc."),
        sz("UninstallString", "C:\\Program Files\\Red Hat\\Paravirtualized Xen Drivers for Windows\\uninst.exe"),
      ],
    });
  }
  return keys;
}

/** A kernel driver service as Windows registers one (Type 1 = kernel driver). */
function driverService(name: string, start: number, group: string, displayName: string): RegKey {
  return {
    path: `ControlSet001\\Services\\${name}`,
    values: [
      dword("Type", 1), dword("Start", start), dword("ErrorControl", 1), sz("Group", group),
      expand("ImagePath", `System32\\drivers\\${name.toLowerCase()}.sys`), sz("DisplayName", displayName),
    ],
  };
}

/** The drivers a VMware guest has in System32\drivers (their services are in SYSTEM). */
export function driverFiles(r: WindowsRecipe): string[] {
  return ["pvscsi.sys", "lsi_sas.sys", "vmci.sys", "vm3dmp.sys", "vmmemctl.sys", "intelppm.sys", ...(r.xenPv ? ["xenpci.sys", "xenvbd.sys"] : [])];
}

/** Pure: SYSTEM. ControlSet001 is the current one (Select\Current = 1). */
export function systemKeys(r: WindowsRecipe, layout: WindowsLayout): RegKey[] {
  const ccs = "ControlSet001";
  const cDrive = mountedDeviceData(layout, layout.windows);
  const volumeGuid = `{${seededGuid(`${r.name}:volume-c`).toLowerCase()}}`;
  const keys: RegKey[] = [
    { path: "Select", values: [dword("Current", 1), dword("Default", 1), dword("LastKnownGood", 1), dword("Failed", 0)] },
    { path: "MountedDevices", values: [binary("\\DosDevices\\C:", cDrive), binary(`\\??\\Volume${volumeGuid}`, cDrive)] },
    { path: `${ccs}\\Control\\ComputerName\\ComputerName`, values: [sz("ComputerName", r.hostname.toUpperCase())] },
    { path: `${ccs}\\Control\\CrashControl`, values: [dword("AutoReboot", 1), dword("CrashDumpEnabled", 7), expand("DumpFile", "%SystemRoot%\\MEMORY.DMP")] },
    {
      path: `${ccs}\\Control\\Session Manager\\Power`,
      // Fast startup (a hybrid shutdown that hibernates the kernel) exists from Windows 8 on.
      values: r.windows.major >= 10 || r.windows.minor >= 2 ? [dword("HiberbootEnabled", r.hibernated ? 1 : 0)] : [],
    },
    { path: `${ccs}\\Control\\Class\\${SCSI_ADAPTER_CLASS}`, values: [sz("", "Storage controllers"), sz("Class", "SCSIAdapter")] },
    {
      path: `${ccs}\\Control\\Class\\${SCSI_ADAPTER_CLASS}\\0000`,
      values: [sz("DriverDesc", "VMware PVSCSI Controller"), sz("ProviderName", "VMware, Inc."), sz("MatchingDeviceId", "pci\\ven_15ad&dev_07c0"), sz("InfPath", "oem3.inf")],
    },
    { path: `${ccs}\\Control\\Class\\${DISK_DRIVE_CLASS}`, values: [sz("", "Disk drives"), sz("Class", "DiskDrive"), multi("UpperFilters", ["partmgr"])] },
    {
      path: `${ccs}\\Services\\Tcpip`,
      values: [dword("Type", 1), dword("Start", 0), dword("ErrorControl", 1), sz("Group", "PNP_TDI"), expand("ImagePath", "System32\\drivers\\tcpip.sys")],
    },
    { path: `${ccs}\\Services\\Tcpip\\Parameters`, values: [sz("Hostname", r.hostname), sz("NV Hostname", r.hostname), sz("Domain", "")] },
    {
      path: `${ccs}\\Services\\vmtools`,
      values: [
        dword("Type", 0x10), dword("Start", 2), dword("ErrorControl", 1), sz("ObjectName", "LocalSystem"), sz("DisplayName", "VMware Tools"),
        expand("ImagePath", '"C:\\Program Files\\VMware\\VMware Tools\\vmtoolsd.exe"'),
      ],
    },
    driverService("vmci", 0, "System Bus Extender", "VMware VMCI Bus Driver"),
    driverService("vm3dmp", 3, "Video", "vm3dmp"),
    driverService("vmmemctl", 2, "", "Memory Control Driver"),
    driverService("pvscsi", 0, "SCSI miniport", "pvscsi Storage Controller Driver"),
    driverService("LSI_SAS", 0, "SCSI miniport", "LSI_SAS"),
    driverService("intelppm", 3, "Extended Base", "Intel Processor Driver"),
  ];
  if (r.windows.major === 6 && r.windows.minor === 1) keys.push({ path: `${ccs}\\Control\\Windows`, values: [dword("CSDVersion", 0x100)] });
  if (!r.hasDriverDatabase) {
    // Windows 7 and older start boot-critical storage drivers from here, by PCI id.
    for (const [id, service] of [["pci#ven_15ad&dev_07c0", "pvscsi"], ["pci#ven_1000&dev_0054", "LSI_SAS"], ["pci#ven_8086&dev_7111", "intelide"]] as const) {
      keys.push({ path: `${ccs}\\Control\\CriticalDeviceDatabase\\${id}`, values: [sz("Service", service), sz("ClassGUID", SCSI_ADAPTER_CLASS.toUpperCase())] });
    }
  } else {
    keys.push(...driverDatabaseKeys());
  }
  if (r.xenPv) {
    keys.push(driverService("xenpci", 0, "System Bus Extender", "Xen PCI Device Driver"), driverService("xenvbd", 0, "SCSI miniport", "Xen PV Storage Driver"));
  }
  return keys;
}

/** Windows 8 and later: the driver store's index, with the PVSCSI package as Setup leaves it. */
function driverDatabaseKeys(): RegKey[] {
  const db = "DriverDatabase";
  const pkg = "pvscsii.inf_amd64_8d8b4d6ac8f5e0b2";
  const devId = "VEN_15AD&DEV_07C0";
  // DriverPackages\...\Version: the package's binary header; its class GUID (SCSIAdapter) starts at byte 8.
  const version = Buffer.concat([Buffer.from([0xff, 0xff, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00]), Buffer.from("7be9364d25e3ce11bfc108002be10318", "hex"), Buffer.alloc(16)]);
  return [
    { path: db, values: [dword("Architecture", 9), sz("OemInfMap", "")] },
    { path: `${db}\\DriverInfFiles\\pvscsii.inf`, values: [multi("", [pkg]), sz("Active", pkg), multi("Configurations", ["pvscsi_inst"])] },
    { path: `${db}\\DriverInfFiles\\machine.inf`, values: [multi("", ["machine.inf_amd64_b7d9b6f1f1a2f0c4"]), sz("Active", "machine.inf_amd64_b7d9b6f1f1a2f0c4")] },
    { path: `${db}\\DeviceIds\\PCI\\${devId}`, values: [binary("pvscsii.inf", Buffer.from([0x01, 0xff, 0x00, 0x00]))] },
    { path: `${db}\\DeviceIds\\PCI\\VEN_8086&DEV_7111`, values: [binary("mshdc.inf", Buffer.from([0x01, 0xff, 0x00, 0x00]))] },
    {
      path: `${db}\\DriverPackages\\${pkg}`,
      values: [sz("", "oem3.inf"), binary("Version", version), sz("Provider", "VMware, Inc."), sz("SignerName", "Microsoft Windows Hardware Compatibility Publisher"), dword("SignerScore", 0x0d000005)],
    },
    { path: `${db}\\DriverPackages\\${pkg}\\Configurations\\pvscsi_inst`, values: [dword("ConfigFlags", 0), sz("Service", "pvscsi")] },
    { path: `${db}\\DriverPackages\\${pkg}\\Descriptors\\PCI\\${devId}`, values: [sz("Configuration", "pvscsi_inst"), sz("Description", "VMware PVSCSI Controller")] },
  ];
}

/**
 * Pure: the BCD store: the boot manager's default entry (element 23000003) names this guest's
 * Windows Boot Loader object, whose description is 12000004, path 12000002, system root
 * 22000002, and graphicsmodedisabled 16000046 = true (the conversion deletes that one).
 */
export function bcdKeys(r: WindowsRecipe): RegKey[] {
  const loader = bootLoaderGuid(r);
  const winload = r.firmware === "uefi" ? "\\Windows\\system32\\winload.efi" : "\\Windows\\system32\\winload.exe";
  const el = (obj: string, id: string, v: RegValue): RegKey => ({ path: `Objects\\${obj}\\Elements\\${id}`, values: [v] });
  return [
    { path: "Description", values: [sz("KeyName", "BCD00000000"), dword("System", 1), dword("TreatAsSystem", 1)] },
    { path: `Objects\\${BOOTMGR_OBJECT}\\Description`, values: [dword("Type", 0x10100002)] },
    el(BOOTMGR_OBJECT, "12000004", sz("Element", "Windows Boot Manager")),
    el(BOOTMGR_OBJECT, "23000003", sz("Element", loader)),
    el(BOOTMGR_OBJECT, "24000001", multi("Element", [loader])),
    el(BOOTMGR_OBJECT, "25000004", binary("Element", Buffer.from([0x1e, 0, 0, 0, 0, 0, 0, 0]))),
    { path: `Objects\\${loader}\\Description`, values: [dword("Type", 0x10200003)] },
    el(loader, "12000002", sz("Element", winload)),
    el(loader, "12000004", sz("Element", bootDescription(r))),
    el(loader, "16000046", binary("Element", Buffer.from([0x01]))),
    el(loader, "22000002", sz("Element", "\\Windows")),
  ];
}
