// Whole conversions of the guest layouts in guest-layouts.ts, through the convert step: every disk
// renamed (not only the first), CD-ROM and LVM names left alone, the ESP kept, and the root the
// user chose converted when a guest holds several.
import { describe, expect, test } from "vitest";
import { convertGuest } from "../../../../src/converters/convert.js";
import { linuxConverter } from "../../../../src/converters/linux/convert-linux.js";
import { inspectGuest } from "../../../../src/guest/inspect.js";
import { V2vError } from "../../../../src/model/errors.js";
import type { Inspection, Source } from "../../../../src/model/types.js";
import type { FakeGuest } from "../../fakes/fake-guest.js";
import { diskSource, testContext } from "./debian-guest.js";
import { EFI_STUB_CFG, lvmGuest, multiDiskGuest, multiRootGuest, uefiGuest } from "./guest-layouts.js";

const convert = async (g: FakeGuest, inspection: Inspection, source: Source) => {
  const { ctx, reporter } = testContext();
  const result = await convertGuest([linuxConverter], g, inspection, source, ctx);
  return { result, reporter, infos: reporter.lines.filter((l) => l.type === "info").map((l) => l.text) };
};

describe("three disks and an IDE CD-ROM", () => {
  test("fstab: sda, sdb and sdc become vda, vdb and vdc; the udf,iso9660 CD-ROM line on /dev/hdc is untouched", async () => {
    const { guest, inspection, source } = multiDiskGuest();
    const { result } = await convert(guest, inspection, source);
    expect(guest.file("/etc/fstab")).toBe("# /etc/fstab: three disks and an IDE CD-ROM\n"
      + "/dev/vda1 / ext4 errors=remount-ro 0 1\n"
      + "/dev/vdb1 /srv ext4 defaults 0 2\n"
      + "/dev/vdc1 /var/lib/data xfs defaults 0 2\n"
      + "/dev/vdc2 none swap sw 0 0\n"
      + "/dev/hdc /media/cdrom0 udf,iso9660 user,noauto 0 0\n");
    expect(result.changes).toContain("renamed devices in /etc/fstab: /dev/sda1 -> /dev/vda1, /dev/sdb1 -> /dev/vdb1, /dev/sdc1 -> /dev/vdc1, /dev/sdc2 -> /dev/vdc2");
    expect(result.warnings).toEqual([]);
  });

  test("GRUB defaults, device.map, crypttab and RESUME= name the second and third disks by their virtio names", async () => {
    const { guest, inspection, source } = multiDiskGuest();
    await convert(guest, inspection, source);
    expect(guest.file("/etc/default/grub")).toContain('GRUB_CMDLINE_LINUX="console=ttyS0 resume=/dev/vdc2"');
    expect(guest.file("/boot/grub/device.map")).toBe("(hd0)\t/dev/vda\n(hd1)\t/dev/vdb\n(hd2)\t/dev/vdc\n");
    expect(guest.file("/etc/crypttab")).toBe("# <target> <source> <key> <options>\nsdb2_crypt /dev/vdb2 none luks,discard\n");
    expect(guest.file("/etc/initramfs-tools/conf.d/resume")).toBe("RESUME=/dev/vdc2\n");
    expect(guest.file("/boot/initrd.img-6.1.0-13-amd64")).toContain("\nRESUME=/dev/vdc2\n");
  });

  test("grub.cfg: the kernel's name for the first disk (sdb, behind the appliance's own) becomes vda; root= resolves", async () => {
    const { guest, inspection, source } = multiDiskGuest();
    const { result } = await convert(guest, inspection, source);
    const cfg = guest.file("/boot/grub/grub.cfg")!;
    expect(cfg).toContain("linux\t/boot/vmlinuz-6.1.0-13-amd64 root=/dev/vda1 ro console=ttyS0 resume=/dev/vdc2 quiet");
    expect(cfg).not.toMatch(/\/dev\/sd[a-z]/);
    expect(result.changes).toContain("renamed appliance device names in /boot/grub/grub.cfg: /dev/sdb1 -> /dev/vda1");
    expect(result.defaultKernel).toBe("6.1.0-13-amd64");
  });

  test("the source's three disks count even when the appliance lists fewer", async () => {
    const { guest, inspection, source } = multiDiskGuest({ devices: ["/dev/sda"] });
    await convert(guest, inspection, source);
    expect(guest.file("/etc/fstab")).toContain("/dev/vdc1 /var/lib/data xfs");
  });
});

