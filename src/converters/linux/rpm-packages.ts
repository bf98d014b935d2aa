// rpm as the package manager of the RHEL, SUSE and ALT families: which guest tools to remove and
// the script that removes them, as virt-v2v does, with "rpm -e --allmatches" run inside the guest.
import type { InstalledApp } from "../../model/types.js";
import type { PackageManager } from "./family.js";
import { GUEST_SCRIPT_ENV, shellQuote } from "./guest-files.js";
import { installedToolPackages } from "./guest-tools.js";

/**
 * The names VMware and Xen tools have in RPM distributions, besides the common ones
 * (guest-tools.ts): VMware's own tools packages and kernel modules, Xen's PV drivers.
 */
const RPM_TOOL_PACKAGE = /^(vmware-tools-.+|VMwareTools|kmod-vmware-tools.*|open-vm-tools|open-vm-tools-.+|kmod-xenpv.*|xe-guest-utilities.*)$/;

/** The installed packages to remove, sorted, each once. */
export function rpmToolPackages(apps: readonly InstalledApp[]): readonly string[] {
  const own = apps.map((a) => a.name).filter((n) => RPM_TOOL_PACKAGE.test(n));
  return [...new Set([...installedToolPackages(apps), ...own])].sort();
}

/**
 * The removal script. The Berkeley DB environment files (__db.00N) of the source's rpm database
 * may still hold the running source's locks; rpm would wait on them, so they go first (rpm
 * recreates them). --allmatches removes every installed version of a name (multilib pairs).
 */
export const rpmEraseScript = (pkgs: readonly string[]): string =>
  `${GUEST_SCRIPT_ENV}\nrm -f /var/lib/rpm/__db.00?\nrpm -e --allmatches ${pkgs.map(shellQuote).join(" ")}\n`;

/** The RPM families' package manager; `manual` is the family's command for the user ("dnf remove"). */
export function rpmPackageManager(manual: string): PackageManager {
  return {
    selectRemovals: (_tools, insp) => ({ remove: rpmToolPackages(insp.applications) }),
    removalScripts: (pkgs) => [{ program: "rpm", how: "rpm -e --allmatches", script: rpmEraseScript(pkgs) }],
    manualRemoval: (pkgs) => `${manual} ${pkgs.join(" ")}`,
  };
}
