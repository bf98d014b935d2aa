// Pure: a recipe's disk layout (partitions, file systems, mountpoints) and the guest files that
// follow from it (fstab, /etc/default/grub). build.ts carries the plan out with libguestfs.
import { createHash } from "node:crypto";
import type { DebianRecipe, DeviceNaming } from "../recipes.js";

export interface PartitionPlan {
  /** Appliance device of the partition: "/dev/sda1". The guest sees the same name on SCSI/SATA/IDE. */
  readonly device: string;
  /** Size in MiB; undefined = the rest of the disk. */
  readonly sizeMiB?: number;
  /** GPT partition type GUID (the ESP), when not the default. */
  readonly gptType?: string;
  /** msdos partition id for LVM physical volumes (0x8e), when not the default. */
  readonly mbrId?: number;
}

export interface DiskPlanEntry {
  readonly index: number;
  /** "/dev/sda", "/dev/sdb". */
  readonly device: string;
  readonly sizeGiB: number;
  readonly table: "mbr" | "gpt";
  readonly partitions: readonly PartitionPlan[];
}

export interface FilesystemPlan {
  /** Appliance device to mkfs and mount: "/dev/sda1", "/dev/vg0/root". */
  readonly device: string;
  /** How the guest names it when fstab uses device names: "/dev/sda1", "/dev/mapper/vg0-root". */
  readonly guestDevice: string;
  readonly type: "ext4" | "vfat" | "swap";
  readonly label: string;
  /** "none" for swap. */
  readonly mountpoint: string;
  readonly options: string;
  readonly pass: 0 | 1 | 2;
  readonly naming: DeviceNaming;
  /** For "by-id" naming: the /dev/disk/by-id link the source hypervisor's disk gave the partition. */
  readonly byId?: string;
}

export interface GuestLayout {
  readonly disks: readonly DiskPlanEntry[];
  /** LVM: the physical volume and the logical volumes to create on it. */
  readonly lvm?: { readonly pv: string; readonly vg: string; readonly lvs: readonly { name: string; sizeMiB?: number }[] };
  /** Sorted by mountpoint depth: "/" first, so mounting in order works. */
  readonly filesystems: readonly FilesystemPlan[];
  /** Whole disk grub is installed on (BIOS). */
  readonly bootDisk: string;
}

export const ESP_GPT_TYPE = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";

const depth = (mp: string): number => (mp === "/" ? 0 : mp.split("/").length - 1);

/** The disk name prefix the guest's kernel used on its source hypervisor: xvd on Xen, sd on VMware. */
export const sourceDiskPrefix = (r: DebianRecipe): string => (r.origin === "xen" ? "xvd" : "sd");

/** Pure: how the guest names an appliance partition ("/dev/sda2" -> "/dev/xvda2" on Xen). */
export const guestDeviceOf = (r: DebianRecipe, device: string): string => device.replace(/^\/dev\/sd/, `/dev/${sourceDiskPrefix(r)}`);

/**
 * Pure: the by-id link of partition `part` of disk `index`, as a VMware SCSI disk gives it: NAA
 * type 6 with VMware's OUI (6000c29), the rest derived from the recipe so builds are reproducible.
 */
export function vmwareById(r: DebianRecipe, index: number, part: number): string {
  const tail = createHash("sha256").update(`${r.name}:${index}`).digest("hex").slice(0, 25);
  return `/dev/disk/by-id/scsi-36000c29${tail}-part${part}`;
}

const ROOT_DISK_RESERVED_MIB = 2; // the 1 MiB before the first partition, and GPT's backup table

