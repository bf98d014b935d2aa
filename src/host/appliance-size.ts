// How big the libguestfs appliance is, decided from the host: vCPUs from the host's CPUs (more
// than 4 does not speed up a conversion's serial steps), memory from its RAM (the initramfs rebuild
// and package removal need about 2 GiB; a small host gets a quarter of its RAM, at least 768 MiB).
import { availableParallelism, totalmem } from "node:os";

export interface ApplianceSize {
  readonly smp: number;
  readonly memoryMiB: number;
}

/** Pure: the appliance size for a host with `cpus` CPUs and `totalMiB` of RAM. */
export function decideApplianceSize(cpus: number, totalMiB: number): ApplianceSize {
  const smp = Math.min(4, Math.max(1, Math.floor(cpus)));
  const memoryMiB = totalMiB >= 8192 ? 2048 : Math.max(768, Math.floor(totalMiB / 4));
  return { smp, memoryMiB };
}

/** The size for this host. */
export const hostApplianceSize = (): ApplianceSize =>
  decideApplianceSize(availableParallelism(), Math.floor(totalmem() / (1024 * 1024)));
