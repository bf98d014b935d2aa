// Remove other hypervisors' guest tools (VMware, Citrix/Xen, VirtualBox) with the guest's own
// package manager (the family's). They are useless on KVM and some of them probe for hardware at
// every boot. A failure is only a warning: the guest still boots with them installed.
import type { GuestHandle } from "../../model/guest-handle.js";
import type { InstalledApp, Inspection } from "../../model/types.js";
import type { PackageManager } from "./family.js";
import type { StepLog } from "../step-log.js";

const TOOL_PACKAGE = /^(open-vm-tools(-.+)?|vmware-tools(-.+)?|xe-guest-utilities(-.+)?|virtualbox-guest-.+)$/;
const REMOVAL_TIMEOUT_MS = 10 * 60_000;

/** Installs that bypassed the package manager, which we do not try to undo offline. */
const UNPACKAGED_TOOLS: readonly { readonly marker: string; readonly what: string }[] = [
  { marker: "/usr/bin/vmware-uninstall-tools.pl", what: "VMware Tools installed from VMware's tarball (run vmware-uninstall-tools.pl)" },
  { marker: "/var/lib/VBoxGuestAdditions/config", what: "VirtualBox Guest Additions installed from the ISO (run the uninstall.sh under /opt/VBoxGuestAdditions-*)" },
];

/** The installed packages that are other hypervisors' guest tools, sorted, each once. */
export function installedToolPackages(apps: readonly InstalledApp[]): readonly string[] {
  return [...new Set(apps.map((a) => a.name))].filter((n) => TOOL_PACKAGE.test(n)).sort();
}

const lastLines = (e: unknown): string => (e instanceof Error ? e.message : String(e)).trim().split("\n").slice(-3).join(" ");

/** Try each of the package manager's scripts until one removes the packages; all failing is a warning. */
async function removePackages(g: GuestHandle, pm: PackageManager, pkgs: readonly string[], log: StepLog): Promise<void> {
  const list = pkgs.join(" ");
  let previous: { program: string; error: unknown } | undefined;
  for (const s of pm.removalScripts(pkgs)) {
    try {
      await g.sh(s.script, { timeoutMs: REMOVAL_TIMEOUT_MS });
      const after = previous ? `, after ${previous.program} refused: ${lastLines(previous.error)}` : "";
      log.change(`removed other hypervisors' guest tools: ${list} (${s.how}${after})`);
      return;
    } catch (error) {
      previous = { program: s.program, error };
    }
  }
  log.warn(`could not remove ${list} from the guest (${lastLines(previous?.error ?? "no removal method")}); `
    + `they are harmless on KVM but you can remove them after the first boot with "${pm.manualRemoval(pkgs)}"`);
}

export async function removeGuestTools(g: GuestHandle, insp: Inspection, pm: PackageManager, log: StepLog): Promise<void> {
  const { remove, kept } = pm.selectRemovals(installedToolPackages(insp.applications), insp);
  if (kept) log.note(kept);
  if (remove.length > 0) await removePackages(g, pm, remove, log);
  for (const t of UNPACKAGED_TOOLS) {
    if (await g.exists(t.marker)) log.warn(`the guest has ${t.what}; remove them after the first boot`);
  }
}
