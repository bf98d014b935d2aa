// Guests laid out the ways real conversions meet them, each as a strict FakeGuest with the
// inspection and source that go with it: three disks and an IDE CD-ROM, an LVM root, UEFI with an
// ESP at /boot/efi, and two operating systems on one guest.
import type { InspectedRoot } from "../../../../src/model/guest-handle.js";
import type { Inspection, Source } from "../../../../src/model/types.js";
import { FakeGuest } from "../../fakes/fake-guest.js";
import {
  debianFiles, debianRoot, diskSource, inspectionOf, layoutOptions, makeDebianGuest, ROOT_UUID, type DebianGuestOptions,
} from "./debian-guest.js";
import { generateGrubCfg, scriptDebianTools } from "./fake-debian-tools.js";

export interface GuestCase {
  readonly guest: FakeGuest;
  /** What inspection finds (for tests that do not run inspectGuest). */
  readonly inspection: Inspection;
  readonly source: Source;
}

/** The EFI System Partition's GPT type, as blkid prints PART_ENTRY_TYPE. */
export const ESP_TYPE = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b";

/**
 * Three SCSI disks: / and swap on sda, /srv and a LUKS volume on sdb, data and swap on sdc, and an
 * IDE CD-ROM at /dev/hdc typed "udf,iso9660" (hdc names the same index as sdc: only its type says
 * it is not the third disk). Inside the appliance the kernel lists its own disk first, so the
 * guest's disks are sdb, sdc and sdd to programs run in the guest (grub-mkconfig writes /dev/sdb1).
 */
export const MULTI_DISK_FSTAB = "# /etc/fstab: three disks and an IDE CD-ROM\n"
  + "/dev/sda1 / ext4 errors=remount-ro 0 1\n"
  + "/dev/sdb1 /srv ext4 defaults 0 2\n"
  + "/dev/sdc1 /var/lib/data xfs defaults 0 2\n"
  + "/dev/sdc2 none swap sw 0 0\n"
  + "/dev/hdc /media/cdrom0 udf,iso9660 user,noauto 0 0\n";

export function multiDiskGuest(over: DebianGuestOptions = {}): GuestCase {
  const mountpoints = { "/": "/dev/sda1", "/srv": "/dev/sdb1", "/var/lib/data": "/dev/sdc1" };
  const guest = makeDebianGuest({
    fstab: MULTI_DISK_FSTAB,
    grubDefaults: 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX="console=xvc0 resume=/dev/sdc2"\nGRUB_DISABLE_LINUX_UUID=true\n',
    resume: "RESUME=/dev/sdc2\n",
    files: {
      "/boot/grub/device.map": "(hd0)\t/dev/sda\n(hd1)\t/dev/sdb\n(hd2)\t/dev/sdc\n",
      "/etc/crypttab": "# <target> <source> <key> <options>\nsdb2_crypt /dev/sdb2 none luks,discard\n",
    },
    devices: ["/dev/sda", "/dev/sdb", "/dev/sdc"],
    filesystems: {
      "/dev/sda1": { TYPE: "ext4", UUID: ROOT_UUID }, "/dev/sda5": { TYPE: "swap", UUID: "5wap-0001" },
      "/dev/sdb1": { TYPE: "ext4", UUID: "5b1-0000" }, "/dev/sdb2": { TYPE: "crypto_LUKS", UUID: "1uk5-0000" },
      "/dev/sdc1": { TYPE: "xfs", UUID: "5c1-0000" }, "/dev/sdc2": { TYPE: "swap", UUID: "5wap-0003" },
    },
    kernelMounts: { "/": "/dev/sdb1", "/srv": "/dev/sdc1", "/var/lib/data": "/dev/sdd1" },
    roots: [debianRoot("/dev/sda1", mountpoints)],
    ...over,
  });
  return { guest, inspection: inspectionOf(debianRoot("/dev/sda1", mountpoints)), source: { ...diskSource(3), removableCount: 1 } };
}

/** / and swap on LVM (volume group "vg"), /boot on sda1; grub-mkconfig names an LVM root /dev/mapper/vg-root. */
export function lvmGuest(over: DebianGuestOptions = {}): GuestCase {
  const mountpoints = { "/": "/dev/vg/root", "/boot": "/dev/sda1" };
  const guest = makeDebianGuest({
    fstab: "/dev/mapper/vg-root / ext4 errors=remount-ro 0 1\n/dev/sda1 /boot ext2 defaults 0 2\n/dev/mapper/vg-swap_1 none swap sw 0 0\n",
    grubDefaults: 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX="resume=/dev/mapper/vg-swap_1"\n',
    resume: "RESUME=/dev/mapper/vg-swap_1\n",
    files: { "/etc/lvm/devices/system.devices": "# stale: names the source disk\nIDTYPE=devname IDNAME=/dev/sda2 DEVNAME=/dev/sda2\n" },
    filesystems: {
      "/dev/sda1": { TYPE: "ext2", UUID: "b007-0000" },
      "/dev/vg/root": { TYPE: "ext4", UUID: ROOT_UUID }, "/dev/vg/swap_1": { TYPE: "swap", UUID: "5wap-1vm0" },
    },
    kernelMounts: { "/": "/dev/mapper/vg-root", "/boot": "/dev/sda1" },
    roots: [debianRoot("/dev/vg/root", mountpoints)],
    ...over,
  });
  return { guest, inspection: inspectionOf(debianRoot("/dev/vg/root", mountpoints)), source: diskSource(1) };
}

