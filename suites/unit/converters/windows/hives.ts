// Test fixtures: SYSTEM, SOFTWARE and BCD hives built with the project's own Hive API, shaped
// like the parts of real Windows hives the converter reads (a Windows 7-like SYSTEM without a
// DriverDatabase key, a Server 2022-like one with it, VMware / Parallels tools in Uninstall, a
// BCD with a boot manager and loader entries). Each builder returns a fresh Hive; `latin1`
// gives the bytes as the FakeGuest stores binary files.
import { emptyHive, Hive, type KeyPath } from "../../../../src/registry/hive.js";
import { binary, dword, expandSz, multiSz, sz } from "../../../../src/registry/values.js";

export const newHive = (root: string): Hive => Hive.parse(emptyHive(root), `${root} hive (test)`);
/** Re-read a hive from the latin1 string a FakeGuest holds. */
export const hiveFromLatin1 = (s: string | undefined, what: string): Hive => {
  if (s === undefined) throw new Error(`${what}: no such file in the fake guest`);
  return Hive.parse(Buffer.from(s, "latin1"), what);
};
export const latin1 = (h: Hive): string => h.toBuffer().toString("latin1");

/** The disk drive class key, as Windows spells it (lowercase). */
export const DISK_CLASS = "{4d36e967-e325-11ce-bfc1-08002be10318}";

export interface SystemOptions {
  /** Select\Current; undefined: no Select key at all. */
  readonly current?: number;
  /** Control sets to create (by number). */
  readonly controlSets?: readonly number[];
  /** Service name (as spelled in the guest) → Start, or null for a key without Start. */
  readonly services?: Readonly<Record<string, number | null>>;
  /** The disk class's LowerFilters; undefined: no value. */
  readonly lowerFilters?: readonly string[];
  /** CrashControl\AutoReboot; undefined: no value. */
  readonly autoReboot?: number;
  /** Add HKLM\SYSTEM\DriverDatabase (Windows 8 and later). */
  readonly driverDatabase?: boolean;
}

/** The services a VMware- and Parallels-born guest has, in the guest's own spelling. */
export const FOREIGN_GUEST_SERVICES: Readonly<Record<string, number | null>> = {
  vmtools: 2,
  VMCI: 0, // spelled in upper case in the guest
  vmmemctl: 4, // already disabled
  vmxnet3ndis6: 3,
  prl_strg: 0,
  prl_fs: 1,
  Tcpip: 1, // not a foreign service
  disk: 0,
};

export function systemHive(o: SystemOptions = {}): Hive {
  const h = newHive("SYSTEM");
  if (o.current !== undefined) {
    h.setValue(["Select"], dword("Current", o.current));
    h.setValue(["Select"], dword("Default", o.current));
    h.setValue(["Select"], dword("LastKnownGood", o.current + 1));
  }
  for (const n of o.controlSets ?? [1]) {
    const ccs = `ControlSet${String(n).padStart(3, "0")}`;
    h.ensureKey([ccs, "Control", "Class", "{4D36E97B-E325-11CE-BFC1-08002BE10318}"]);
    for (const [name, start] of Object.entries(o.services ?? {})) {
      const key: KeyPath = [ccs, "Services", name];
      h.ensureKey(key);
      h.setValue(key, dword("Type", 1));
      if (start !== null) h.setValue(key, dword("Start", start));
      h.setValue(key, expandSz("ImagePath", `system32\\drivers\\${name}.sys`));
    }
    if (o.lowerFilters) h.setValue([ccs, "Control", "Class", DISK_CLASS], multiSz("LowerFilters", o.lowerFilters));
    h.setValue([ccs, "Control", "Class", DISK_CLASS], sz("Class", "DiskDrive"));
    if (o.autoReboot !== undefined) h.setValue([ccs, "Control", "CrashControl"], dword("AutoReboot", o.autoReboot));
    h.setValue([ccs, "Control", "CrashControl"], dword("CrashDumpEnabled", 7));
  }
  if (o.driverDatabase) {
    h.setValue(["DriverDatabase"], sz("OemInfMap", "x"));
    h.setValue(["DriverDatabase", "DriverInfFiles", "disk.inf"], sz("Active", "disk.inf_amd64_b9e6bd3a8a0f4bda"));
    h.ensureKey(["DriverDatabase", "DeviceIds", "PCI"]);
    h.ensureKey(["DriverDatabase", "DriverPackages"]);
  }
  return h;
}

/** A Windows 7 / 2008 R2-like SYSTEM: no DriverDatabase, VMware and Parallels services, prl_strg filter. */
export const win7System = (): Hive =>
  systemHive({ current: 1, controlSets: [1, 2], services: FOREIGN_GUEST_SERVICES, lowerFilters: ["PartMgr", "prl_strg", "EhStorClass"], autoReboot: 1 });

