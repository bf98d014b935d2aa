// Builds a strict FakeGuest that looks like an installed Debian 12 guest on one disk (sda1 root,
// sda5 swap), with its programs scripted (fake-debian-tools.ts); and the inspection, source and
// context a conversion of it takes. guest-layouts.ts builds the other layouts on top of this.
import { RecordingReporter } from "../../../../src/model/messages.js";
import type { StageContext } from "../../../../src/model/contracts.js";
import type { InspectedRoot } from "../../../../src/model/guest-handle.js";
import type { Inspection, Source } from "../../../../src/model/types.js";
import { FakeGuest, type FakeGuestOptions } from "../../fakes/fake-guest.js";
import { generateGrubCfg, scriptDebianTools } from "./fake-debian-tools.js";

export const ROOT_UUID = "0b6c2f8e-6d3b-4f0e-9a51-2f3c1d9e7a10";

/** How one kernel provides virtio_blk and virtio_net. */
export type KernelKind = "ko.xz" | "ko" | "builtin-list" | "config-y" | "none";

export interface DebianGuestOptions {
  /** Kernel version -> how it provides the virtio drivers. Default: 6.1.0-13-amd64 with .ko.xz modules. */
  readonly kernels?: Readonly<Record<string, KernelKind>>;
  readonly fstab?: string;
  readonly grubDefaults?: string;
  readonly initramfsConf?: string;
  /** /etc/initramfs-tools/conf.d/resume. */
  readonly resume?: string;
  /** Omit /boot/grub/grub.cfg. */
  readonly noGrubCfg?: boolean;
  /** More guest files (device.map, the EFI loader ...). */
  readonly files?: Readonly<Record<string, string>>;
  /** Appliance disks, in source disk order. Default: /dev/sda. */
  readonly devices?: readonly string[];
  /** Every filesystem the appliance sees with its blkid tags (TYPE is listFilesystems' type). */
  readonly filesystems?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly partitionTables?: Readonly<Record<string, string>>;
  /** Mountpoint -> the device the appliance's kernel names it (findmnt). Default: / on /dev/sda1. */
  readonly kernelMounts?: Readonly<Record<string, string>>;
  /** What libguestfs inspection finds (for tests that run inspectGuest); none by default. */
  readonly roots?: readonly InspectedRoot[];
  /** Installed packages of every root, besides base-files and linux-image-amd64. */
  readonly packages?: readonly string[];
}

export const DEFAULT_FSTAB = "# /etc/fstab\n/dev/sda1 / ext4 errors=remount-ro 0 1\n/dev/sda5 none swap sw 0 0\n/dev/sr0 /media/cdrom0 udf,iso9660 user,noauto 0 0\n";
export const DEFAULT_GRUB =
  'GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX="console=xvc0 resume=/dev/sda5"\nGRUB_DISABLE_LINUX_UUID=true\n';
const DEFAULT_FILESYSTEMS = { "/dev/sda1": { TYPE: "ext4", UUID: ROOT_UUID }, "/dev/sda5": { TYPE: "swap", UUID: "5wap-0000" } };

const MODULE_DIRS: Readonly<Record<string, string>> = {
  virtio_blk: "kernel/drivers/block", virtio_net: "kernel/drivers/net", virtio_scsi: "kernel/drivers/scsi", virtio_pci: "kernel/drivers/virtio",
};

function kernelFiles(version: string, kind: KernelKind): Record<string, string> {
  const mod = `/lib/modules/${version}`;
  const files: Record<string, string> = {
    [`/boot/vmlinuz-${version}`]: "kernel image",
    [`/boot/initrd.img-${version}`]: `original initrd ${version}`,
    [`/boot/config-${version}`]: kind === "config-y"
      ? "CONFIG_VIRTIO_PCI=y\nCONFIG_VIRTIO_BLK=y\nCONFIG_VIRTIO_NET=y\n# CONFIG_SCSI_VIRTIO is not set\n"
      : "CONFIG_VIRTIO_PCI=y\nCONFIG_VIRTIO_BLK=m\nCONFIG_VIRTIO_NET=m\nCONFIG_SCSI_VIRTIO=m\n",
    [`${mod}/modules.builtin`]: kind === "builtin-list"
      ? "kernel/drivers/block/virtio_blk.ko\nkernel/drivers/net/virtio_net.ko\nkernel/drivers/virtio/virtio_pci.ko\n"
      : "kernel/fs/ext4/ext4.ko\n",
    [`${mod}/kernel/drivers/scsi/sd_mod.ko.xz`]: "",
  };
  if (kind === "ko" || kind === "ko.xz") {
    const dep: string[] = [];
    for (const [name, dir] of Object.entries(MODULE_DIRS)) {
      const path = `${dir}/${name}.${kind}`;
      files[`${mod}/${path}`] = "";
      dep.push(`${path}: kernel/drivers/virtio/virtio_ring.${kind}`);
    }
    files[`${mod}/modules.dep`] = `${dep.join("\n")}\nkernel/drivers/scsi/sd_mod.ko.xz:\n`;
  } else {
    files[`${mod}/modules.dep`] = "kernel/drivers/scsi/sd_mod.ko.xz:\n";
  }
  return files;
}

