// The SUSE family end to end on fake SLES 15 and openSUSE Leap 15 guests, and its pure
// INITRD_MODULES edit and initramfs tool choice.
import { describe, expect, test } from "vitest";
import { dracutBuilder } from "../../../../../src/converters/linux/dracut.js";
import type { InstalledKernel } from "../../../../../src/converters/linux/family.js";
import { suseGrub } from "../../../../../src/converters/linux/suse/family.js";
import { suseInitramfs, suseMkinitrdArgv, suseMkinitrdBuilder } from "../../../../../src/converters/linux/suse/initramfs.js";
import { editInitrdModules, initrdModulesEdit } from "../../../../../src/converters/linux/suse/sysconfig-kernel.js";
import { FakeGuest } from "../../../fakes/fake-guest.js";
import { LEAP15, opensuseGuest, rpmInspection, SLES15, SLES15_OLD, sles15Guest , commandLines, convertRpmGuest } from "./rpm-guests.js";



describe("SLES 15 (BIOS, Xen-born, dracut)", () => {
  const insp = rpmInspection("sles", 15, ["xe-guest-utilities", "kernel-default"]);

  test("rpm -e, dracut, grub2-mkconfig, in that order; -v names the SUSE family", async () => {
    const g = sles15Guest();
    const { r, reporter } = await convertRpmGuest(g, insp);
    expect(commandLines(g)).toEqual([
      "rpm -e --allmatches 'xe-guest-utilities'",
      `dracut --force --no-hostonly /boot/initrd-${SLES15} ${SLES15}`,
      "grub2-mkconfig -o /boot/grub2/grub.cfg",
      "findmnt -n -o SOURCE --mountpoint / || true",
    ]);
    expect(reporter.lines).toContainEqual({ type: "info", text: "converting sles with the suse family: GRUB configuration /boot/grub2/grub.cfg" });
    expect(r.defaultKernel).toBe(SLES15);
    expect(r.warnings).toEqual([]);
  });

  test("INITRD_MODULES loses the Xen drivers and gains virtio before dracut runs; DOMU_INITRD_MODULES only loses them", async () => {
    const g = sles15Guest();
    const { r } = await convertRpmGuest(g, insp);
    expect(g.file("/etc/sysconfig/kernel")).toBe(
      '## Type: string\nINITRD_MODULES="ahci virtio_blk virtio_scsi virtio_net"\nDOMU_INITRD_MODULES=""\nMODULES_LOADED_ON_BOOT=""\n');
    expect(r.changes).toContain("removed the Xen drivers xenblk, xen-vbd, xennet, xenblk and added virtio_blk, virtio_scsi, virtio_net to INITRD_MODULES in /etc/sysconfig/kernel");
    expect(g.ops.indexOf("write /etc/sysconfig/kernel")).toBeLessThan(g.ops.findIndex((o) => o.startsWith("command dracut")));
    expect(g.file("/etc/dracut.conf.d/60-v2v-virtio.conf")).toContain('add_drivers+=" virtio_blk virtio_scsi virtio_net "');
  });

  test("xvda names become vda in fstab and grub.cfg; hvc0 becomes ttyS0", async () => {
    const g = sles15Guest();
    await convertRpmGuest(g, insp);
    expect(g.file("/etc/fstab")).toBe("/dev/vda1 / btrfs defaults 0 0\n/dev/vda2 swap swap defaults 0 0\n");
    expect(g.file("/boot/grub2/grub.cfg")).toContain(`linux16 /boot/vmlinuz-${SLES15} root=/dev/vda1 ro splash=silent resume=/dev/vda2 console=ttyS0 quiet`);
  });

  test("the VMware zypper repository is disabled", async () => {
    const g = sles15Guest();
    await convertRpmGuest(g, insp);
    expect(g.file("/etc/zypp/repos.d/vmware.repo")).toContain("[VMware-Tools]\nname=VMware Tools\nenabled=0\n");
    expect(g.file("/etc/zypp/repos.d/SLE-Module-Basesystem.repo")).toContain("enabled=1");
  });

  test("no dracut: SUSE's mkinitrd with -m, -i and -k; it reads the edited INITRD_MODULES", async () => {
    const g = sles15Guest({ dracut: false });
    await convertRpmGuest(g, insp);
    expect(commandLines(g)).toContain(`mkinitrd -m virtio_blk virtio_scsi virtio_net -i /boot/initrd-${SLES15} -k /boot/vmlinuz-${SLES15}`);
    expect(g.calls.find((c) => c.argv[0] === "mkinitrd")!.argv).toEqual(
      ["mkinitrd", "-m", "virtio_blk virtio_scsi virtio_net", "-i", `/boot/initrd-${SLES15}`, "-k", `/boot/vmlinuz-${SLES15}`]);
    expect(g.file(`/boot/initrd-${SLES15}`)).toContain('INITRD_MODULES="ahci virtio_blk virtio_scsi virtio_net"');
  });

  test("the newest kernel lacks virtio: no grubby on SUSE, so GRUB_DEFAULT names the older entry", async () => {
    const g = sles15Guest({ newestHasVirtio: false });
    const { r } = await convertRpmGuest(g, insp);
    expect(commandLines(g).filter((l) => l.startsWith("grub2-mkconfig"))).toHaveLength(2);
    expect(g.file("/etc/default/grub")).toContain(`GRUB_DEFAULT="gnulinux-${SLES15_OLD}-advanced-`);
    expect(r.defaultKernel).toBe(SLES15_OLD);
  });
});