describe("LVM root", () => {
  test("/dev/mapper names stay in fstab, GRUB defaults, RESUME= and grub.cfg; /boot on sda1 becomes vda1", async () => {
    const { guest, inspection, source } = lvmGuest();
    const { result, infos } = await convert(guest, inspection, source);
    expect(guest.file("/etc/fstab")).toBe(
      "/dev/mapper/vg-root / ext4 errors=remount-ro 0 1\n/dev/vda1 /boot ext2 defaults 0 2\n/dev/mapper/vg-swap_1 none swap sw 0 0\n");
    expect(guest.file("/etc/default/grub")).toContain('GRUB_CMDLINE_LINUX="resume=/dev/mapper/vg-swap_1"');
    expect(guest.file("/etc/initramfs-tools/conf.d/resume")).toBe("RESUME=/dev/mapper/vg-swap_1\n");
    expect(guest.file("/boot/grub/grub.cfg")).toContain("root=/dev/mapper/vg-root ro resume=/dev/mapper/vg-swap_1 quiet");
    // root= resolved to the inspected root (/dev/vg/root): no warning, no "cannot be checked" note.
    expect(result.warnings).toEqual([]);
    expect(infos.filter((t) => t.startsWith("root="))).toEqual([]);
    expect(result.changes.filter((c) => c.includes("mapper"))).toEqual([]);
    expect(result.defaultKernel).toBe("6.1.0-13-amd64");
  });

  test("LVM's stale device files are removed before the initramfs is rebuilt, so none is baked in", async () => {
    const { guest, inspection, source } = lvmGuest();
    const { result } = await convert(guest, inspection, source);
    expect(guest.file("/etc/lvm/devices/system.devices")).toBeUndefined();
    expect(result.changes).toContain("removed /etc/lvm/devices/system.devices, a device cache that names the source disks");
    expect(guest.file("/boot/initrd.img-6.1.0-13-amd64")).toMatch(/\nRESUME=\/dev\/mapper\/vg-swap_1\nLVM caches: none\n$/);
  });
});