/** A Windows Server 2022-like SYSTEM: with DriverDatabase. */
export const server2022System = (): Hive =>
  systemHive({ current: 1, controlSets: [1], services: { vmtools: 2, VMCI: 0, Tcpip: 1 }, autoReboot: 1, driverDatabase: true });

export interface AppEntry {
  /** The Uninstall subkey's name. */
  readonly key: string;
  readonly displayName?: string;
  readonly publisher?: string;
  readonly uninstallString?: string;
  /** Under WOW6432Node (a 32-bit installer on 64-bit Windows). */
  readonly wow64?: boolean;
}

export interface SoftwareOptions {
  readonly currentBuildNumber?: string;
  readonly currentBuild?: string;
  readonly apps?: readonly AppEntry[];
  /** Subkey names under Group Policy\History. */
  readonly gpoHistory?: readonly string[];
  /** DevicePath; undefined: no value. */
  readonly devicePath?: string;
  readonly productName?: string;
}

export const VMWARE_TOOLS_GUID = "{9709436B-5A41-4946-8BE7-2AA433CAF108}";
export const VMWARE_TOOLS: AppEntry = {
  key: VMWARE_TOOLS_GUID,
  displayName: "VMware Tools",
  publisher: "VMware, Inc.",
  uninstallString: `MsiExec.exe /I${VMWARE_TOOLS_GUID}`,
};

export function softwareHive(o: SoftwareOptions = {}): Hive {
  const h = newHive("SOFTWARE");
  const cv: KeyPath = ["Microsoft", "Windows NT", "CurrentVersion"];
  h.setValue(cv, sz("ProductName", o.productName ?? "Windows Server 2022 Standard"));
  if (o.currentBuildNumber !== undefined) h.setValue(cv, sz("CurrentBuildNumber", o.currentBuildNumber));
  if (o.currentBuild !== undefined) h.setValue(cv, sz("CurrentBuild", o.currentBuild));
  h.setValue(cv, sz("CurrentVersion", "6.3"));
  const wcv: KeyPath = ["Microsoft", "Windows", "CurrentVersion"];
  h.setValue(wcv, sz("ProgramFilesDir", "C:\\Program Files"));
  if (o.devicePath !== undefined) h.setValue(wcv, expandSz("DevicePath", o.devicePath));
  h.ensureKey([...wcv, "Uninstall"]);
  for (const a of o.apps ?? []) {
    const base: KeyPath = a.wow64 ? ["WOW6432Node", "Microsoft", "Windows", "CurrentVersion", "Uninstall"] : [...wcv, "Uninstall"];
    const key: KeyPath = [...base, a.key];
    h.ensureKey(key);
    if (a.displayName !== undefined) h.setValue(key, sz("DisplayName", a.displayName));
    if (a.publisher !== undefined) h.setValue(key, sz("Publisher", a.publisher));
    if (a.uninstallString !== undefined) h.setValue(key, expandSz("UninstallString", a.uninstallString));
    h.setValue(key, dword("EstimatedSize", 1234));
  }
  for (const g of o.gpoHistory ?? []) h.setValue([...wcv, "Group Policy", "History", g], dword("Version", 1));
  return h;
}

export const BOOTMGR = "{9dea862c-5cdd-4e70-acc1-f32b344d4795}";
export const LOADER_A = "{5a1d4e3c-0b7f-11ef-9c2a-8f0e2b1c3d4e}";
export const LOADER_B = "{7b2e5f4d-1c8a-11ef-8d3b-9a1f3c2d4e5f}";

export interface BcdOptions {
  /** The boot manager's 23000003 element; undefined: the element key is missing. */
  readonly defaultEntry?: string;
  /** Loader objects → whether they carry 16000046 (graphicsmodedisabled). */
  readonly loaders?: Readonly<Record<string, boolean>>;
}

export function bcdHive(o: BcdOptions = {}): Hive {
  const h = newHive("BCD");
  h.setValue(["Description"], dword("System", 1));
  const mgr: KeyPath = ["Objects", BOOTMGR, "Elements"];
  h.setValue(["Objects", BOOTMGR, "Description"], dword("Type", 0x10100002));
  h.setValue([...mgr, "12000004"], sz("Element", "Windows Boot Manager"));
  if (o.defaultEntry !== undefined) h.setValue([...mgr, "23000003"], sz("Element", o.defaultEntry));
  for (const [guid, gfxOff] of Object.entries(o.loaders ?? {})) {
    const el: KeyPath = ["Objects", guid, "Elements"];
    h.setValue(["Objects", guid, "Description"], dword("Type", 0x10200003));
    h.setValue([...el, "12000004"], sz("Element", `Windows Server ${guid.slice(1, 5)}`));
    h.setValue([...el, "22000002"], sz("Element", "\\Windows\\system32\\winload.efi"));
    if (gfxOff) h.setValue([...el, "16000046"], binary("Element", [0x01]));
  }
  return h;
}
