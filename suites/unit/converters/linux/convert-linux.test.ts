import { describe, expect, test } from "vitest";
import { convertGuest } from "../../../../src/converters/convert.js";
import { linuxConverter } from "../../../../src/converters/linux/convert-linux.js";
import { NO_VIRTIO_WARNING } from "../../../../src/converters/linux/linux-converter.js";
import { V2vError } from "../../../../src/model/errors.js";
import { debianInspection, makeDebianGuest, oneDiskSource, ROOT_UUID, testContext } from "./debian-guest.js";

const convert = async (g: ReturnType<typeof makeDebianGuest>, packages: readonly string[] = []) => {
  const { ctx, reporter } = testContext();
  // Through the convert step, so the target's decision (guestcaps) is part of what is checked.
  const result = await convertGuest([linuxConverter], g, debianInspection(packages), oneDiskSource(), ctx);
  return { result, reporter };
};

/** Index of the first call whose text contains `needle`; -1 when none. */
const callIndex = (texts: readonly string[], needle: string | RegExp): number =>
  texts.findIndex((t) => (typeof needle === "string" ? t.includes(needle) : needle.test(t)));

describe("linuxConverter.handles", () => {
  test("the registered families' distros only", () => {
    const insp = debianInspection();
    for (const distro of ["debian", "ubuntu", "linuxmint", "kalilinux", "rhel", "fedora", "rocky", "sles", "opensuse", "altlinux"]) expect(linuxConverter.handles({ ...insp, distro })).toBe(true);
    expect(linuxConverter.handles({ ...insp, distro: "archlinux" })).toBe(false);
    expect(linuxConverter.handles({ ...insp, osType: "windows", distro: "windows" })).toBe(false);
  });
});