describe("mixed device naming in one guest", () => {
  test("UUID= and LABEL= stay, sdX becomes vdX, a VMware by-id link becomes by-uuid when its partition number is unique, else a warning", async () => {
    const fstab = "UUID=0d1e2f30-1111-2222-3333-444455556666 / ext4 errors=remount-ro 0 1\n"
      + "LABEL=srv /srv ext4 defaults 0 2\n"
      + "/dev/sdc1 /var/lib/data xfs defaults 0 2\n"
      + "/dev/disk/by-id/scsi-36000c29a1b2c3d4e5f60718293a4b5c6-part5 none swap sw 0 0\n"
      + "/dev/disk/by-id/wwn-0x6000c29a1b2c3d4e-part1 /mnt/ambiguous ext4 noauto 0 0\n";
    const { guest, inspection, source } = multiDiskGuest({
      fstab,
      filesystems: {
        "/dev/sda1": { TYPE: "ext4", UUID: "0d1e2f30-1111-2222-3333-444455556666" }, "/dev/sda5": { TYPE: "swap", UUID: "5a5a0001-aaaa-bbbb-cccc-ddddeeeeffff" },
        "/dev/sdb1": { TYPE: "ext4", UUID: "5b100000-aaaa-bbbb-cccc-ddddeeeeffff", LABEL: "srv" }, "/dev/sdb2": { TYPE: "crypto_LUKS", UUID: "1a500000-aaaa-bbbb-cccc-ddddeeeeffff" },
        "/dev/sdc1": { TYPE: "xfs", UUID: "5c100000-aaaa-bbbb-cccc-ddddeeeeffff" }, "/dev/sdc2": { TYPE: "swap", UUID: "5a5a0003-aaaa-bbbb-cccc-ddddeeeeffff" },
      },
    });
    const { result } = await convert(guest, inspection, source);
    expect(guest.file("/etc/fstab")).toBe("UUID=0d1e2f30-1111-2222-3333-444455556666 / ext4 errors=remount-ro 0 1\n"
      + "LABEL=srv /srv ext4 defaults 0 2\n"
      + "/dev/vdc1 /var/lib/data xfs defaults 0 2\n"
      + "/dev/disk/by-uuid/5a5a0001-aaaa-bbbb-cccc-ddddeeeeffff none swap sw 0 0\n"
      + "/dev/disk/by-id/wwn-0x6000c29a1b2c3d4e-part1 /mnt/ambiguous ext4 noauto 0 0\n");
    expect(result.changes).toContain("renamed devices in /etc/fstab: /dev/sdc1 -> /dev/vdc1, /dev/disk/by-id/scsi-36000c29a1b2c3d4e5f60718293a4b5c6-part5 -> /dev/disk/by-uuid/5a5a0001-aaaa-bbbb-cccc-ddddeeeeffff");
    expect(result.warnings).toContain("/etc/fstab names /dev/disk/by-id/wwn-0x6000c29a1b2c3d4e-part1, which v2v cannot match to one of the 3 source disk(s); left unchanged, so check them after the first boot");
  });

  test("without virtio (emulated disks keep sdX) a stale by-id link is still replaced", async () => {
    const { guest, inspection, source } = multiDiskGuest({
      kernels: { "6.1.0-13-amd64": "none" },
      fstab: "/dev/sda1 / ext4 errors=remount-ro 0 1\n/dev/disk/by-id/ata-VMware_Virtual_IDE_Hard_Drive_01-part5 none swap sw 0 0\n",
      filesystems: { "/dev/sda1": { TYPE: "ext4", UUID: "0d1e2f30-1111-2222-3333-444455556666" }, "/dev/sda5": { TYPE: "swap", UUID: "5a5a0001-aaaa-bbbb-cccc-ddddeeeeffff" } },
    });
    await convert(guest, inspection, source);
    expect(guest.file("/etc/fstab")).toBe("/dev/sda1 / ext4 errors=remount-ro 0 1\n/dev/disk/by-uuid/5a5a0001-aaaa-bbbb-cccc-ddddeeeeffff none swap sw 0 0\n");
  });
});

