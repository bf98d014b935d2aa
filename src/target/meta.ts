// Pure: combine source, inspection, conversion and the output plan into the target's metadata.
import type { TargetPlan } from "../model/contracts.js";
import type {
  ConversionResult, CpuTopology, Inspection, OutputOptions, Source, TargetDisk, TargetMeta, TargetNic,
} from "../model/types.js";
import { decideTargetFirmware } from "./buses.js";
import { badInput, badOption } from "../model/errors.js";
import { guestNameProblem } from "../model/untrusted.js";
import { deviceName } from "./disk-names.js";
import { decidePlatform } from "./platform.js";

/**
 * The guest's name on the target: -on, else the source's name. It becomes file names and goes
 * into metadata, so it must pass guestNameProblem; a source's name that does not is refused with
 * the way out (-on), and -on itself is checked the same way.
 */
export function targetName(source: Source, opts: Pick<OutputOptions, "name">): string {
  const name = opts.name ?? source.name;
  const problem = guestNameProblem(name);
  if (problem === undefined) return name;
  if (opts.name !== undefined) throw badOption(`-on: ${problem}; choose another name`);
  throw badInput(`${problem} (it comes from the source's metadata); choose a name with -on NAME`);
}

/**
 * The CPU topology to declare, or undefined. A topology whose product differs from the vCPU count
 * is dropped: libvirt refuses such a domain and qemu rejects such an -smp.
 */
export function keepConsistentTopology(vcpus: number, topology: CpuTopology | undefined): CpuTopology | undefined {
  if (!topology) return undefined;
  const product = topology.sockets * topology.coresPerSocket * topology.threadsPerCore;
  return product === vcpus ? topology : undefined;
}

/**
 * Secure Boot on the target: only for a UEFI target whose source booted with it. A BIOS target
 * never gets it, and a source that does not say (-i disk) does not either: enabling it on a guest
 * whose boot chain is not signed would stop it from booting.
 */
export function decideSecureBoot(source: Pick<Source, "secureBoot">, targetFirmware: "bios" | "uefi"): boolean {
  return targetFirmware === "uefi" && source.secureBoot === true;
}

/**
 * Build the TargetMeta. `diskSizes[i]` is the virtual size in bytes of source disk i as copied
 * (the overlay's size, which is authoritative); the source metadata's size is only a fallback.
 */
export function buildTargetMeta(
  source: Source,
  inspection: Inspection,
  conversion: ConversionResult,
  plan: TargetPlan,
  opts: Pick<OutputOptions, "name" | "format">,
  diskSizes: readonly number[],
): TargetMeta {
  const caps = conversion.guestcaps;
  // The converter may know the release better than inspection did (Windows build numbers).
  inspection = conversion.osinfo !== undefined ? { ...inspection, osinfo: conversion.osinfo } : inspection;
  const disks: TargetDisk[] = source.disks.map((d, position) => {
    const size = diskSizes[d.index] ?? d.virtualSizeBytes;
    if (size === undefined) throw new Error(`buildTargetMeta: no virtual size for disk ${d.index} (${d.displayName})`);
    return {
      index: d.index,
      path: plan.diskPaths[d.index],
      format: opts.format,
      bus: caps.blockBus,
      deviceName: deviceName(caps.blockBus, position),
      virtualSizeBytes: size,
    };
  });
  const nics: TargetNic[] = source.nics.map((n) => ({
    ...(n.mac !== undefined ? { mac: n.mac } : {}),
    model: caps.nicModel,
    networkName: n.networkName,
    vnetType: n.vnetType,
  }));
  const cpuTopology = keepConsistentTopology(source.vcpus, source.cpuTopology);
  const firmware = decideTargetFirmware(source.firmware, inspection.firmware);
  return {
    name: targetName(source, opts),
    memoryBytes: source.memoryBytes,
    vcpus: source.vcpus,
    ...(cpuTopology ? { cpuTopology } : {}),
    firmware,
    ...(decideSecureBoot(source, firmware) ? { secureBoot: true as const } : {}),
    // Secure Boot needs SMM, which q35 has; every UEFI target is q35 already (target/buses.ts).
    machine: caps.machine,
    disks,
    nics,
    guestcaps: caps,
    platform: decidePlatform(inspection),
    inspection,
    sourceHypervisor: source.hypervisor,
  };
}
