// GPT partition type GUIDs v2v acts on, and the one way it reads a partition's type (blkid's
// PART_ENTRY_TYPE, upper-case). Used by inspection (BIOS or UEFI) and by the Windows converter
// (which partitions are EFI System Partitions).
import type { GuestHandle } from "../model/guest-handle.js";

/** EFI System Partition. */
export const ESP_TYPE_GUID = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";
/** GRUB's BIOS boot partition on a GPT disk: its presence means the guest boots through the BIOS. */
export const BIOS_BOOT_TYPE_GUID = "21686148-6449-6E6F-744E-656564454649";

/** The partition's GPT type GUID (upper-case), or "" when blkid finds none (MBR, not a partition, unreadable). */
export async function partitionTypeGuid(g: GuestHandle, device: string): Promise<string> {
  const tags = await g.blkid(device).catch(() => ({}) as Record<string, string>);
  return (tags["PART_ENTRY_TYPE"] ?? "").toUpperCase();
}