describe("UEFI guest", () => {
  test("inspection finds UEFI; the ESP line is kept (renamed like any partition), its GRUB stub untouched; the removable-path loader installed from shim; the target is UEFI q35", async () => {
    const { guest, source } = uefiGuest();
    const inspection = await inspectGuest(guest, { kind: "single" }, ["deb12-efi.vmdk"]);
    expect(inspection.firmware).toBe("uefi");
    expect(inspection.mountpoints).toEqual([{ mountpoint: "/", device: "/dev/sda2" }, { mountpoint: "/boot/efi", device: "/dev/sda1" }]);
    const { result } = await convert(guest, inspection, source);
    expect(guest.file("/etc/fstab")).toBe("/dev/vda2 / ext4 errors=remount-ro 0 1\n/dev/vda1 /boot/efi vfat umask=0077 0 1\n/dev/vda3 none swap sw 0 0\n");
    expect(guest.file("/boot/efi/EFI/debian/grub.cfg")).toBe(EFI_STUB_CFG);
    // The ESP had only EFI/debian (the NVRAM entry stays behind): shim becomes the fallback loader.
    expect(guest.ops.filter((o) => /^(write|cp|mv|rm|rm-rf|mkdir|upload) \/boot\/efi/.test(o))).toEqual([
      "mkdir /boot/efi/EFI/BOOT",
      "cp /boot/efi/EFI/debian/shimx64.efi /boot/efi/EFI/BOOT/BOOTX64.EFI",
      "cp /boot/efi/EFI/debian/grubx64.efi /boot/efi/EFI/BOOT/grubx64.efi",
      "cp /boot/efi/EFI/debian/grub.cfg /boot/efi/EFI/BOOT/grub.cfg",
    ]);
    expect(guest.file("/boot/efi/EFI/BOOT/BOOTX64.EFI")).toBe("shim");
    expect(result.changes.some((c) => c.startsWith("installed the removable-path boot loader /boot/efi/EFI/BOOT/BOOTX64.EFI from /boot/efi/EFI/debian (shim"))).toBe(true);
    expect(guest.file("/boot/grub/grub.cfg")).toContain("root=/dev/vda2 ro resume=/dev/vda3 quiet");
    expect(result.guestcaps).toMatchObject({ machine: "q35", blockBus: "virtio-blk" });
    expect(result.warnings).toEqual([]);
  });

  test("an ESP that already has EFI/BOOT/BOOTX64.EFI is not written to", async () => {
    const { guest, inspection, source } = uefiGuest({
      files: {
        "/boot/efi/EFI/debian/grub.cfg": EFI_STUB_CFG,
        "/boot/efi/EFI/debian/grubx64.efi": "grub efi",
        "/boot/efi/EFI/boot/bootx64.efi": "grub efi",
      },
    });
    await convert(guest, inspection, source);
    expect(guest.ops.filter((o) => /^(write|cp|mv|rm|rm-rf|mkdir|upload) \/boot\/efi/.test(o))).toEqual([]);
  });

  test("without virtio the UEFI guest keeps its sdX names (ESP included) and still gets q35 with sata", async () => {
    const { guest, inspection, source } = uefiGuest({ kernels: { "6.1.0-13-amd64": "none" } });
    const { result } = await convert(guest, inspection, { ...source, disks: source.disks.map((d) => ({ ...d, controller: "ide" as const })) });
    expect(guest.file("/etc/fstab")).toContain("/dev/sda1 /boot/efi vfat umask=0077 0 1\n");
    expect(result.guestcaps).toMatchObject({ machine: "q35", blockBus: "sata" });
  });
});

describe("a guest with two operating systems", () => {
  test("--root single refuses, naming both roots, before anything is mounted or changed", async () => {
    const g = multiRootGuest();
    const err = await inspectGuest(g, { kind: "single" }, ["two.vmdk"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(V2vError);
    expect((err as V2vError).code).toBe("MULTIPLE_OS");
    expect((err as V2vError).message).toContain("/dev/sda1 (Debian GNU/Linux 12 (bookworm)), /dev/sdb1 (Ubuntu 22.04.4 LTS)");
    expect(g.ops).toEqual([]);
  });

  test("--root /dev/sdb1 converts Ubuntu on the second disk, not the first root", async () => {
    const g = multiRootGuest();
    const inspection = await inspectGuest(g, { kind: "device", device: "/dev/sdb1" }, ["two.vmdk"]);
    expect(inspection).toMatchObject({ root: "/dev/sdb1", distro: "ubuntu" });
    const { result } = await convert(g, inspection, diskSource(2));
    expect(g.ops[0]).toBe("mount /dev/sdb1");
    expect(g.file("/etc/os-release")).toContain("Ubuntu 22.04.4 LTS");
    expect(g.file("/etc/fstab")).toBe("/dev/vdb1 / ext4 errors=remount-ro 0 1\n/dev/vdb5 none swap sw 0 0\n");
    expect(g.file("/boot/grub/grub.cfg")).toContain("root=/dev/vdb1 ro resume=/dev/vdb5");
    expect(result.warnings).toEqual([]);
  });

  test("--root first converts Debian on the first disk", async () => {
    const g = multiRootGuest();
    const inspection = await inspectGuest(g, { kind: "first" }, ["two.vmdk"]);
    await convert(g, inspection, diskSource(2));
    expect(g.ops[0]).toBe("mount /dev/sda1");
    expect(g.file("/etc/fstab")).toBe("/dev/vda1 / ext4 errors=remount-ro 0 1\n/dev/vda5 none swap sw 0 0\n");
  });
});
