// Remove device caches that still name the source's disks: blkid's cache and LVM's metadata cache
// and devices file. LVM 2.03.12+ only scans the devices listed in system.devices, so a stale one
// can hide the root volume group on the new bus; it is removed before the initramfs is rebuilt so
// no copy of it ends up inside. /etc/udev/rules.d/70-persistent-net.rules is left alone (as
// virt-v2v does): it pins interface names to MAC addresses, and the outputs keep the source MACs.
import type { GuestHandle } from "../../model/guest-handle.js";
import type { StepLog } from "../step-log.js";

export const STALE_CACHE_FILES = [
  "/etc/blkid.tab",
  "/etc/blkid/blkid.tab",
  "/etc/lvm/cache/.cache",
  "/etc/lvm/devices/system.devices",
] as const;

export async function removeStaleCaches(g: GuestHandle, log: StepLog): Promise<void> {
  for (const path of STALE_CACHE_FILES) {
    if (!(await g.isFile(path))) continue;
    await g.rm(path);
    log.change(`removed ${path}, a device cache that names the source disks`);
  }
}
