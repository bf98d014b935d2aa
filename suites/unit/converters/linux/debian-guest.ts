// Builds a FakeGuest that looks like an installed Debian 12 guest, with an update-grub that
// regenerates grub.cfg from /etc/default/grub and the kernels in /boot (like grub-mkconfig run in
// the appliance: with GRUB_DISABLE_LINUX_UUID=true it writes the appliance name /dev/sda1), and an
// update-initramfs that records which modules the new image would contain.
import { compareKernelVersions } from "../../../../src/converters/linux/kernel-version.js";
import { RecordingReporter } from "../../../../src/model/messages.js";
import type { StageContext } from "../../../../src/model/contracts.js";
import type { Inspection, Source } from "../../../../src/model/types.js";
import { FakeGuest, type FakeCall } from "../../fakes/fake-guest.js";

export const ROOT_UUID = "0b6c2f8e-6d3b-4f0e-9a51-2f3c1d9e7a10";

/** How one kernel provides virtio_blk and virtio_net. */
export type KernelKind = "ko.xz" | "ko" | "builtin-list" | "config-y" | "none";

export interface DebianGuestOptions {
  /** Kernel version -> how it provides the virtio drivers. Default: 6.1.0-13-amd64 with .ko.xz modules. */
  readonly kernels?: Readonly<Record<string, KernelKind>>;
  readonly fstab?: string;
  readonly grubDefaults?: string;
  /** Installed package names besides the base system. */
  readonly packages?: readonly string[];
  readonly initramfsConf?: string;
  /** Omit /boot/grub/grub.cfg. */
  readonly noGrubCfg?: boolean;
}

export const DEFAULT_FSTAB = "# /etc/fstab\n/dev/sda1 / ext4 errors=remount-ro 0 1\n/dev/sda5 none swap sw 0 0\n/dev/sr0 /media/cdrom0 udf,iso9660 user,noauto 0 0\n";
export const DEFAULT_GRUB =
  'GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX="console=xvc0 resume=/dev/sda5"\nGRUB_DISABLE_LINUX_UUID=true\n';

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

/** Value of KEY= in a shell-style defaults file (last assignment wins, quotes removed). */
function shellValue(text: string, key: string): string | undefined {
  let value: string | undefined;
  for (const line of text.split("\n")) {
    const m = new RegExp(`^\\s*${key}=(.*)$`).exec(line);
    if (m) value = m[1]!.trim().replace(/^"(.*)"$/, "$1").replace(/^'(.*)'$/, "$1");
  }
  return value;
}

/** A small grub-mkconfig: the entries Debian's 10_linux writes, from the fake's files. */
export function generateGrubCfg(g: FakeGuest): string {
  const defaults = g.file("/etc/default/grub") ?? "";
  const versions = [...g.files.keys()]
    .map((p) => /^\/boot\/vmlinuz-(.+)$/.exec(p)?.[1])
    .filter((v): v is string => v !== undefined)
    .sort((a, b) => compareKernelVersions(b, a));
  const root = shellValue(defaults, "GRUB_DISABLE_LINUX_UUID") === "true" ? "/dev/sda1" : `UUID=${ROOT_UUID}`;
  const args = `${shellValue(defaults, "GRUB_CMDLINE_LINUX") ?? ""} ${shellValue(defaults, "GRUB_CMDLINE_LINUX_DEFAULT") ?? ""}`.trim();
  const entry = (title: string, id: string, v: string, extra: string, indent: string): string =>
    `${indent}menuentry '${title}' --class debian $menuentry_id_option '${id}' {\n`
    + `${indent}\tlinux\t/boot/vmlinuz-${v} root=${root} ro ${extra}\n${indent}\tinitrd\t/boot/initrd.img-${v}\n${indent}}\n`;
  let out = `if [ "\${next_entry}" ] ; then\n   set default="\${next_entry}"\nelse\n   set default="${shellValue(defaults, "GRUB_DEFAULT") ?? "0"}"\nfi\n`;
  if (versions[0]) out += entry("Debian GNU/Linux", `gnulinux-simple-${ROOT_UUID}`, versions[0], args, "");
  out += `submenu 'Advanced options for Debian GNU/Linux' $menuentry_id_option 'gnulinux-advanced-${ROOT_UUID}' {\n`;
  for (const v of versions) {
    out += entry(`Debian GNU/Linux, with Linux ${v}`, `gnulinux-${v}-advanced-${ROOT_UUID}`, v, args, "\t");
    out += entry(`Debian GNU/Linux, with Linux ${v} (recovery mode)`, `gnulinux-${v}-recovery-${ROOT_UUID}`, v, "single", "\t");
  }
  return `${out}}\n`;
}

