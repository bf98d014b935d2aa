// Pure: what the SOFTWARE hive says before anything changes (virt-v2v's read-only pre-scan):
// the exact build, the other hypervisors' tools to uninstall at first boot, and the Group Policy
// and antivirus software that may stop Windows from booting on a new disk controller (0x7B).
// The hive is the guest's: every string read here is untrusted and is checked again where it
// reaches a script (firstboot/scripts.ts).
import type { Hive, KeyPath } from "../../registry/hive.js";
import { valueString } from "../../registry/values.js";
import type { FirstbootUninstaller } from "./firstboot/scripts.js";

export const CURRENT_VERSION: KeyPath = ["Microsoft", "Windows NT", "CurrentVersion"];
export const WINDOWS_CURRENT_VERSION: KeyPath = ["Microsoft", "Windows", "CurrentVersion"];
const UNINSTALL_KEYS: readonly KeyPath[] = [
  [...WINDOWS_CURRENT_VERSION, "Uninstall"],
  ["WOW6432Node", "Microsoft", "Windows", "CurrentVersion", "Uninstall"],
];
const GPO_HISTORY: KeyPath = [...WINDOWS_CURRENT_VERSION, "Group Policy", "History"];
/** The Xen PV drivers' uninstall entry, by its key name. */
export const XEN_PV_KEY = "Red Hat Paravirtualized Xen Drivers for Windows(R)";

const GUID = /^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$/;
const MSI_INSTALL = /^msiexec(?:\.exe)?\s+\/[IX]\s*(\{[0-9A-Fa-f-]{36}\})\s*$/i;
const ANTIVIRUS = /virus|kaspersky|mcafee|norton|sophos/i;

export interface InstalledApp {
  /** The Uninstall subkey's name (a product GUID for MSI packages). */
  readonly key: string;
  readonly displayName?: string;
  readonly publisher?: string;
  readonly uninstallString?: string;
}

export interface SoftwareScan {
  /** CurrentBuildNumber (7601, 20348 ...), when the hive has a number there. */
  readonly build?: number;
  readonly apps: readonly InstalledApp[];
  /** Uninstallers of other hypervisors' tools, for the first-boot scripts. */
  readonly uninstallers: readonly FirstbootUninstaller[];
  /** Tools found whose uninstall string could not be used, one sentence each. */
  readonly notes: readonly string[];
  /** Group Policy objects have been applied (a GUID under Group Policy\History). */
  readonly groupPolicy: boolean;
  /** Names of antivirus products. */
  readonly antivirus: readonly string[];
}

export function installedApps(software: Hive): InstalledApp[] {
  const apps: InstalledApp[] = [];
  for (const base of UNINSTALL_KEYS) {
    for (const key of software.subkeys(base) ?? []) {
      const get = (name: string): string | undefined => valueString(software.value([...base, key], name));
      const displayName = get("DisplayName");
      const publisher = get("Publisher");
      const uninstallString = get("UninstallString");
      apps.push({
        key,
        ...(displayName !== undefined ? { displayName } : {}),
        ...(publisher !== undefined ? { publisher } : {}),
        ...(uninstallString !== undefined ? { uninstallString } : {}),
      });
    }
  }
  return apps;
}

/** Which other-hypervisor tools an app is, by its display name; undefined for anything else. */
export function toolsKind(app: InstalledApp): "vmware" | "parallels" | "virtuozzo" | "xen-pv" | undefined {
  if (app.key.toLowerCase() === XEN_PV_KEY.toLowerCase()) return "xen-pv"; // key names are case-insensitive
  const name = app.displayName ?? "";
  if (/^VMware Tools\b/i.test(name)) return "vmware";
  if (/^Parallels Tools\b/i.test(name)) return "parallels";
  if (/^Virtuozzo Tools\b/i.test(name)) return "virtuozzo";
  return undefined;
}

/**
 * The command that removes an app silently, or a sentence saying why there is none. MSI
 * packages (`MsiExec.exe /I{GUID}`) become `/X{GUID}` with quiet, no-restart options; the Xen PV
 * drivers' uninst.exe is run as _uninst.exe (its installer copies itself under that name).
 */
export function uninstallCommand(app: InstalledApp, kind: NonNullable<ReturnType<typeof toolsKind>>): { command: string } | { problem: string } {
  const s = app.uninstallString?.trim();
  if (!s) return { problem: `${app.displayName ?? app.key} has no UninstallString` };
  const msi = MSI_INSTALL.exec(s);
  if (msi && GUID.test(msi[1]!)) {
    const extra = kind === "parallels" ? " PREVENT_REBOOT=Yes LAUNCHED_BY_SETUP_EXE=Yes" : "";
    return { command: `MsiExec.exe /X${msi[1]!.toUpperCase()} /quiet /norestart REBOOT=ReallySuppress REMOVE=ALL${extra}` };
  }
  if (kind === "xen-pv") {
    const m = /^"?([A-Za-z]:\\[^"]*\\)uninst\.exe"?(.*)$/i.exec(s);
    if (m) return { command: `"${m[1]}_uninst.exe"${m[2]!.trimEnd()}` };
  }
  return { problem: `the uninstall string of ${app.displayName ?? app.key} is not one v2v knows how to run silently` };
}

export function scanSoftware(software: Hive): SoftwareScan {
  const buildText = valueString(software.value(CURRENT_VERSION, "CurrentBuildNumber")) ?? valueString(software.value(CURRENT_VERSION, "CurrentBuild"));
  const build = buildText !== undefined && /^[0-9]{1,6}$/.test(buildText) ? Number(buildText) : undefined;
  const apps = installedApps(software);
  const uninstallers: FirstbootUninstaller[] = [];
  const notes: string[] = [];
  for (const app of apps) {
    const kind = toolsKind(app);
    if (!kind) continue;
    const u = uninstallCommand(app, kind);
    if ("command" in u) uninstallers.push({ name: app.displayName ?? kind, command: u.command });
    else notes.push(`${u.problem}: remove it by hand after the first boot`);
  }
  const groupPolicy = (software.subkeys(GPO_HISTORY) ?? []).some((k) => GUID.test(k));
  const antivirus = apps
    .filter((a) => ANTIVIRUS.test(a.displayName ?? "") || a.publisher === "AVG Technologies")
    .map((a) => a.displayName ?? a.key);
  return { ...(build !== undefined ? { build } : {}), apps, uninstallers, notes, groupPolicy, antivirus };
}
