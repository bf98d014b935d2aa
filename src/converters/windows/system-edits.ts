// Pure: the SYSTEM hive edits that let Windows boot from a virtio disk, and the ones that quiet
// the old hypervisor. Each function returns what it changed, one sentence per change; a key
// the guest lacks gives a note, not a failure (minimal hives exist, and virt-v2v carries on too).
//
// Boot driver. Windows starts a boot-start (Start 0) storage driver only if it knows which
// device it drives before PnP runs:
// - up to Windows 7 / 2008 R2, through the CriticalDeviceDatabase: one key per hardware id,
//   naming the service and the device class;
// - from Windows 8, through the DriverDatabase: a driver package (DriverInfFiles,
//   DriverPackages with its configuration and descriptors) that the hardware ids in DeviceIds
//   point to. We register a small package of our own, "v2v<driver>.inf", for that purpose;
//   pnputil installs the real package at first boot and takes over.
import type { Hive, KeyPath } from "../../registry/hive.js";
import { binary, dword, expandSz, multiSz, sz, valueDword, valueMultiSz, valueString } from "../../registry/values.js";
import { V2vError } from "../../model/errors.js";
import { quoteForMessage } from "../../model/untrusted.js";
import type { DriverInfo } from "./virtio-win/inf.js";

const CONTROL_SET = /^ControlSet[0-9]{3}$/;
const CLASS_GUID = /^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$/;
const HARDWARE_ID = /^(PCI|ACPI)\\[A-Za-z0-9_&]+$/;
const SERVICE_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** SCSIAdapter: the class of storage miniports. */
export const SCSI_ADAPTER_CLASS = "{4D36E97B-E325-11CE-BFC1-08002BE10318}";
/** The disk drive class, whose LowerFilters Parallels' prl_strg joins. */
const DISK_DRIVE_CLASS = "{4d36e967-e325-11ce-bfc1-08002be10318}";

/** The control set Windows boots with: Select\Current, as libguestfs also reads it. */
export function currentControlSet(system: Hive, fromInspection?: string): string {
  // Inspection's answer must exist in this hive: a control set Windows does not boot would get
  // the boot driver, and the guest would stop with 0x7B.
  if (fromInspection && CONTROL_SET.test(fromInspection) && system.hasKey([fromInspection])) return fromInspection;
  const n = valueDword(system.value(["Select"], "Current"));
  const name = n !== undefined ? `ControlSet${String(n).padStart(3, "0")}` : "";
  if (!CONTROL_SET.test(name) || !system.hasKey([name])) {
    throw new V2vError("CONVERSION", `the SYSTEM hive has no usable current control set (Select\\Current = ${n ?? "missing"}); check the guest's registry`);
  }
  return name;
}

/** The bytes of a GUID as Windows stores it in binary values (first three fields little-endian). */
export function guidBytes(guid: string): Buffer {
  if (!CLASS_GUID.test(guid)) throw new Error(`guidBytes: ${guid} is not a {GUID}`);
  const hex = guid.slice(1, -1).split("-");
  const le = (h: string): number[] => (h.match(/../g) ?? []).map((b) => parseInt(b, 16)).reverse();
  const be = (h: string): number[] => (h.match(/../g) ?? []).map((b) => parseInt(b, 16));
  return Buffer.from([...le(hex[0]!), ...le(hex[1]!), ...le(hex[2]!), ...be(hex[3]!), ...be(hex[4]!)]);
}

export interface BootDriverChoice {
  /** The service name, which is also the .sys name: "viostor". */
  readonly service: string;
  readonly info: DriverInfo;
}

/** Pure check of what goes into the registry: the facts come from an .inf the user supplied. */
function checkedDriver(d: BootDriverChoice): { service: string; classGuid: string; ids: string[] } {
  if (!SERVICE_NAME.test(d.service)) throw new V2vError("CONVERSION", `the boot driver name ${quoteForMessage(d.service)} is not a service name`);
  const classGuid = d.info.classGuid && CLASS_GUID.test(d.info.classGuid) ? d.info.classGuid.toUpperCase() : SCSI_ADAPTER_CLASS;
  const ids = d.info.hardwareIds.filter((id) => HARDWARE_ID.test(id) && id.startsWith("PCI\\"));
  if (ids.length === 0) throw new V2vError("CONVERSION", `the ${d.service} driver's .inf names no PCI hardware id; check the virtio-win drivers`);
  return { service: d.service, classGuid, ids };
}

/**
 * Register the boot disk driver for the hardware ids of its .inf (or the well-known virtio ids):
 * its service with Start 0, and the CriticalDeviceDatabase or DriverDatabase entries that tie
 * the ids to it: DriverDatabase entries when the hive has that key (Windows 8+), else the
 * CriticalDeviceDatabase.
 */