export function makeDebianGuest(opts: DebianGuestOptions = {}): FakeGuest {
  const kernels = opts.kernels ?? { "6.1.0-13-amd64": "ko.xz" };
  const files: Record<string, string> = {
    "/etc/os-release": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
    "/etc/fstab": opts.fstab ?? DEFAULT_FSTAB,
    "/etc/default/grub": opts.grubDefaults ?? DEFAULT_GRUB,
    "/etc/initramfs-tools/modules": "# List of modules that you want to include in your initramfs.\nata_piix\nahci\nsd_mod\next4\n",
    "/etc/initramfs-tools/initramfs.conf": opts.initramfsConf ?? "MODULES=list\nBUSYBOX=auto\nCOMPRESS=zstd\n",
    "/etc/initramfs-tools/conf.d/resume": "RESUME=/dev/sda5\n",
    "/etc/initramfs-tools/update-initramfs.conf": "update_initramfs=yes\nbackup_initramfs=no\n",
    "/etc/lvm/cache/.cache": "# stale\n",
    "/usr/sbin/update-grub": "#!/bin/sh\n",
    "/usr/sbin/grub-mkconfig": "#!/bin/sh\n",
    "/usr/sbin/update-initramfs": "#!/bin/sh\n",
    "/usr/bin/apt-get": "",
  };
  for (const [v, kind] of Object.entries(kernels)) Object.assign(files, kernelFiles(v, kind));
  const g = new FakeGuest({
    files,
    dirs: ["/boot/grub", "/etc/udev/rules.d"],
    devices: ["/dev/sda"],
    filesystems: { "/dev/sda1": "ext4", "/dev/sda5": "swap" },
    blkid: { "/dev/sda1": { TYPE: "ext4", UUID: ROOT_UUID }, "/dev/sda5": { TYPE: "swap", UUID: "5wap-0000" } },
  });
  if (!opts.noGrubCfg) g.setFile("/boot/grub/grub.cfg", generateGrubCfg(g));
  g.on(/(^|\n)update-grub\n/, (_c: FakeCall, guest: FakeGuest) => { guest.setFile("/boot/grub/grub.cfg", generateGrubCfg(guest)); });
  g.on(/^update-initramfs -[uc] -k /, (c: FakeCall, guest: FakeGuest) => {
    const modules = (guest.file("/etc/initramfs-tools/modules") ?? "").split("\n").filter((l) => l && !l.startsWith("#"));
    guest.setFile(`/boot/initrd.img-${c.argv[3]}`, `rebuilt initrd with ${modules.join(",")}`);
  });
  return g;
}

export function debianInspection(packages: readonly string[] = []): Inspection {
  return {
    root: "/dev/sda1", osType: "linux", distro: "debian", majorVersion: 12, minorVersion: 5,
    productName: "Debian GNU/Linux 12 (bookworm)", arch: "x86_64", osinfo: "debian12",
    packageFormat: "deb", packageManagement: "apt",
    mountpoints: [{ mountpoint: "/", device: "/dev/sda1" }],
    applications: ["base-files", "linux-image-amd64", ...packages].map((name) => ({ name, version: "1.0" })),
    firmware: "bios",
  };
}

export function oneDiskSource(): Source {
  return {
    name: "deb12", hypervisor: "vmware", memoryBytes: 1 << 30, vcpus: 1, firmware: "bios",
    disks: [{ index: 0, image: { kind: "checked", qemuUri: "/tmp/deb12.vmdk", format: "vmdk", chain: [], virtualSizeBytes: 1 }, displayName: "deb12.vmdk", controller: "scsi" }],
    nics: [], removableCount: 0,
  };
}

export function testContext(): { ctx: StageContext; reporter: RecordingReporter } {
  const reporter = new RecordingReporter();
  return { ctx: { workDir: "/nonexistent", reporter, verbose: true }, reporter };
}