describe("converting a Debian 12 guest with virtio modules", () => {
  test("runs dpkg --purge, update-initramfs, update-grub in that order", async () => {
    const g = makeDebianGuest();
    await convert(g, ["open-vm-tools"]);
    const texts = g.commandTexts;
    const purge = callIndex(texts, /dpkg --purge 'open-vm-tools'/);
    const initramfs = callIndex(texts, "update-initramfs -u -k 6.1.0-13-amd64");
    const grub = callIndex(texts, /\nupdate-grub\n/);
    expect(purge).toBeGreaterThanOrEqual(0);
    expect(initramfs).toBeGreaterThan(purge);
    expect(grub).toBeGreaterThan(initramfs);
    // The fourth command asks the kernel which device / is on (appliance-names.ts).
    expect(texts).toHaveLength(4);
    expect(texts[3]).toMatch(/^findmnt -n -o SOURCE --mountpoint \/ /);
    expect(g.calls[0]!.script).toContain("export DEBIAN_FRONTEND=noninteractive");
  });

  test("returns virtio guestcaps and the default kernel", async () => {
    const { result } = await convert(makeDebianGuest());
    expect(result.guestcaps).toEqual({
      blockBus: "virtio-blk", nicModel: "virtio-net", machine: "q35", virtioDrivers: true, virtioRng: true, virtioBalloon: true, acpi: true,
    });
    expect(result.defaultKernel).toBe("6.1.0-13-amd64");
    expect(result.warnings).toEqual([]);
  });

  test("edits the guest's files before rebuilding the initramfs", async () => {
    const g = makeDebianGuest();
    const { result, reporter } = await convert(g);
    expect(g.file("/etc/fstab")).toBe("# /etc/fstab\n/dev/vda1 / ext4 errors=remount-ro 0 1\n/dev/vda5 none swap sw 0 0\n/dev/sr0 /media/cdrom0 udf,iso9660 user,noauto 0 0\n");
    expect(g.file("/etc/default/grub")).toContain('GRUB_CMDLINE_LINUX="console=ttyS0 resume=/dev/vda5"');
    expect(g.file("/etc/initramfs-tools/conf.d/resume")).toBe("RESUME=/dev/vda5\n");
    expect(g.file("/etc/lvm/cache/.cache")).toBeUndefined();
    expect(g.file("/boot/initrd.img-6.1.0-13-amd64.pre-v2v")).toBe("original initrd 6.1.0-13-amd64");
    // What the fake update-initramfs baked in: the virtio modules, the renamed RESUME=, no stale LVM cache.
    expect(g.file("/boot/initrd.img-6.1.0-13-amd64")).toBe(
      "rebuilt initrd with ata_piix,ahci,sd_mod,ext4,virtio_pci,virtio_blk,virtio_scsi,virtio_net\nRESUME=/dev/vda5\nLVM caches: none\n");
    expect(result.changes).toEqual([
      "removed /etc/lvm/cache/.cache, a device cache that names the source disks",
      "renamed devices in /etc/fstab: /dev/sda1 -> /dev/vda1, /dev/sda5 -> /dev/vda5",
      "renamed devices in /etc/default/grub: /dev/sda5 -> /dev/vda5",
      "renamed devices in /etc/initramfs-tools/conf.d/resume: /dev/sda5 -> /dev/vda5",
      "replaced the Xen console (xvc0/hvc0) by ttyS0 in /etc/default/grub",
      "kept the previous initramfs as /boot/initrd.img-6.1.0-13-amd64.pre-v2v",
      "added virtio_pci, virtio_blk, virtio_scsi, virtio_net to /etc/initramfs-tools/modules",
      "rebuilt /boot/initrd.img-6.1.0-13-amd64 with virtio_pci, virtio_blk, virtio_scsi, virtio_net",
      "regenerated /boot/grub/grub.cfg with update-grub",
      "renamed appliance device names in /boot/grub/grub.cfg: /dev/sda1 -> /dev/vda1",
    ]);
    expect(reporter.lines.filter((l) => l.type === "info").map((l) => l.text)).toEqual(expect.arrayContaining([...result.changes]));
  });

  test("fixes the appliance name grub-mkconfig wrote into grub.cfg", async () => {
    const g = makeDebianGuest();
    const { result } = await convert(g);
    const cfg = g.file("/boot/grub/grub.cfg")!;
    expect(cfg).not.toContain("/dev/sda");
    expect(cfg).toContain("root=/dev/vda1 ro console=ttyS0 resume=/dev/vda5 quiet");
    expect(result.changes.some((c) => c.includes("/dev/sda1 -> /dev/vda1") && c.includes("grub.cfg"))).toBe(true);
  });

  test("with UUIDs in grub.cfg nothing needs fixing and root= resolves through blkid", async () => {
    const g = makeDebianGuest({ grubDefaults: 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX=""\n' });
    const { result } = await convert(g);
    expect(g.file("/boot/grub/grub.cfg")).toContain(`root=UUID=${ROOT_UUID}`);
    expect(result.changes.some((c) => c.includes("appliance device names"))).toBe(false);
  });

  test("a device with no source disk behind it is a warning; Xen gettys move to ttyS0", async () => {
    const g = makeDebianGuest({ fstab: "/dev/sda1 / ext4 defaults 0 1\n/dev/sdb1 /srv ext4 defaults 0 2\n" });
    g.setFile("/etc/inittab", "co:2345:respawn:/sbin/getty hvc0 9600 linux\n");
    const { result } = await convert(g);
    expect(g.file("/etc/fstab")).toBe("/dev/vda1 / ext4 defaults 0 1\n/dev/sdb1 /srv ext4 defaults 0 2\n");
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/\/etc\/fstab names \/dev\/sdb1/);
    expect(g.file("/etc/inittab")).toBe("co:2345:respawn:/sbin/getty ttyS0 9600 linux\n");
  });

  test("only packages that are installed are purged; none means no package command", async () => {
    const g = makeDebianGuest();
    await convert(g, ["qemu-guest-agent"]);
    expect(g.commandTexts.some((t) => t.includes("apt-get") || t.includes("dpkg"))).toBe(false);
  });
});

describe("kernel choice", () => {
  test("an older kernel with virtio wins over a newer one without, and becomes GRUB's default", async () => {
    const g = makeDebianGuest({ kernels: { "6.1.0-13-amd64": "none", "6.1.0-9-amd64": "ko.xz" } });
    const { result } = await convert(g);
    expect(result.defaultKernel).toBe("6.1.0-9-amd64");
    expect(g.file("/etc/default/grub")).toContain(`GRUB_DEFAULT="gnulinux-advanced-${ROOT_UUID}>gnulinux-6.1.0-9-amd64-advanced-${ROOT_UUID}"`);
    expect(g.commandTexts.filter((t) => /\nupdate-grub\n/.test(t))).toHaveLength(2);
    expect(g.commandTexts).toContain("update-initramfs -u -k 6.1.0-9-amd64");
  });

  test("the newest of several virtio kernels is chosen by Debian version order", async () => {
    const g = makeDebianGuest({ kernels: { "6.1.0-9-amd64": "ko.xz", "6.1.0-13-amd64": "config-y", "5.10.0-26-amd64": "ko" } });
    const { result } = await convert(g);
    expect(result.defaultKernel).toBe("6.1.0-13-amd64");
    expect(g.commandTexts).toContain("update-initramfs -u -k 6.1.0-13-amd64");
  });
});

describe("fallback when no kernel has virtio", () => {
  test("emulated devices, a warning, device names kept, no initramfs rebuild", async () => {
    const g = makeDebianGuest({ kernels: { "6.1.0-13-amd64": "none" } });
    const { result, reporter } = await convert(g, ["open-vm-tools"]);
    expect(result.guestcaps).toMatchObject({ blockBus: "sata", nicModel: "e1000", virtioDrivers: false, virtioRng: false, virtioBalloon: false });
    expect(result.warnings).toEqual([NO_VIRTIO_WARNING]);
    expect(reporter.lines).toContainEqual({ type: "warning", text: NO_VIRTIO_WARNING });
    expect(g.file("/etc/fstab")).toContain("/dev/sda1 / ext4");
    expect(g.commandTexts.some((t) => t.includes("update-initramfs"))).toBe(false);
    expect(g.commandTexts.some((t) => /\nupdate-grub\n/.test(t))).toBe(true);
    expect(g.file("/boot/grub/grub.cfg")).toContain("root=/dev/sda1");
    expect(result.defaultKernel).toBe("6.1.0-13-amd64");
  });
});

describe("failures", () => {
  test("no grub.cfg: CONVERSION error before anything changes", async () => {
    const g = makeDebianGuest({ noGrubCfg: true });
    const err = await convert(g, ["open-vm-tools"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(V2vError);
    expect((err as V2vError).code).toBe("CONVERSION");
    expect((err as V2vError).message).toContain("/boot/grub/grub.cfg");
    expect(g.ops).toEqual([]);
  });

  test("no kernel in /boot: CONVERSION error before anything changes", async () => {
    const g = makeDebianGuest({ kernels: {} });
    const err = await convert(g, ["open-vm-tools"]).catch((e: unknown) => e);
    expect((err as V2vError).code).toBe("CONVERSION");
    expect((err as V2vError).message).toContain("/boot/vmlinuz-*");
    expect(g.ops).toEqual([]);
  });

  test("root= that matches no filesystem stops the conversion", async () => {
    const g = makeDebianGuest();
    g.on(/\nupdate-grub\n/, (_c, guest) => { guest.setFile("/boot/grub/grub.cfg", "menuentry 'D' {\n\tlinux /boot/vmlinuz-6.1.0-13-amd64 root=UUID=0000-dead ro\n}\n"); });
    const err = await convert(g).catch((e: unknown) => e);
    expect((err as V2vError).code).toBe("CONVERSION");
    expect((err as V2vError).message).toMatch(/root=UUID=0000-dead.*no filesystem has UUID/);
  });

  test("a failing update-initramfs is a CONVERSION error naming the command", async () => {
    const g = makeDebianGuest();
    g.on("update-initramfs", new Error("E: /boot: No space left on device"));
    const err = await convert(g).catch((e: unknown) => e);
    expect((err as V2vError).code).toBe("CONVERSION");
    expect((err as V2vError).message).toContain('"update-initramfs -u -k 6.1.0-13-amd64" failed in the guest');
    expect((err as V2vError).message).toContain("No space left on device");
  });

  test("dpkg refusing falls back to apt-get purge; both failing is only a warning", async () => {
    const g1 = makeDebianGuest();
    g1.on("dpkg --purge", new Error("dpkg: dependency problems prevent removal of open-vm-tools"));
    const r1 = await convert(g1, ["open-vm-tools", "open-vm-tools-desktop"]);
    expect(g1.commandTexts.some((t) => t.includes("apt-get -y purge 'open-vm-tools' 'open-vm-tools-desktop'"))).toBe(true);
    expect(r1.result.warnings).toEqual([]);

    const g2 = makeDebianGuest();
    g2.on("apt-get", new Error("apt broken")).on("dpkg --purge", new Error("dpkg broken"));
    const r2 = await convert(g2, ["xe-guest-utilities"]);
    expect(r2.result.warnings).toHaveLength(1);
    expect(r2.result.warnings[0]).toContain("xe-guest-utilities");
    expect(r2.result.guestcaps.virtioDrivers).toBe(true);
  });
});
