// SUSE's /etc/sysconfig/kernel: INITRD_MODULES (and DOMU_INITRD_MODULES, used for Xen guests) list
// the modules mkinitrd puts into every initramfs. Xen's block and network drivers are of no use on
// KVM, and the virtio ones must be there for the root disk (VIRT-V2V.md §4.2 step 4).
import type { ConfigEdit, ConfigEditResult, GuestText } from "../family.js";

export const SUSE_SYSCONFIG_KERNEL = "/etc/sysconfig/kernel";

/** Xen's paravirtual drivers as SUSE names them ("-" and "_" are the same to modprobe). */
const XEN_MODULES = new Set(["xennet", "xen_vnif", "xenblk", "xen_vbd"]);
const isXen = (m: string): boolean => XEN_MODULES.has(m.replace(/-/g, "_"));

export interface InitrdModulesEdit {
  readonly text: string;
  readonly removed: readonly string[];
  readonly added: readonly string[];
}

/**
 * Pure: drop the Xen modules from INITRD_MODULES and DOMU_INITRD_MODULES, and add `virtio` (the
 * chosen kernel's virtio modules) to INITRD_MODULES when it lacks them. Quotes are kept as found.
 */
export function editInitrdModules(text: string, virtio: readonly string[]): InitrdModulesEdit {
  const removed: string[] = [];
  const added: string[] = [];
  const out = text.split("\n").map((line) => {
    const m = /^(\s*)((?:DOMU_)?INITRD_MODULES)(\s*=\s*)(["']?)([^"']*)\4(\s*(?:#.*)?)$/.exec(line);
    if (!m) return line;
    const [, lead, key, eq, quote, value, tail] = m as unknown as [string, string, string, string, string, string, string];
    const words = value.split(/\s+/).filter((w) => w !== "");
    const kept = words.filter((w) => !isXen(w));
    removed.push(...words.filter(isXen));
    const adding = key === "INITRD_MODULES" ? virtio.filter((v) => !kept.some((w) => w.replace(/-/g, "_") === v)) : [];
    added.push(...adding);
    if (kept.length === words.length && adding.length === 0) return line;
    const q = quote === "" ? '"' : quote; // a list of several words needs quotes
    return `${lead}${key}${eq}${q}${[...kept, ...adding].join(" ")}${q}${tail}`;
  });
  return { text: out.join("\n"), removed, added };
}

export const initrdModulesEdit: ConfigEdit = {
  name: "INITRD_MODULES",
  paths: [SUSE_SYSCONFIG_KERNEL],
  apply(files: readonly GuestText[], facts): ConfigEditResult {
    const f = files.find((x) => x.path === SUSE_SYSCONFIG_KERNEL);
    if (!f) return { written: [], changes: [], warnings: [] };
    const r = editInitrdModules(f.text, facts.virtioModules);
    if (r.text === f.text) return { written: [], changes: [], warnings: [] };
    const parts = [
      ...(r.removed.length > 0 ? [`removed the Xen drivers ${r.removed.join(", ")}`] : []),
      ...(r.added.length > 0 ? [`added ${r.added.join(", ")} to INITRD_MODULES`] : []),
    ];
    return { written: [{ path: f.path, text: r.text }], changes: [`${parts.join(" and ")} in ${f.path}`], warnings: [] };
  },
};
