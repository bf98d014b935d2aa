// Pure: the partition plan of a phony Windows guest, laid out as Windows Setup lays out a disk,
// with every identifier fixed from the recipe name (the MBR disk signature, the GPT disk and
// partition GUIDs), so that SYSTEM\MountedDevices can name C: exactly as Windows does and
// libguestfs maps it back to the same partition. build.ts writes the table with sfdisk.
import { createHash } from "node:crypto";
import type { WindowsRecipe } from "../recipes.js";

export const SECTOR = 512;
const MiB_SECTORS = 2048;

export const GPT_TYPE = {
  esp: "C12A7328-F81F-11D2-BA4B-00A0C93EC93B",
  msr: "E3C9E316-0B5C-4DB8-817D-F92DF00215AE",
  basicData: "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7",
} as const;

/** The MBR partition id of NTFS (IFS). */
export const MBR_NTFS = 0x07;
/** The MBR partition id Windows gives the partitions of a dynamic (LDM) disk. */
export const MBR_LDM = 0x42;

export type WindowsPartitionRole = "system-reserved" | "esp" | "msr" | "windows";

export interface WindowsPartition {
  /** 1-based partition number; the appliance device is /dev/sdaN. */
  readonly number: number;
  readonly role: WindowsPartitionRole;
  readonly startSector: number;
  /** undefined: to the end of the disk. */
  readonly sizeSectors?: number;
  /** The file system made on it (the MSR has none). */
  readonly fs?: "ntfs" | "vfat";
  readonly label?: string;
  /** MBR only: the partition type when it is not NTFS's (a dynamic disk's 0x42). */
  readonly mbrId?: number;
  /** GPT only: the partition type and unique GUIDs, and the name Windows Setup gives it. */
  readonly gptType?: string;
  readonly gptGuid?: string;
  readonly gptName?: string;
}

export interface WindowsLayout {
  readonly table: "mbr" | "gpt";
  readonly sizeBytes: number;
  /** MBR: the 32-bit disk signature at byte 0x1B8. */
  readonly mbrDiskSignature?: number;
  /** GPT: the disk GUID. */
  readonly gptDiskGuid?: string;
  readonly partitions: readonly WindowsPartition[];
  /** The partition holding C:\Windows. */
  readonly windows: WindowsPartition;
  /** The partition holding the boot manager and its BCD store (System Reserved or the ESP). */
  readonly boot: WindowsPartition;
  /** Path of the BCD hive inside `boot`. */
  readonly bcdPath: string;
}

/** Pure: a GUID derived from `seed` (version 4 and variant bits set), upper-case, no braces. */
export function seededGuid(seed: string): string {
  const b = createHash("sha256").update(seed).digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString("hex").toUpperCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Pure: a nonzero 32-bit MBR disk signature derived from `seed`. */
export function seededSignature(seed: string): number {
  return createHash("sha256").update(seed).digest().readUInt32LE(0) || 1;
}

/** Pure: the layout a recipe asks for. Partitions start on 1 MiB boundaries, as Windows Setup aligns them. */
export function planWindowsLayout(r: WindowsRecipe): WindowsLayout {
  const sizeBytes = r.rootDiskGiB * 1024 ** 3;
  if (r.partitioning === "mbr-system-reserved") {
    // A disk made dynamic keeps its system and boot partitions in the MBR, typed 0x42.
    const ldm = r.dynamicDisk ? { mbrId: MBR_LDM } : {};
    const boot: WindowsPartition = { number: 1, role: "system-reserved", startSector: MiB_SECTORS, sizeSectors: 100 * MiB_SECTORS, fs: "ntfs", label: "System Reserved", ...ldm };
    const windows: WindowsPartition = { number: 2, role: "windows", startSector: 101 * MiB_SECTORS, fs: "ntfs", ...ldm };
    return { table: "mbr", sizeBytes, mbrDiskSignature: seededSignature(`${r.name}:disk`), partitions: [boot, windows], windows, boot, bcdPath: "/Boot/BCD" };
  }
  const part = (p: Omit<WindowsPartition, "gptGuid">): WindowsPartition => ({ ...p, gptGuid: seededGuid(`${r.name}:part${p.number}`) });
  const boot = part({ number: 1, role: "esp", startSector: MiB_SECTORS, sizeSectors: 100 * MiB_SECTORS, fs: "vfat", gptType: GPT_TYPE.esp, gptName: "EFI system partition" });
  const msr = part({ number: 2, role: "msr", startSector: 101 * MiB_SECTORS, sizeSectors: 16 * MiB_SECTORS, gptType: GPT_TYPE.msr, gptName: "Microsoft reserved partition" });
  const windows = part({ number: 3, role: "windows", startSector: 117 * MiB_SECTORS, fs: "ntfs", gptType: GPT_TYPE.basicData, gptName: "Basic data partition" });
  return { table: "gpt", sizeBytes, gptDiskGuid: seededGuid(`${r.name}:disk`), partitions: [boot, msr, windows], windows, boot, bcdPath: "/EFI/Microsoft/Boot/BCD" };
}

/** Pure: the sfdisk script that writes the layout's partition table with its fixed identifiers. */
export function renderSfdiskScript(l: WindowsLayout): string {
  const head = l.table === "mbr"
    ? ["label: dos", `label-id: 0x${l.mbrDiskSignature!.toString(16).padStart(8, "0")}`]
    : ["label: gpt", `label-id: ${l.gptDiskGuid!}`];
  const lines = l.partitions.map((p) => {
    const f = [`start=${p.startSector}`];
    if (p.sizeSectors !== undefined) f.push(`size=${p.sizeSectors}`);
    if (l.table === "mbr") {
      f.push(`type=${(p.mbrId ?? MBR_NTFS).toString(16)}`);
      if (p.role === "system-reserved") f.push("bootable");
    } else {
      f.push(`type=${p.gptType!}`, `uuid=${p.gptGuid!}`, `name="${p.gptName!}"`);
    }
    return f.join(", ");
  });
  return `${[...head, "unit: sectors", "", ...lines].join("\n")}\n`;
}

/** Pure: a GUID's 16 bytes as Windows stores them (first three fields little-endian). */
export function guidBytes(guid: string): Buffer {
  const m = /^\{?([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}?$/i.exec(guid);
  if (!m) throw new Error(`"${guid}" is not a GUID`);
  const b = Buffer.alloc(16);
  b.writeUInt32LE(parseInt(m[1]!, 16), 0);
  b.writeUInt16LE(parseInt(m[2]!, 16), 4);
  b.writeUInt16LE(parseInt(m[3]!, 16), 6);
  Buffer.from(m[4]! + m[5]!, "hex").copy(b, 8);
  return b;
}

/**
 * Pure: the SYSTEM\MountedDevices value data that names a partition, as Windows writes it:
 * MBR, 12 bytes: the disk signature (u32 LE) then the partition's byte offset (u64 LE);
 * GPT, 24 bytes: "DMIO:ID:" then the partition's unique GUID.
 */
export function mountedDeviceData(l: WindowsLayout, p: WindowsPartition): Buffer {
  if (l.table === "mbr") {
    const b = Buffer.alloc(12);
    b.writeUInt32LE(l.mbrDiskSignature!, 0);
    b.writeBigUInt64LE(BigInt(p.startSector) * BigInt(SECTOR), 4);
    return b;
  }
  return Buffer.concat([Buffer.from("DMIO:ID:", "latin1"), guidBytes(p.gptGuid!)]);
}
