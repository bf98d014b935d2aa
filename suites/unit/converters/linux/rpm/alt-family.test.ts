// The ALT family end to end on a fake ALT p10 guest, and make-initrd's configuration.
import { describe, expect, test } from "vitest";
import { addMakeInitrdModules, altInitramfs, makeInitrdBuilder } from "../../../../../src/converters/linux/alt/make-initrd.js";
import { LINUX_FAMILIES, linuxConverter } from "../../../../../src/converters/linux/convert-linux.js";
import type { InstalledKernel } from "../../../../../src/converters/linux/family.js";
import { StepLog } from "../../../../../src/converters/step-log.js";
import { RecordingReporter } from "../../../../../src/model/messages.js";
import { FakeGuest } from "../../../fakes/fake-guest.js";
import { ALT10, ALT10_OLD, altGuest, rpmInspection , commandLines, convertRpmGuest } from "./rpm-guests.js";

const insp = rpmInspection("altlinux", 10, ["open-vm-tools", "make-initrd"]);



describe("ALT p10 (BIOS, make-initrd)", () => {
  test("rpm -e, make-initrd -k, grub-mkconfig, in that order; -v names the ALT family", async () => {
    const g = altGuest();
    const { r, reporter } = await convertRpmGuest(g, insp);
    expect(commandLines(g)).toEqual([
      "rpm -e --allmatches 'open-vm-tools'",
      `make-initrd -k ${ALT10}`,
      "grub-mkconfig -o /boot/grub/grub.cfg",
      "findmnt -n -o SOURCE --mountpoint / || true",
    ]);
    expect(reporter.lines).toContainEqual({ type: "info", text: "converting altlinux with the alt family: GRUB configuration /boot/grub/grub.cfg" });
    expect(r.defaultKernel).toBe(ALT10);
    expect(r.warnings).toEqual([]);
  });

  test("MODULES_ADD gets the virtio drivers before make-initrd runs; the old image is kept", async () => {
    const g = altGuest();
    const { r } = await convertRpmGuest(g, insp);
    expect(g.file("/etc/initrd.mk")).toBe(
      "AUTODETECT = all\nMODULES_ADD += ahci\n# virtio drivers for the KVM target, added by v2v\nMODULES_ADD += virtio_blk virtio_scsi virtio_net\n");
    expect(g.file(`/boot/initrd-${ALT10}.img`)).toContain("make-initrd image\nAUTODETECT = all\nMODULES_ADD += ahci\n# virtio");
    expect(g.file(`/boot/initrd-${ALT10}.img.pre-v2v`)).toBe(`original initramfs ${ALT10}`);
    expect(r.changes).toContain("added virtio_blk, virtio_scsi, virtio_net to MODULES_ADD in /etc/initrd.mk");
  });

  test("/etc/sysconfig/grub2, fstab and grub.cfg name vda; the NIC alias becomes virtio_net", async () => {
    const g = altGuest();
    await convertRpmGuest(g, insp);
    expect(g.file("/etc/sysconfig/grub2")).toContain('GRUB_CMDLINE_LINUX_DEFAULT="quiet resume=/dev/vda2 panic=30 splash"');
    expect(g.file("/etc/fstab")).toBe("proc /proc proc nosuid,noexec,gid=proc 0 0\n/dev/vda1 / ext4 relatime 1 1\n/dev/vda2 swap swap defaults 0 0\n");
    expect(g.file("/boot/grub/grub.cfg")).toContain(`linux16 /boot/vmlinuz-${ALT10} root=/dev/vda1 ro quiet resume=/dev/vda2 panic=30 splash`);
    expect(g.file("/etc/modprobe.d/vmware.conf")).toBe("alias eth0 virtio_net\n");
  });

  test("the newest kernel lacks virtio: GRUB_DEFAULT in /etc/sysconfig/grub2 picks the older one", async () => {
    const g = altGuest({ newestHasVirtio: false });
    const { r } = await convertRpmGuest(g, insp);
    expect(commandLines(g)).toContain(`make-initrd -k ${ALT10_OLD}`);
    expect(g.file("/etc/sysconfig/grub2")).toContain(`GRUB_DEFAULT="gnulinux-${ALT10_OLD}-advanced-`);
    expect(r.defaultKernel).toBe(ALT10_OLD);
  });
});

