// The initramfs step: make the chosen kernel's initramfs load the virtio drivers and rebuild it
// with the family's tool (linux/<family>/), keeping the previous image as <initrd>.pre-v2v.
// Without this, a kernel whose drivers are modules cannot find its root disk on virtio.
import type { GuestHandle } from "../../model/guest-handle.js";
import { V2vError } from "../../model/errors.js";
import type { LinuxFamily } from "./family.js";
import type { InstalledKernel } from "./kernels.js";
import type { StepLog } from "../step-log.js";
import { VIRTIO_MODULES } from "./virtio-support.js";

/** Compressing a MODULES=most image is slow under TCG. */
export const REBUILD_TIMEOUT_MS = 30 * 60_000;

/** The virtio modules this kernel has (as a file or built in), in a stable order. */
export const presentModules = (k: InstalledKernel): readonly string[] => VIRTIO_MODULES.filter((m) => k.drivers[m] !== "absent");

export async function rebuildInitramfs(g: GuestHandle, k: InstalledKernel, family: LinuxFamily, log: StepLog): Promise<void> {
  const builder = await family.initramfs.findBuilder(g, k);
  if (k.initrd) {
    await g.cp(k.initrd, `${k.initrd}.pre-v2v`);
    log.change(`kept the previous initramfs as ${k.initrd}.pre-v2v`);
  }
  const target = k.initrd ?? family.kernels.initrdPath(k.version);
  const modules = presentModules(k);
  await builder.rebuild(g, k, target, modules, log);
  if (!(await g.isFile(target))) {
    throw new V2vError("CONVERSION",
      `rebuilding the initramfs of kernel ${k.version} did not produce ${target}; check ${family.initramfs.configDir} in the guest and convert it again.`);
  }
  log.change(`rebuilt ${target} with ${modules.join(", ")}`);
}
