// The Windows converter's read-only look at the guest's volumes, before anything is written: a
// system volume on a dynamic disk is refused (virt-v2v does not support it either); a
// BitLocker-encrypted volume beside the unencrypted system volume only gets a warning, since it
// is copied as it is. A BitLocker system volume, or one on a dynamic disk that ldmtool could not
// map, never gets here: inspection finds no Windows and says why (src/guest/inspect.ts).
import { windowsDynamicDisk } from "../../model/errors.js";
import type { GuestHandle } from "../../model/guest-handle.js";
import type { Inspection, Source } from "../../model/types.js";
import { scanVolumes } from "../../guest/volume-scan.js";
import { bitlockerDataVolumeWarning, bitlockerPartitions, describeDevice, onDynamicDisk } from "../../guest/windows-volumes.js";
import type { StepLog } from "../step-log.js";

export async function checkWindowsVolumes(g: GuestHandle, insp: Inspection, source: Source, log: StepLog): Promise<void> {
  const diskNames = source.disks.map((d) => d.displayName);
  const scan = await scanVolumes(g);
  const root = await g.partitionInfo(insp.root);
  if (onDynamicDisk(insp.root, root)) throw windowsDynamicDisk(describeDevice(insp.root, root, scan.devices, diskNames));
  for (const p of bitlockerPartitions(scan)) log.warn(bitlockerDataVolumeWarning(describeDevice(p.device, p.info, scan.devices, diskNames)));
}