describe("make-initrd", () => {
  test("MODULES_ADD: only what is missing, - and _ alike, after a final newline", () => {
    expect(addMakeInitrdModules("MODULES_ADD = virtio-blk\nMODULES_ADD+=virtio_net", ["virtio_blk", "virtio_net", "virtio_pci"])).toEqual({
      text: "MODULES_ADD = virtio-blk\nMODULES_ADD+=virtio_net\n# virtio drivers for the KVM target, added by v2v\nMODULES_ADD += virtio_pci\n", added: ["virtio_pci"],
    });
    expect(addMakeInitrdModules("# MODULES_ADD += virtio_blk\n", ["virtio_blk"]).added).toEqual(["virtio_blk"]);
    expect(addMakeInitrdModules("MODULES_ADD += virtio_blk\n", ["virtio_blk"])).toEqual({ text: "MODULES_ADD += virtio_blk\n", added: [] });
    expect(addMakeInitrdModules("", ["a"]).text).toBe("# virtio drivers for the KVM target, added by v2v\nMODULES_ADD += a\n");
  });

  test("a guest without /etc/initrd.mk gets one; bad module names and a missing make-initrd are refused", async () => {
    const k = { version: ALT10 } as InstalledKernel;
    const g = new FakeGuest({ files: { "/usr/sbin/make-initrd": "" }, dirs: ["/etc"] });
    g.on(/^make-initrd -k /, "");
    expect(await altInitramfs.findBuilder(g, k)).toBe(makeInitrdBuilder);
    await makeInitrdBuilder.rebuild(g, k, "/boot/x", ["virtio_blk"], new StepLog(new RecordingReporter()));
    expect(g.file("/etc/initrd.mk")).toBe("# virtio drivers for the KVM target, added by v2v\nMODULES_ADD += virtio_blk\n");
    expect(g.commandTexts).toEqual([`make-initrd -k ${ALT10}`]);
    await expect(makeInitrdBuilder.rebuild(g, k, "/boot/x", ["virtio_blk", "a b"], new StepLog(new RecordingReporter()))).rejects.toThrow(/not a module name/);
    // Already listed: no write, no change logged, make-initrd still runs.
    const log = new StepLog(new RecordingReporter());
    const opsBefore = g.ops.length;
    await makeInitrdBuilder.rebuild(g, k, "/boot/x", ["virtio_blk"], log);
    expect(g.ops.slice(opsBefore)).toEqual([`command make-initrd -k ${ALT10}`]);
    expect(log.changes).toEqual([]);
    await expect(altInitramfs.findBuilder(new FakeGuest(), k)).rejects.toThrow(
      `the guest has no make-initrd, so the initramfs of kernel ${ALT10} cannot be rebuilt with the virtio drivers; install make-initrd in the guest and convert it again.`);
  });
});

describe("the registered Linux families", () => {
  test("one per family, in order, and the refusal lists what each converts", () => {
    expect(LINUX_FAMILIES.map((f) => f.name)).toEqual(["debian", "rhel", "suse", "alt"]);
    expect(linuxConverter.supports).toBe(
      "Debian-family Linux, RHEL-family Linux (RHEL, CentOS, Rocky, AlmaLinux, Oracle, Scientific, Fedora), SUSE-family Linux (SLES, openSUSE), ALT Linux");
    expect(linuxConverter.handles({ ...insp, distro: "gentoo" })).toBe(false);
    expect(linuxConverter.handles({ ...insp, osType: "windows" })).toBe(false);
  });
});
