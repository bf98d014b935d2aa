// Pure decisions about which virtio drivers a kernel has, from its module list, modules.builtin
// and /boot/config-<ver>.

/** The drivers that matter for booting and networking on the target (names as in modprobe). */
export const VIRTIO_MODULES = ["virtio_pci", "virtio_blk", "virtio_scsi", "virtio_net"] as const;
export type VirtioModule = (typeof VIRTIO_MODULES)[number];

/** The Kconfig option that builds each driver. */
const CONFIG_OPTION: Readonly<Record<VirtioModule, string>> = {
  virtio_pci: "CONFIG_VIRTIO_PCI",
  virtio_blk: "CONFIG_VIRTIO_BLK",
  virtio_scsi: "CONFIG_SCSI_VIRTIO",
  virtio_net: "CONFIG_VIRTIO_NET",
};

/** Where Debian's kernels keep each driver, relative to /lib/modules/<ver>, for guests without modules.dep. */
export const USUAL_MODULE_PATHS: Readonly<Record<VirtioModule, string>> = {
  virtio_pci: "kernel/drivers/virtio/virtio_pci",
  virtio_blk: "kernel/drivers/block/virtio_blk",
  virtio_scsi: "kernel/drivers/scsi/virtio_scsi",
  virtio_net: "kernel/drivers/net/virtio_net",
};

/** Module file suffixes: plain, xz (Debian 12) and zstd (Ubuntu 23.10+, Debian 13 may follow). */
export const MODULE_SUFFIXES = [".ko", ".ko.xz", ".ko.zst", ".ko.gz"] as const;

/** How a kernel provides a driver: a module file, built into the kernel, or not at all. */
export type DriverSource = "module" | "builtin" | "absent";

/** Module name from a path such as "kernel/drivers/block/virtio_blk.ko.xz" (dashes become underscores, as modprobe does). */
export function moduleNameOfPath(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1);
  return base.replace(/\.ko(\.(xz|zst|gz))?$/, "").replace(/-/g, "_");
}

/** Module paths named by modules.dep ("path: deps"), keyed by module name. */
export function parseModulesDep(text: string): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const path = line.slice(0, colon).trim();
    out.set(moduleNameOfPath(path), path);
  }
  return out;
}

/** Candidate module files for a driver, relative to /lib/modules/<ver>: modules.dep's entry first. */
export function candidateModulePaths(name: VirtioModule, modulesDep: ReadonlyMap<string, string>): readonly string[] {
  const fromDep = modulesDep.get(name);
  const usual = MODULE_SUFFIXES.map((s) => USUAL_MODULE_PATHS[name] + s);
  return fromDep ? [fromDep, ...usual.filter((p) => p !== fromDep)] : usual;
}

/** True when modules.builtin (one "kernel/.../name.ko" per line) lists the driver. */
export function isListedBuiltin(modulesBuiltin: string, name: VirtioModule): boolean {
  return modulesBuiltin.split("\n").some((line) => line.trim() !== "" && moduleNameOfPath(line.trim()) === name);
}

/**
 * True when /boot/config-<ver> builds the driver into the kernel (=y). "=m" alone is not enough:
 * it only says a module was built, and the module file may be missing from the guest.
 */
export function isConfigBuiltin(config: string, name: VirtioModule): boolean {
  const option = CONFIG_OPTION[name];
  return config.split("\n").some((line) => line.trim() === `${option}=y`);
}

/** Combine the evidence for one driver. */
export function decideDriverSource(hasModuleFile: boolean, builtinList: string, config: string, name: VirtioModule): DriverSource {
  if (hasModuleFile) return "module";
  if (isListedBuiltin(builtinList, name) || isConfigBuiltin(config, name)) return "builtin";
  return "absent";
}