/** The ESP's copy of GRUB's config: it only finds /boot/grub by UUID, so the conversion leaves it alone. */
export const EFI_STUB_CFG = `search.fs_uuid ${ROOT_UUID} root hd0,gpt2\nset prefix=($root)'/boot/grub'\nconfigfile $prefix/grub.cfg\n`;

/** GPT disk: ESP (vfat) on sda1 at /boot/efi, / on sda2, swap on sda3; firmware left to inspection. */
export function uefiGuest(over: DebianGuestOptions = {}): GuestCase {
  const mountpoints = { "/": "/dev/sda2", "/boot/efi": "/dev/sda1" };
  const guest = makeDebianGuest({
    fstab: "/dev/sda2 / ext4 errors=remount-ro 0 1\n/dev/sda1 /boot/efi vfat umask=0077 0 1\n/dev/sda3 none swap sw 0 0\n",
    grubDefaults: 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX="resume=/dev/sda3"\nGRUB_DISABLE_LINUX_UUID=true\n',
    resume: "RESUME=/dev/sda3\n",
    files: {
      "/boot/efi/EFI/debian/grub.cfg": EFI_STUB_CFG,
      "/boot/efi/EFI/debian/grubx64.efi": "grub efi",
      "/boot/efi/EFI/debian/shimx64.efi": "shim",
    },
    partitionTables: { "/dev/sda": "gpt" },
    filesystems: {
      "/dev/sda1": { TYPE: "vfat", UUID: "7A1C-2B3D", PART_ENTRY_TYPE: ESP_TYPE },
      "/dev/sda2": { TYPE: "ext4", UUID: ROOT_UUID, PART_ENTRY_TYPE: "0fc63daf-8483-4772-8e79-3d69d8477de4" },
      "/dev/sda3": { TYPE: "swap", UUID: "5wap-0efi", PART_ENTRY_TYPE: "0657fd6d-a4ab-43c4-84e5-0933c84b4f4f" },
    },
    kernelMounts: { "/": "/dev/sda2", "/boot/efi": "/dev/sda1" },
    roots: [debianRoot("/dev/sda2", mountpoints)],
    ...over,
  });
  return { guest, inspection: inspectionOf(debianRoot("/dev/sda2", mountpoints), [], "uefi"), source: diskSource(1, "unknown") };
}

/** One root of a multi-root guest: where it is, what it is, and its fstab. */
interface RootSpec { readonly device: string; readonly swap: string; readonly uuid: string; readonly over: Partial<InspectedRoot> }

const ROOTS: readonly RootSpec[] = [
  { device: "/dev/sda1", swap: "/dev/sda5", uuid: ROOT_UUID, over: {} },
  {
    device: "/dev/sdb1", swap: "/dev/sdb5", uuid: "ub22-0000-root",
    over: { distro: "ubuntu", majorVersion: 22, minorVersion: 4, productName: "Ubuntu 22.04.4 LTS", osinfo: "ubuntu22.04" },
  },
];

/**
 * Two operating systems, Debian 12 on sda1 and Ubuntu 22.04 on sdb1, each with its own files:
 * only the root mountRoot mounted is visible, as on a real appliance.
 */
export function multiRootGuest(): FakeGuest {
  const rootFiles: Record<string, Record<string, string>> = {};
  for (const r of ROOTS) {
    const files = debianFiles({
      fstab: `${r.device} / ext4 errors=remount-ro 0 1\n${r.swap} none swap sw 0 0\n`,
      grubDefaults: `GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX="resume=${r.swap}"\nGRUB_DISABLE_LINUX_UUID=true\n`,
      resume: `RESUME=${r.swap}\n`,
      files: { "/etc/os-release": `PRETTY_NAME="${r.over.productName ?? "Debian GNU/Linux 12 (bookworm)"}"\n` },
    });
    files["/boot/grub/grub.cfg"] = generateGrubCfg(new Map(Object.entries(files)), { kernelRoot: r.device, rootUuid: r.uuid });
    rootFiles[r.device] = files;
  }
  const roots = ROOTS.map((r) => debianRoot(r.device, { "/": r.device }, r.over));
  const guest = new FakeGuest({
    ...layoutOptions({
      devices: ["/dev/sda", "/dev/sdb"],
      filesystems: Object.fromEntries(ROOTS.flatMap((r) => [[r.device, { TYPE: "ext4", UUID: r.uuid }], [r.swap, { TYPE: "swap", UUID: `${r.uuid}-swap` }]])),
      roots,
    }),
    rootFiles,
  });
  const mounted = (g: FakeGuest): RootSpec => ROOTS.find((r) => r.device === g.mountedRoot) ?? ROOTS[0]!;
  scriptDebianTools(guest, (g) => ({ "/": mounted(g).device }), (g) => mounted(g).uuid);
  return guest;
}