export function registerBootDriver(system: Hive, ccs: string, choice: BootDriverChoice): string[] {
  const { service, classGuid, ids } = checkedDriver(choice);
  const changes: string[] = [];
  const svc: KeyPath = [ccs, "Services", service];
  system.setValue(svc, dword("Type", 1)); // kernel driver
  system.setValue(svc, dword("Start", 0)); // boot start
  system.setValue(svc, dword("ErrorControl", 1));
  system.setValue(svc, sz("Group", "SCSI miniport"));
  system.setValue(svc, expandSz("ImagePath", `system32\\drivers\\${service}.sys`));
  changes.push(`registered the ${service} service to start at boot (${ccs}\\Services\\${service}, Start 0)`);

  if (!system.hasKey(["DriverDatabase"])) {
    for (const id of ids) {
      const key: KeyPath = [ccs, "Control", "CriticalDeviceDatabase", id.replace(/\\/g, "#").toLowerCase()];
      system.setValue(key, sz("Service", service));
      system.setValue(key, sz("ClassGUID", classGuid));
    }
    changes.push(`added ${ids.length} CriticalDeviceDatabase entries for ${service} (${ids.join(", ")})`);
    return changes;
  }

  const inf = `v2v${service}.inf`;
  const pkg = `${inf}_v2v`;
  const conf = `v2v${service}_conf`;
  const db: KeyPath = ["DriverDatabase"];
  system.setValue([...db, "DriverInfFiles", inf], multiSz("", [pkg]));
  system.setValue([...db, "DriverInfFiles", inf], sz("Active", pkg));
  system.setValue([...db, "DriverInfFiles", inf], multiSz("Configurations", [conf]));
  const p: KeyPath = [...db, "DriverPackages", pkg];
  system.setValue(p, sz("", inf));
  // Version: an 8-byte header, the class GUID in binary form, then the driver date and version
  // (left zero: this stand-in package only has to bind the device until pnputil installs the real one).
  system.setValue(p, binary("Version", Buffer.concat([Buffer.from([0x00, 0xff, 0x09, 0x00, 0, 0, 0, 0]), guidBytes(classGuid), Buffer.alloc(24)])));
  system.setValue(p, sz("Provider", "v2v"));
  system.setValue([...p, "Configurations", conf], dword("ConfigFlags", 0));
  system.setValue([...p, "Configurations", conf], sz("Service", service));
  for (const id of ids) {
    const parts = id.split("\\");
    system.setValue([...db, "DeviceIds", ...parts], binary(inf, [0x01, 0xff, 0x00, 0x00]));
    system.setValue([...p, "Descriptors", ...parts], sz("Configuration", conf));
  }
  changes.push(`added the DriverDatabase package ${pkg} binding ${ids.join(", ")} to ${service}`);
  return changes;
}

/** Services of other hypervisors that must not start on KVM (their devices are gone). */
export const FOREIGN_SERVICES: readonly string[] = [
  // Parallels / Virtuozzo
  "prl_boot", "prl_dd", "prl_eth5", "prl_fs", "prl_memdev", "prl_mouf", "prl_pv32", "prl_pv64", "prl_scsi",
  "prl_sound", "prl_strg", "prl_tg", "prl_time", "prl_uprof", "prl_va",
  // the old Red Hat SCSI driver
  "rhelscsi",
  // VMware Tools' device drivers and services (the tools are uninstalled at first boot)
  "vmci", "vm3dmp", "vmmemctl", "vmhgfs", "vmmouse", "vmusbmouse", "vmrawdsk", "vmx_svga", "vmxnet", "vmxnet3ndis6",
  "vmtools", "vmvss", "VGAuthService", "vsepflt", "vnetWFP",
];

/** Set Start 4 (disabled) on the other hypervisors' services the guest has; take prl_strg out of the disk filters. */
export function disableForeignServices(system: Hive, ccs: string): string[] {
  const services = system.subkeys([ccs, "Services"]) ?? [];
  const present = new Map(services.map((s) => [s.toLowerCase(), s]));
  const disabled: string[] = [];
  for (const name of FOREIGN_SERVICES) {
    const actual = present.get(name.toLowerCase());
    if (actual === undefined) continue;
    if (valueDword(system.value([ccs, "Services", actual], "Start")) === 4) continue;
    system.setValue([ccs, "Services", actual], dword("Start", 4));
    disabled.push(actual);
  }
  const changes = disabled.length > 0 ? [`disabled the services of the previous hypervisor: ${disabled.join(", ")}`] : [];
  const cls: KeyPath = [ccs, "Control", "Class", DISK_DRIVE_CLASS];
  const filters = valueMultiSz(system.value(cls, "LowerFilters"));
  if (filters?.some((f) => f.toLowerCase() === "prl_strg")) {
    system.setValue(cls, multiSz("LowerFilters", filters.filter((f) => f.toLowerCase() !== "prl_strg")));
    changes.push("removed prl_strg from the disk drive class's LowerFilters");
  }
  return changes;
}

/** Stop Windows rebooting by itself after a crash, so a 0x7B on first boot stays on screen. */
export function keepCrashScreen(system: Hive, ccs: string): string[] {
  const key: KeyPath = [ccs, "Control", "CrashControl"];
  if (valueDword(system.value(key, "AutoReboot")) === 0) return [];
  system.setValue(key, dword("AutoReboot", 0));
  return ["set CrashControl\\AutoReboot to 0 (a boot failure stays on screen)"];
}

/** Append the VirtIO driver folder to the PnP search path (SOFTWARE), once. */
export function appendDevicePath(software: Hive, folder = "%SystemRoot%\\Drivers\\VirtIO"): string[] {
  const key: KeyPath = ["Microsoft", "Windows", "CurrentVersion"];
  const current = valueString(software.value(key, "DevicePath"));
  const given = (current ?? "").split(";").filter((p) => p.length > 0);
  // Windows' own default when the value is missing or empty: keep the inbox .inf folder searched.
  const parts = given.length > 0 ? given : ["%SystemRoot%\\inf"];
  if (parts.some((p) => p.toLowerCase() === folder.toLowerCase())) return [];
  software.setValue(key, expandSz("DevicePath", [...parts, folder].join(";")));
  return [`appended ${folder} to DevicePath`];
}
