// Pure: network configurations pinned to the source NIC's MAC address. An ifcfg file's HWADDR=
// and a NetworkManager keyfile's mac-address= make the profile apply only to a NIC with that
// address; they are removed so that the profile applies to the target's NIC whatever its MAC
// (an output or the user may give it a new one). MACADDR= and cloned-mac-address=, which *set*
// the address, are kept.
import type { ConfigEdit, ConfigEditResult, GuestText } from "./family.js";

export const IFCFG_DIR = "/etc/sysconfig/network-scripts";
export const NM_KEYFILE_DIR = "/etc/NetworkManager/system-connections";

/** ifcfg-*: drop HWADDR= lines. Returns the removed value(s). */
export function removeIfcfgHwaddr(text: string): { text: string; removed: readonly string[] } {
  const removed: string[] = [];
  const kept = text.split("\n").filter((line) => {
    const m = /^\s*HWADDR\s*=\s*["']?([^"'\s]*)["']?\s*$/.exec(line);
    if (m) removed.push(m[1]!);
    return !m;
  });
  return { text: kept.join("\n"), removed };
}

/** *.nmconnection: drop mac-address= in the [ethernet] (or [802-3-ethernet]) section. */
export function removeKeyfileMac(text: string): { text: string; removed: readonly string[] } {
  const removed: string[] = [];
  let section = "";
  const kept = text.split("\n").filter((line) => {
    const header = /^\s*\[([^\]]*)\]/.exec(line);
    if (header) { section = header[1]!; return true; }
    if (section !== "ethernet" && section !== "802-3-ethernet") return true;
    const m = /^\s*mac-address\s*=\s*(\S*)\s*$/.exec(line);
    if (m) removed.push(m[1]!);
    return !m;
  });
  return { text: kept.join("\n"), removed };
}

const WHY = "so that it applies to the target's NIC whatever its MAC address";

function macEdit(name: string, dir: string, names: RegExp, key: string, remove: (t: string) => { text: string; removed: readonly string[] }): ConfigEdit {
  return {
    name,
    dirs: [{ dir, names }],
    apply(files: readonly GuestText[]): ConfigEditResult {
      const written: GuestText[] = [];
      const changes: string[] = [];
      for (const f of files) {
        const r = remove(f.text);
        if (r.removed.length === 0) continue;
        written.push({ path: f.path, text: r.text });
        changes.push(`removed ${key}${r.removed.join(", ")} from ${f.path} ${WHY}`);
      }
      return { written, changes, warnings: [] };
    },
  };
}

/** ifcfg-<name> files (backups such as ifcfg-eth0.bak are not read by the network scripts either). */
export const ifcfgHwaddrEdit: ConfigEdit =
  macEdit("ifcfg HWADDR", IFCFG_DIR, /^ifcfg-(?!lo$)[^.~]+$/, "HWADDR=", removeIfcfgHwaddr);

export const nmKeyfileMacEdit: ConfigEdit =
  macEdit("NetworkManager mac-address", NM_KEYFILE_DIR, /\.nmconnection$/, "mac-address=", removeKeyfileMac);
