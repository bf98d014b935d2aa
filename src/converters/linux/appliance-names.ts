// The names the appliance's kernel gives the guest's disks. libguestfs calls them /dev/sda,
// /dev/sdb ... in the order they were added, but the kernel may enumerate them otherwise (seen
// here: the guest disk came up as /dev/sdb, behind the appliance's own disk). libguestfs
// translates in its API; programs run inside the guest (grub-probe in update-grub) see the
// kernel's names and write them into grub.cfg. To undo such a leak we need those names.
import type { GuestHandle } from "../../model/guest-handle.js";
import { shellQuote } from "../../guest/parse-output.js";
import type { Inspection } from "../../model/types.js";

/** Pure: the whole disk of a partition ("/dev/sda1" -> "/dev/sda", "/dev/nvme0n1p2" -> "/dev/nvme0n1"). */
export function diskOfPartition(device: string): string | undefined {
  const m = /^(\/dev\/(?:[shvx]d[a-z]+|nvme\d+n\d+))(?:p?\d+)?$/.exec(device);
  return m?.[1];
}

/**
 * Pure: for each libguestfs disk, the kernel's name for it, from (libguestfs device, kernel device)
 * pairs of mounted filesystems. A disk with no mounted filesystem keeps its libguestfs name.
 */
export function mapKernelDiskNames(libguestfsDisks: readonly string[], pairs: readonly { guestfs: string; kernel: string }[]): string[] {
  const map = new Map<string, string>();
  for (const p of pairs) {
    const from = diskOfPartition(p.guestfs);
    const to = diskOfPartition(p.kernel);
    if (from && to) map.set(from, to);
  }
  return libguestfsDisks.map((d) => map.get(d) ?? d);
}

/** Ask the kernel (findmnt inside the guest) which device each inspected mountpoint is on. */
export async function findKernelDiskNames(g: GuestHandle, insp: Inspection, libguestfsDisks: readonly string[]): Promise<string[]> {
  const pairs: { guestfs: string; kernel: string }[] = [];
  for (const { mountpoint, device } of insp.mountpoints) {
    const out = await g.sh(`findmnt -n -o SOURCE --mountpoint ${shellQuote(mountpoint)} || true`).catch(() => "");
    const kernel = out.trim().split("\n")[0];
    if (kernel) pairs.push({ guestfs: device, kernel });
  }
  return mapKernelDiskNames(libguestfsDisks, pairs);
}