/** The installed system's files (everything but grub.cfg, which the fake grub-mkconfig writes). */
export function debianFiles(opts: DebianGuestOptions = {}): Record<string, string> {
  const kernels = opts.kernels ?? { "6.1.0-13-amd64": "ko.xz" };
  const files: Record<string, string> = {
    "/etc/os-release": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
    "/etc/fstab": opts.fstab ?? DEFAULT_FSTAB,
    "/etc/default/grub": opts.grubDefaults ?? DEFAULT_GRUB,
    "/etc/initramfs-tools/modules": "# List of modules that you want to include in your initramfs.\nata_piix\nahci\nsd_mod\next4\n",
    "/etc/initramfs-tools/initramfs.conf": opts.initramfsConf ?? "MODULES=list\nBUSYBOX=auto\nCOMPRESS=zstd\n",
    "/etc/initramfs-tools/conf.d/resume": opts.resume ?? "RESUME=/dev/sda5\n",
    "/etc/initramfs-tools/update-initramfs.conf": "update_initramfs=yes\nbackup_initramfs=no\n",
    "/etc/lvm/cache/.cache": "# stale\n",
    "/usr/sbin/update-grub": "#!/bin/sh\n",
    "/usr/sbin/grub-mkconfig": "#!/bin/sh\n",
    "/usr/sbin/update-initramfs": "#!/bin/sh\n",
    "/usr/bin/apt-get": "",
  };
  for (const [v, kind] of Object.entries(kernels)) Object.assign(files, kernelFiles(v, kind));
  return { ...files, ...opts.files };
}

/** UUID of the filesystem mounted at / (for grub.cfg's root=UUID=...). */
export const rootUuidOf = (filesystems: Readonly<Record<string, Readonly<Record<string, string>>>>, kernelRoot: string): string =>
  Object.entries(filesystems).find(([dev]) => dev === kernelRoot)?.[1]["UUID"] ?? ROOT_UUID;

/** The FakeGuest's options for a layout: its disks and filesystems. */
export function layoutOptions(opts: DebianGuestOptions): FakeGuestOptions {
  const fss = opts.filesystems ?? DEFAULT_FILESYSTEMS;
  return {
    dirs: ["/boot/grub", "/etc/udev/rules.d"],
    devices: opts.devices ?? ["/dev/sda"],
    filesystems: Object.fromEntries(Object.entries(fss).map(([d, t]) => [d, t["TYPE"] ?? "unknown"])),
    blkid: fss,
    ...(opts.partitionTables ? { partitionTables: opts.partitionTables } : {}),
    ...(opts.roots ? { roots: opts.roots } : {}),
    applications: Object.fromEntries((opts.roots ?? []).map((r) => [r.root, packageList(opts.packages)])),
  };
}

export function makeDebianGuest(opts: DebianGuestOptions = {}): FakeGuest {
  const mounts = opts.kernelMounts ?? { "/": "/dev/sda1" };
  const uuid = rootUuidOf(opts.filesystems ?? DEFAULT_FILESYSTEMS, mounts["/"] ?? "/dev/sda1");
  const g = new FakeGuest({ files: debianFiles(opts), ...layoutOptions(opts) });
  if (!opts.noGrubCfg) g.setFile("/boot/grub/grub.cfg", generateGrubCfg(g.files, { kernelRoot: mounts["/"] ?? "/dev/sda1", rootUuid: uuid }));
  scriptDebianTools(g, () => mounts, () => uuid);
  return g;
}

const packageList = (packages: readonly string[] = []): { name: string; version: string }[] =>
  ["base-files", "linux-image-amd64", ...packages].map((name) => ({ name, version: "1.0" }));

/** What libguestfs inspection reports for a Debian 12 root (override the rest: distro, product ...). */
export function debianRoot(root: string, mountpoints: Readonly<Record<string, string>>, over: Partial<InspectedRoot> = {}): InspectedRoot {
  return {
    root, osType: "linux", distro: "debian", majorVersion: 12, minorVersion: 5,
    productName: "Debian GNU/Linux 12 (bookworm)", arch: "x86_64", osinfo: "debian12",
    packageFormat: "deb", packageManagement: "apt", mountpoints, ...over,
  };
}

/** The Inspection of a root, as inspectGuest builds it (mountpoints sorted parents first). */
export function inspectionOf(r: InspectedRoot, packages: readonly string[] = [], firmware: Inspection["firmware"] = "bios"): Inspection {
  const { mountpoints, ...facts } = r;
  return {
    ...facts,
    mountpoints: Object.entries(mountpoints).map(([mountpoint, device]) => ({ mountpoint, device }))
      .sort((a, b) => a.mountpoint.length - b.mountpoint.length || a.mountpoint.localeCompare(b.mountpoint)),
    applications: packageList(packages),
    firmware,
  };
}

export const debianInspection = (packages: readonly string[] = []): Inspection =>
  inspectionOf(debianRoot("/dev/sda1", { "/": "/dev/sda1" }), packages);

/** A VMware source with `count` SCSI disks (and `firmware`, default bios). */
export function diskSource(count: number, firmware: Source["firmware"] = "bios"): Source {
  return {
    name: "deb12", hypervisor: "vmware", memoryBytes: 1 << 30, vcpus: 1, firmware,
    disks: Array.from({ length: count }, (_, index) => ({
      index, image: { kind: "checked" as const, qemuUri: `/tmp/deb12-${index}.vmdk`, format: "vmdk" as const, chain: [], virtualSizeBytes: 1 },
      displayName: `deb12-${index}.vmdk`, controller: "scsi" as const,
    })),
    nics: [], removableCount: 0,
  };
}

export const oneDiskSource = (): Source => diskSource(1);

export function testContext(): { ctx: StageContext; reporter: RecordingReporter } {
  const reporter = new RecordingReporter();
  return { ctx: { workDir: "/nonexistent", reporter, verbose: true }, reporter };
}
