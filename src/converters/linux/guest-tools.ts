// Remove other hypervisors' guest tools (VMware, Citrix/Xen, VirtualBox) with the guest's own
// package manager. They are useless on KVM and some of them probe for hardware at every boot.
// A failure is only a warning: the guest still boots with them installed.
import type { GuestHandle } from "../../model/guest-handle.js";
import type { InstalledApp, Inspection } from "../../model/types.js";
import { GUEST_SCRIPT_ENV, shellQuote } from "./guest-files.js";
import type { StepLog } from "./step-log.js";

const TOOL_PACKAGE = /^(open-vm-tools(-.+)?|vmware-tools(-.+)?|xe-guest-utilities(-.+)?|virtualbox-guest-.+)$/;

/** Installs that bypassed the package manager, which we do not try to undo offline. */
const UNPACKAGED_TOOLS: readonly { readonly marker: string; readonly what: string }[] = [
  { marker: "/usr/bin/vmware-uninstall-tools.pl", what: "VMware Tools installed from VMware's tarball (run vmware-uninstall-tools.pl)" },
  { marker: "/var/lib/VBoxGuestAdditions/config", what: "VirtualBox Guest Additions installed from the ISO (run the uninstall.sh under /opt/VBoxGuestAdditions-*)" },
];

/** Which installed packages to purge. On Ubuntu the ubuntu-server metapackage needs open-vm-tools, so it stays there. */
export function selectToolPackages(apps: readonly InstalledApp[], distro: string): readonly string[] {
  const names = new Set(apps.map((a) => a.name));
  const keepOpenVmTools = distro === "ubuntu" && names.has("ubuntu-server");
  return [...names]
    .filter((n) => TOOL_PACKAGE.test(n))
    .filter((n) => !(keepOpenVmTools && n.startsWith("open-vm-tools")))
    .sort();
}

/**
 * The /bin/sh script that purges packages with dpkg, as virt-v2v does: dpkg never removes
 * anything not named, and it starts much faster than apt-get (no package cache to load),
 * which counts under TCG.
 */
export const dpkgPurgeScript = (pkgs: readonly string[]): string =>
  `${GUEST_SCRIPT_ENV}\nexport DEBIAN_FRONTEND=noninteractive\ndpkg --purge ${pkgs.map(shellQuote).join(" ")}\n`;

/** Fallback when dpkg refuses (another package depends on a tool): apt-get resolves it. */
export const aptPurgeScript = (pkgs: readonly string[]): string =>
  `${GUEST_SCRIPT_ENV}\nexport DEBIAN_FRONTEND=noninteractive\napt-get -y purge ${pkgs.map(shellQuote).join(" ")}\n`;

const lastLines = (e: unknown): string => (e instanceof Error ? e.message : String(e)).trim().split("\n").slice(-3).join(" ");

export async function removeGuestTools(g: GuestHandle, insp: Inspection, log: StepLog): Promise<void> {
  const pkgs = selectToolPackages(insp.applications, insp.distro);
  if (insp.distro === "ubuntu" && insp.applications.some((a) => a.name === "ubuntu-server")
      && insp.applications.some((a) => a.name === "open-vm-tools")) {
    log.note("kept open-vm-tools: Ubuntu's ubuntu-server metapackage depends on it (it stays idle on KVM)");
  }
  if (pkgs.length > 0) {
    const list = pkgs.join(" ");
    try {
      await g.sh(dpkgPurgeScript(pkgs), { timeoutMs: 10 * 60_000 });
      log.change(`removed other hypervisors' guest tools: ${list} (dpkg --purge)`);
    } catch (dpkgError) {
      try {
        await g.sh(aptPurgeScript(pkgs), { timeoutMs: 10 * 60_000 });
        log.change(`removed other hypervisors' guest tools: ${list} (apt-get purge, after dpkg refused: ${lastLines(dpkgError)})`);
      } catch (aptError) {
        log.warn(`could not remove ${list} from the guest (${lastLines(aptError)}); `
          + `they are harmless on KVM but you can remove them after the first boot with "apt-get purge ${list}"`);
      }
    }
  }
  for (const t of UNPACKAGED_TOOLS) {
    if (await g.exists(t.marker)) log.warn(`the guest has ${t.what}; remove them after the first boot`);
  }
}
