// Reads, through the GuestHandle, what windows-volumes.ts decides on: every partition's libblkid
// type and partition table entry. Read-only; a few libguestfs calls per partition.
import { V2vError } from "../model/errors.js";
import type { GuestHandle } from "../model/guest-handle.js";
import type { ScannedPartition, VolumeScan } from "./windows-volumes.js";

export async function scanVolumes(g: GuestHandle): Promise<VolumeScan> {
  const partitions: ScannedPartition[] = [];
  for (const device of await g.listPartitions()) {
    // A partition libblkid fails to probe (blkid's "ambivalent result") is not known to be
    // BitLocker; that must not stop a conversion that only looks for it.
    const vfsType = await g.vfsType(device).catch((e: unknown) => {
      if (e instanceof V2vError && e.code === "GUESTFS") return "";
      throw e;
    });
    partitions.push({ device, vfsType, info: await g.partitionInfo(device) });
  }
  return { devices: await g.listDevices(), partitions };
}