/** Pure: the layout a recipe asks for. */
export function planLayout(r: DebianRecipe): GuestLayout {
  const fs: FilesystemPlan[] = [];
  const named = (device: string, naming: DeviceNaming, rest: Omit<FilesystemPlan, "device" | "guestDevice" | "naming" | "byId">, disk = 0): FilesystemPlan => {
    const part = Number(/(\d+)$/.exec(device)?.[1] ?? "0");
    return { device, guestDevice: guestDeviceOf(r, device), naming, ...rest, ...(naming === "by-id" ? { byId: vmwareById(r, disk, part) } : {}) };
  };
  const root = (device: string, guestDevice: string): FilesystemPlan =>
    ({ device, guestDevice, type: "ext4", label: "root", mountpoint: "/", options: "errors=remount-ro", pass: 1, naming: r.naming });
  let sda: DiskPlanEntry;
  let lvm: GuestLayout["lvm"];
  if (r.firmware === "uefi") {
    sda = { index: 0, device: "/dev/sda", sizeGiB: r.rootDiskGiB, table: "gpt", partitions: [{ device: "/dev/sda1", sizeMiB: 256, gptType: ESP_GPT_TYPE }, { device: "/dev/sda2" }] };
    fs.push(named("/dev/sda1", r.naming, { type: "vfat", label: "EFI", mountpoint: "/boot/efi", options: "umask=0077", pass: 1 }));
  } else {
    sda = { index: 0, device: "/dev/sda", sizeGiB: r.rootDiskGiB, table: "mbr", partitions: [{ device: "/dev/sda1" }] };
  }
  if (r.layout === "lvm-root") {
    // /boot stays a plain partition so grub needs no LVM support to find the kernel.
    const rootPart = `/dev/sda${sda.partitions.length + 1}`;
    const bootPart = `/dev/sda${sda.partitions.length}`;
    sda = { ...sda, partitions: [...sda.partitions.slice(0, -1), { device: bootPart, sizeMiB: 512 }, { device: rootPart, mbrId: 0x8e }] };
    lvm = { pv: rootPart, vg: "vg0", lvs: [{ name: "root" }] };
    fs.push(root("/dev/vg0/root", "/dev/mapper/vg0-root"));
    fs.push(named(bootPart, r.naming, { type: "ext4", label: "boot", mountpoint: "/boot", options: "defaults", pass: 2 }));
  } else {
    const rootPart = sda.partitions[sda.partitions.length - 1]!.device;
    fs.push(root(rootPart, guestDeviceOf(r, rootPart)));
    // Swap and extra file systems follow / on the root disk; / gets a fixed size, the last one the rest.
    const after: { sizeMiB: number; plan: (device: string) => FilesystemPlan }[] = [
      ...(r.swap ? [{ sizeMiB: r.swap.sizeMiB, plan: (d: string) => named(d, r.swap!.naming, { type: "swap", label: "swap", mountpoint: "none", options: "sw", pass: 0 }) }] : []),
      ...(r.extraFilesystems ?? []).map((x) => ({ sizeMiB: x.sizeMiB, plan: (d: string) => named(d, x.naming, { type: "ext4", label: x.label, mountpoint: x.mountpoint, options: "defaults", pass: 2 }) })),
    ];
    if (after.length > 0) {
      const before = sda.partitions.slice(0, -1);
      const fixed = before.reduce((n, p) => n + (p.sizeMiB ?? 0), 0) + after.reduce((n, a) => n + a.sizeMiB, 0);
      const parts: PartitionPlan[] = [...before, { device: rootPart, sizeMiB: r.rootDiskGiB * 1024 - ROOT_DISK_RESERVED_MIB - fixed }];
      for (const [i, a] of after.entries()) {
        const device = `/dev/sda${parts.length + 1}`;
        parts.push(i === after.length - 1 ? { device } : { device, sizeMiB: a.sizeMiB });
        fs.push(a.plan(device));
      }
      sda = { ...sda, partitions: parts };
    }
  }
  const disks: DiskPlanEntry[] = [sda];
  if (r.dataDisk) {
    disks.push({ index: 1, device: "/dev/sdb", sizeGiB: r.dataDisk.sizeGiB, table: "mbr", partitions: [{ device: "/dev/sdb1" }] });
    fs.push(named("/dev/sdb1", r.dataDisk.naming, { type: "ext4", label: r.dataDisk.label ?? "data", mountpoint: r.dataDisk.mountpoint, options: "defaults", pass: 2 }, 1));
  }
  // Depth order ("/" first) so mounting in order works; swap last, as installers write it.
  const rank = (f: FilesystemPlan): number => (f.type === "swap" ? 1000 : depth(f.mountpoint));
  fs.sort((a, b) => rank(a) - rank(b) || a.mountpoint.localeCompare(b.mountpoint));
  return { disks, ...(lvm ? { lvm } : {}), filesystems: fs, bootDisk: "/dev/sda" };
}

/** Filesystem identities read after mkfs, by appliance device. */
export type FsIds = Readonly<Record<string, { readonly uuid: string; readonly label: string }>>;

/** Pure: how fstab names one file system. LVs are always named by their mapper path under "device". */
export function fstabSpec(f: FilesystemPlan, ids: FsIds): string {
  const id = ids[f.device];
  if (f.naming === "uuid") {
    if (!id?.uuid) throw new Error(`no UUID known for ${f.device}; read it with vfs-uuid after mkfs`);
    return `UUID=${id.uuid}`;
  }
  if (f.naming === "label") return `LABEL=${f.label}`;
  if (f.naming === "by-id") {
    if (!f.byId) throw new Error(`no by-id link planned for ${f.device}`);
    return f.byId;
  }
  return f.guestDevice;
}

