// dpkg and apt, the Debian family's package manager: which tool packages to remove and the
// scripts that remove them.
import type { InstalledApp, Inspection } from "../../../model/types.js";
import type { PackageManager } from "../family.js";
import { GUEST_SCRIPT_ENV, shellQuote } from "../guest-files.js";
import { installedToolPackages } from "../guest-tools.js";

/** On Ubuntu the ubuntu-server metapackage depends on open-vm-tools, so it stays there. */
const keepsOpenVmTools = (apps: readonly InstalledApp[], distro: string): boolean =>
  distro === "ubuntu" && apps.some((a) => a.name === "ubuntu-server");

const withoutKept = (tools: readonly string[], apps: readonly InstalledApp[], distro: string): readonly string[] =>
  keepsOpenVmTools(apps, distro) ? tools.filter((n) => !n.startsWith("open-vm-tools")) : tools;

/** Which installed packages to purge. */
export const selectToolPackages = (apps: readonly InstalledApp[], distro: string): readonly string[] =>
  withoutKept(installedToolPackages(apps), apps, distro);

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

export const debianPackages: PackageManager = {
  selectRemovals(tools, insp: Inspection) {
    const remove = withoutKept(tools, insp.applications, insp.distro);
    const kept = keepsOpenVmTools(insp.applications, insp.distro) && insp.applications.some((a) => a.name === "open-vm-tools")
      ? "kept open-vm-tools: Ubuntu's ubuntu-server metapackage depends on it (it stays idle on KVM)"
      : undefined;
    return kept ? { remove, kept } : { remove };
  },
  removalScripts: (pkgs) => [
    { program: "dpkg", how: "dpkg --purge", script: dpkgPurgeScript(pkgs) },
    { program: "apt-get", how: "apt-get purge", script: aptPurgeScript(pkgs) },
  ],
  manualRemoval: (pkgs) => `apt-get purge ${pkgs.join(" ")}`,
};
