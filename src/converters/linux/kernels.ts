// Installed kernels (named as the family names them, with /lib/modules/<ver>), their virtio
// drivers, and which one to boot.
import type { GuestHandle } from "../../model/guest-handle.js";
import type { InstalledKernel, KernelNaming } from "./family.js";
import {
  candidateModulePaths, decideDriverSource, parseModulesDep, VIRTIO_MODULES,
  type DriverSource, type VirtioModule,
} from "./virtio-support.js";

export type { InstalledKernel };

/** True when the kernel can boot from a virtio disk and drive a virtio NIC. */
export const supportsVirtio = (k: InstalledKernel): boolean =>
  k.drivers.virtio_blk !== "absent" && k.drivers.virtio_net !== "absent";

/**
 * The newest kernel (in the family's version order, `compare`) that has both virtio_blk and
 * virtio_net; undefined when none has.
 */
export function chooseVirtioKernel(kernels: readonly InstalledKernel[], compare: (a: string, b: string) => number): InstalledKernel | undefined {
  return [...kernels]
    .filter((k) => k.hasModules && supportsVirtio(k))
    .sort((a, b) => compare(b.version, a.version))[0];
}

async function readIfFile(g: GuestHandle, path: string): Promise<string> {
  return (await g.isFile(path)) ? g.readFile(path) : "";
}

async function findDrivers(g: GuestHandle, version: string): Promise<Record<VirtioModule, DriverSource>> {
  const modDir = `/lib/modules/${version}`;
  const modulesDep = parseModulesDep(await readIfFile(g, `${modDir}/modules.dep`));
  const builtin = await readIfFile(g, `${modDir}/modules.builtin`);
  const config = await readIfFile(g, `/boot/config-${version}`);
  const drivers = {} as Record<VirtioModule, DriverSource>;
  for (const name of VIRTIO_MODULES) {
    let hasFile = false;
    for (const rel of candidateModulePaths(name, modulesDep)) {
      if (await g.isFile(`${modDir}/${rel}`)) { hasFile = true; break; }
    }
    drivers[name] = decideDriverSource(hasFile, builtin, config, name);
  }
  return drivers;
}

/** Every kernel image in /boot, with what it can drive. Oldest first is not guaranteed: sort with chooseVirtioKernel. */
export async function listInstalledKernels(g: GuestHandle, naming: KernelNaming): Promise<readonly InstalledKernel[]> {
  const versions = naming.versionsInBoot(await g.ls("/boot"));
  const kernels: InstalledKernel[] = [];
  for (const version of versions) {
    const initrdPath = naming.initrdPath(version);
    const hasModules = await g.isDir(`/lib/modules/${version}`);
    kernels.push({
      version,
      vmlinuz: naming.vmlinuzPath(version),
      ...((await g.isFile(initrdPath)) ? { initrd: initrdPath } : {}),
      hasModules,
      drivers: hasModules
        ? await findDrivers(g, version)
        : { virtio_pci: "absent", virtio_blk: "absent", virtio_scsi: "absent", virtio_net: "absent" },
    });
  }
  return kernels;
}

/** One line per kernel for -v: "6.1.0-13-amd64: virtio_blk=module virtio_net=module ...". */
export const describeKernel = (k: InstalledKernel): string =>
  `${k.version}: ${k.hasModules ? VIRTIO_MODULES.map((m) => `${m}=${k.drivers[m]}`).join(" ") : "no /lib/modules directory"}`;