/** Pure: /etc/fstab for a layout. */
export function renderFstab(layout: GuestLayout, ids: FsIds): string {
  const lines = ["# /etc/fstab: written by the v2v-ts reference-guest builder", "# <file system> <mount point> <type> <options> <dump> <pass>"];
  for (const f of layout.filesystems) lines.push(`${fstabSpec(f, ids)} ${f.mountpoint} ${f.type} ${f.options} 0 ${f.pass}`);
  return `${lines.join("\n")}\n`;
}

/**
 * Pure: /etc/default/grub. The serial console carries grub, the kernel, the initramfs and the boot
 * report. GRUB_DISABLE_LINUX_UUID makes update-grub write root=/dev/sdXN, as an old VMware guest
 * has; without it root=UUID=..., which survives a bus change on its own.
 */
export function renderGrubDefault(r: DebianRecipe, layout: GuestLayout = planLayout(r)): string {
  // A Xen guest's console is Xen's paravirtual one; GRUB itself still talks on the serial port.
  const args = [r.origin === "xen" ? "console=hvc0" : "console=ttyS0,115200n8"];
  const resume = resumeDevice(r, layout);
  if (resume) args.push(`resume=${resume}`);
  return [
    "# Written by the v2v-ts reference-guest builder.",
    "GRUB_DEFAULT=0",
    "GRUB_TIMEOUT=1",
    'GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`',
    'GRUB_CMDLINE_LINUX_DEFAULT=""',
    `GRUB_CMDLINE_LINUX="${args.join(" ")}"`,
    'GRUB_TERMINAL="serial console"',
    'GRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1"',
    ...(r.naming === "uuid" ? [] : ["GRUB_DISABLE_LINUX_UUID=true"]),
    "GRUB_DISABLE_RECOVERY=true",
    "GRUB_DISABLE_OS_PROBER=true",
    "",
  ].join("\n");
}

/** Pure: the swap device resume= and RESUME= name (by its device name), when the recipe asks for it. */
export function resumeDevice(r: DebianRecipe, layout: GuestLayout): string | undefined {
  if (!r.swap?.resume) return undefined;
  return layout.filesystems.find((f) => f.type === "swap")?.guestDevice;
}

/** Pure: initramfs-tools' conf.d/resume for a guest that resumes from swap. */
export function renderResumeConf(device: string): string {
  return `# Written by the v2v-ts reference-guest builder: resume from hibernation on this swap device.\nRESUME=${device}\n`;
}

/** Pure: /etc/initramfs-tools/modules for MODULES=list (LVM roots also need device-mapper). */
export function renderInitramfsModules(r: DebianRecipe): string {
  const mods = [...r.initramfsModules, ...(r.layout === "lvm-root" ? ["dm_mod"] : [])];
  return `# Only these drivers go into the initramfs (MODULES=list): the VMware-like buses, no virtio.\n${mods.join("\n")}\n`;
}

/** The reference guest's own dracut configuration (a drop-in, as an administrator would write it). */
export const DRACUT_REFERENCE_CONF = "/etc/dracut.conf.d/10-vmware-guest.conf";

/**
 * Pure: the dracut drop-in of a dracut guest, the dracut form of MODULES=list. A guest built on
 * VMware with host-only dracut holds its buses' drivers and no virtio. The builder runs inside the
 * libguestfs appliance, which is itself a qemu VM, so host-only would pick up virtio there: the
 * image is made generic (hostonly no), limited to `drivers`, and without the modules that add
 * virtio drivers whenever they run under qemu (qemu, qemu-net, and the 9p and virtiofs root
 * file system modules virtfs and virtiofs) or always (nvdimm, which brings virtio_pmem).
 */
export function renderDracutConf(r: DebianRecipe): string {
  const mods = [...r.initramfsModules, ...(r.layout === "lvm-root" ? ["dm_mod"] : [])];
  return [
    "# Written by the v2v-ts reference-guest builder: only the VMware-like buses' drivers, no virtio.",
    'hostonly="no"',
    `drivers+=" ${mods.join(" ")} "`,
    'omit_dracutmodules+=" qemu qemu-net virtfs virtiofs nvdimm "',
    "",
  ].join("\n");
}

/** Pure: a systemd-networkd file giving every wired NIC DHCP, whatever its name. */
export function renderNetworkdConfig(): string {
  return "[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n";
}
