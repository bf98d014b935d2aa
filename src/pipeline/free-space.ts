// Free-space check before conversion: rebuilding an initramfs needs room in /boot and /.
import type { GuestHandle } from "../model/guest-handle.js";
import { V2vError } from "../model/errors.js";
import type { Inspection } from "../model/types.js";

const MiB = 1024 * 1024;

/** Pure: bytes a mountpoint needs free (virt-v2v 2.2's numbers: / 50 MiB for a Linux guest without a separate /boot, else 100 MiB; any other 10 MiB). */
export function requiredBytes(mountpoint: string, inspection: Inspection): number {
  const hasBoot = inspection.mountpoints.some((m) => m.mountpoint === "/boot");
  if (mountpoint === "/") return (hasBoot || inspection.osType === "windows" ? 100 : 50) * MiB;
  return 10 * MiB;
}

export async function checkFreeSpace(g: GuestHandle, inspection: Inspection): Promise<void> {
  for (const { mountpoint } of inspection.mountpoints) {
    const free = await g.freeBytes(mountpoint).catch(() => undefined);
    if (free === undefined) continue; // swap or a filesystem statvfs cannot read
    const need = requiredBytes(mountpoint, inspection);
    if (free < need) {
      throw new V2vError(
        "NO_SPACE",
        `not enough free space in the guest's ${mountpoint} filesystem: ${Math.floor(free / MiB)} MiB free, ${need / MiB} MiB needed; free some space in the guest and export it again`,
      );
    }
  }
}