describe("openSUSE Leap 15 (UEFI, NetworkManager)", () => {
  const insp = rpmInspection("opensuse", 15, ["open-vm-tools"], "uefi", { "/": "/dev/sda1", "/boot/efi": "/dev/sda3" });

  test("/boot/grub2/grub.cfg is regenerated (the ESP's is a stub); the keyfile loses mac-address; SELinux off: no relabel", async () => {
    const g = opensuseGuest();
    const { r } = await convertRpmGuest(g, insp);
    expect(commandLines(g)).toEqual([
      "rpm -e --allmatches 'open-vm-tools'",
      `dracut --force --no-hostonly /boot/initrd-${LEAP15} ${LEAP15}`,
      "grub2-mkconfig -o /boot/grub2/grub.cfg",
      "findmnt -n -o SOURCE --mountpoint / || true",
      "findmnt -n -o SOURCE --mountpoint /boot/efi || true",
    ]);
    expect(g.file("/etc/NetworkManager/system-connections/Wired.nmconnection")).toBe("[connection]\nid=Wired\ntype=ethernet\n[ethernet]\n");
    expect(g.file("/.autorelabel")).toBeUndefined();
    expect(g.file("/etc/sysconfig/kernel")).toBe('INITRD_MODULES="virtio_blk virtio_scsi virtio_net"\n');
    expect(r.defaultKernel).toBe(LEAP15);
  });
});

describe("SUSE's parts", () => {
  test("editInitrdModules keeps quotes and comments, accepts - or _, adds only what is missing", () => {
    expect(editInitrdModules("INITRD_MODULES='xen_vnif virtio-blk' # x\n", ["virtio_blk", "virtio_net"]))
      .toEqual({ text: "INITRD_MODULES='virtio-blk virtio_net' # x\n", removed: ["xen_vnif"], added: ["virtio_net"] });
    expect(editInitrdModules("INITRD_MODULES=ahci\n", ["virtio_blk"])).toEqual({ text: 'INITRD_MODULES="ahci virtio_blk"\n', removed: [], added: ["virtio_blk"] });
    const same = 'INITRD_MODULES="virtio_blk"\n# INITRD_MODULES="xenblk"\n';
    expect(editInitrdModules(same, ["virtio_blk"])).toEqual({ text: same, removed: [], added: [] });
  });

  test("emulated target: only the Xen drivers go", () => {
    const r = initrdModulesEdit.apply([{ path: "/etc/sysconfig/kernel", text: 'INITRD_MODULES="xennet ahci"\n' }], { virtioModules: [] });
    expect(r).toEqual({
      written: [{ path: "/etc/sysconfig/kernel", text: 'INITRD_MODULES="ahci"\n' }],
      changes: ["removed the Xen drivers xennet in /etc/sysconfig/kernel"], warnings: [],
    });
    expect(initrdModulesEdit.apply([], { virtioModules: ["virtio_blk"] }).written).toEqual([]);
    expect(initrdModulesEdit.apply([{ path: "/etc/sysconfig/kernel", text: 'INITRD_MODULES="virtio_blk"\n' }], { virtioModules: ["virtio_blk"] }))
      .toEqual({ written: [], changes: [], warnings: [] });
    expect(initrdModulesEdit.apply([{ path: "/etc/sysconfig/kernel", text: "INITRD_MODULES=\"\"\n" }], { virtioModules: ["virtio_blk"] }).changes)
      .toEqual(["added virtio_blk to INITRD_MODULES in /etc/sysconfig/kernel"]);
  });

  test("dracut first, SUSE's mkinitrd next, else a refusal; the paths of GRUB", async () => {
    const k = { version: SLES15, vmlinuz: `/boot/vmlinuz-${SLES15}` } as InstalledKernel;
    expect(await suseInitramfs.findBuilder(new FakeGuest({ files: { "/usr/bin/dracut": "", "/sbin/mkinitrd": "" } }), k)).toBe(dracutBuilder);
    expect(await suseInitramfs.findBuilder(new FakeGuest({ files: { "/sbin/mkinitrd": "" } }), k)).toBe(suseMkinitrdBuilder);
    await expect(suseInitramfs.findBuilder(new FakeGuest(), k)).rejects.toThrow(/neither dracut nor mkinitrd/);
    expect(suseMkinitrdArgv("/boot/initrd-1", "/boot/vmlinuz-1", ["a", "b"])).toEqual(["mkinitrd", "-m", "a b", "-i", "/boot/initrd-1", "-k", "/boot/vmlinuz-1"]);
    expect(suseGrub).toMatchObject({ cfgPath: "/boot/grub2/grub.cfg", envPath: "/boot/grub2/grubenv", deviceMapPath: "/boot/grub2/device.map" });
    expect(suseGrub.bls).toBeUndefined();
  });
});
