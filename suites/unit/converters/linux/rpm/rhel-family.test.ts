// The RHEL family end to end on fake RHEL 9, Rocky 8 (UEFI) and CentOS 7 guests: the guest
// commands and their order, and the files each step edits. Each step has an assertion that fails
// when the step is left out.
import { describe, expect, test } from "vitest";
import {
  blsPath, C7_NEW, C7_OLD, centos7Guest, MACHINE_ID, RHEL9_NEW, RHEL9_OLD, rhel9Guest, ROCKY8, rocky8Guest, rpmInspection,
  commandLines, convertRpmGuest,
} from "./rpm-guests.js";



describe("RHEL 9 (BIOS, BLS entries, NetworkManager keyfile)", () => {
  const insp = rpmInspection("rhel", 9, ["kernel-core", "open-vm-tools", "open-vm-tools-desktop", "bash"]);

  test("rpm -e, dracut, grub2-mkconfig, in that order; the newest kernel is already the default, so no grubby", async () => {
    const g = rhel9Guest();
    const { r, reporter } = await convertRpmGuest(g, insp);
    expect(commandLines(g)).toEqual([
      "rpm -e --allmatches 'open-vm-tools' 'open-vm-tools-desktop'",
      `dracut --force --no-hostonly /boot/initramfs-${RHEL9_NEW}.img ${RHEL9_NEW}`,
      "grub2-mkconfig -o /boot/grub2/grub.cfg",
      "findmnt -n -o SOURCE --mountpoint / || true",
    ]);
    // Stale rpm database locks go before rpm runs.
    expect(g.commandTexts[0]).toMatch(/\nrm -f \/var\/lib\/rpm\/__db\.00\?\nrpm -e --allmatches /);
    expect(r.changes).toContain("removed other hypervisors' guest tools: open-vm-tools open-vm-tools-desktop (rpm -e --allmatches)");
    expect(r.defaultKernel).toBe(RHEL9_NEW);
    expect(r.warnings).toEqual([]);
    expect(reporter.lines.filter((l) => l.type === "warning")).toEqual([]);
  });

  test("says with -v that the RHEL family converts it", async () => {
    const { reporter } = await convertRpmGuest(rhel9Guest(), insp);
    expect(reporter.lines).toContainEqual({ type: "info", text: "converting rhel with the rhel family: GRUB configuration /boot/grub2/grub.cfg" });
  });

  test("the BLS options lines, /etc/kernel/cmdline and GRUB_CMDLINE_LINUX name virtio devices and ttyS0", async () => {
    const g = rhel9Guest();
    const { r } = await convertRpmGuest(g, insp);
    for (const v of [RHEL9_NEW, RHEL9_OLD]) {
      expect(g.file(blsPath(v))).toContain("\noptions root=/dev/vda1 ro resume=/dev/vda2 console=ttyS0 crashkernel=1G-4G:192M\n");
      expect(g.file(blsPath(v))).toContain(`\nlinux /vmlinuz-${v}\n`);
    }
    expect(g.file("/etc/kernel/cmdline")).toBe("root=/dev/vda1 ro resume=/dev/vda2 console=ttyS0 crashkernel=1G-4G:192M\n");
    expect(g.file("/etc/default/grub")).toContain('GRUB_CMDLINE_LINUX="resume=/dev/vda2 console=ttyS0 crashkernel=1G-4G:192M"');
    expect(g.file("/etc/fstab")).toBe("/dev/vda1 / xfs defaults 0 0\n/dev/vda2 none swap defaults 0 0\n");
    expect(r.changes).toContain(`renamed devices in ${blsPath(RHEL9_NEW)}: /dev/sda1 -> /dev/vda1, /dev/sda2 -> /dev/vda2`);
    expect(r.changes).toContain(`replaced the Xen console (xvc0/hvc0) by ttyS0 in ${blsPath(RHEL9_NEW)}`);
    expect(r.changes).toContain("replaced the Xen console (xvc0/hvc0) by ttyS0 in /etc/kernel/cmdline");
  });

  test("dracut gets the virtio drivers in its own configuration; the old image is kept", async () => {
    const g = rhel9Guest();
    await convertRpmGuest(g, insp);
    expect(g.file("/etc/dracut.conf.d/60-v2v-virtio.conf")).toContain('add_drivers+=" virtio_blk virtio_scsi virtio_net "');
    expect(g.file(`/boot/initramfs-${RHEL9_NEW}.img`)).toContain("dracut image\n");
    expect(g.file(`/boot/initramfs-${RHEL9_NEW}.img.pre-v2v`)).toBe(`original initramfs ${RHEL9_NEW}`);
  });

  test("the NetworkManager keyfile loses mac-address=, and says why", async () => {
    const g = rhel9Guest();
    const { r } = await convertRpmGuest(g, insp);
    const path = "/etc/NetworkManager/system-connections/ens192.nmconnection";
    expect(g.file(path)).toBe("[connection]\nid=ens192\ntype=ethernet\ninterface-name=ens192\n\n[ethernet]\n\n[ipv4]\nmethod=auto\n");
    expect(r.changes).toContain(`removed mac-address=00:50:56:AB:CD:EF from ${path} so that it applies to the target's NIC whatever its MAC address`);
  });

  test("the VMware yum repository is disabled, the others stay; SELinux relabels at the first boot", async () => {
    const g = rhel9Guest();
    const { r } = await convertRpmGuest(g, insp);
    expect(g.file("/etc/yum.repos.d/vmware-tools.repo")).toBe(
      "[vmware-tools]\nname=VMware Tools\nbaseurl=https://packages.vmware.com/packages/rhel9/x86_64/\nenabled=0\ngpgcheck=1\n");
    expect(g.file("/etc/yum.repos.d/redhat.repo")).toContain("enabled=1");
    expect(g.file("/.autorelabel")).toBe("");
    expect(r.changes.some((c) => c.startsWith("created /.autorelabel"))).toBe(true);
  });

  test("the newest kernel lacks virtio: grubby makes the older one the default, after grub2-mkconfig", async () => {
    const g = rhel9Guest({ newestHasVirtio: false });
    const { r } = await convertRpmGuest(g, insp);
    const lines = commandLines(g);
    expect(lines).toContain(`grubby --set-default /boot/vmlinuz-${RHEL9_OLD}`);
    expect(lines.indexOf(`grubby --set-default /boot/vmlinuz-${RHEL9_OLD}`)).toBeGreaterThan(lines.indexOf("grub2-mkconfig -o /boot/grub2/grub.cfg"));
    expect(lines).toContain(`dracut --force --no-hostonly /boot/initramfs-${RHEL9_OLD}.img ${RHEL9_OLD}`);
    expect(g.file("/boot/grub2/grubenv")).toContain(`saved_entry=${MACHINE_ID}-${RHEL9_OLD}\n`);
    expect(g.file("/boot/grub2/grubenv")).toHaveLength(1024);
    expect(r.changes).toContain(`made /boot/vmlinuz-${RHEL9_OLD} the default kernel with grubby --set-default: it has the virtio drivers`);
    expect(r.defaultKernel).toBe(RHEL9_OLD);
    expect(r.warnings).toEqual([]);
  });
});

describe("Rocky 8 (UEFI: grub.cfg on the ESP, $kernelopts in grubenv, ifcfg)", () => {
  const insp = rpmInspection("rocky", 8, ["open-vm-tools"], "uefi", { "/": "/dev/sda1", "/boot/efi": "/dev/sda3" });

  test("grub2-mkconfig writes the ESP's grub.cfg", async () => {
    const g = rocky8Guest();
    const { r } = await convertRpmGuest(g, insp);
    expect(commandLines(g)).toEqual([
      "rpm -e --allmatches 'open-vm-tools'",
      `dracut --force --no-hostonly /boot/initramfs-${ROCKY8}.img ${ROCKY8}`,
      "grub2-mkconfig -o /boot/efi/EFI/rocky/grub.cfg",
      "findmnt -n -o SOURCE --mountpoint / || true",
      "findmnt -n -o SOURCE --mountpoint /boot/efi || true",
    ]);
    expect(r.defaultKernel).toBe(ROCKY8);
  });

  test("kernelopts in grubenv names virtio devices and ttyS0, and grubenv stays 1024 bytes", async () => {
    const g = rocky8Guest();
    const { r } = await convertRpmGuest(g, insp);
    const env = g.file("/boot/efi/EFI/rocky/grubenv")!;
    expect(env).toHaveLength(1024);
    expect(env).toContain("\nkernelopts=root=/dev/vda1 ro resume=/dev/vda2 console=ttyS0\n");
    expect(r.changes).toContain("renamed appliance device names in /boot/efi/EFI/rocky/grubenv: /dev/sda1 -> /dev/vda1");
    expect(g.file(blsPath(ROCKY8))).toContain("\noptions $kernelopts $tuned_params\n");
  });

  test("ifcfg loses HWADDR= and keeps the rest; ifcfg-lo is not touched", async () => {
    const g = rocky8Guest();
    const { r } = await convertRpmGuest(g, insp);
    expect(g.file("/etc/sysconfig/network-scripts/ifcfg-ens192")).toBe("TYPE=Ethernet\nBOOTPROTO=dhcp\nNAME=ens192\nDEVICE=ens192\nONBOOT=yes\n");
    expect(r.changes).toContain(
      "removed HWADDR=00:50:56:12:34:56 from /etc/sysconfig/network-scripts/ifcfg-ens192 so that it applies to the target's NIC whatever its MAC address");
    expect(g.ops).not.toContain("write /etc/sysconfig/network-scripts/ifcfg-lo");
  });
});

describe("CentOS 7 (BIOS, grub.cfg menu entries, modprobe aliases, Xen tools)", () => {
  const insp = rpmInspection("centos", 7, ["kmod-xenpv", "xe-guest-utilities-xenstore", "VMwareTools", "kernel"]);

  test("Xen and VMware packages go with one rpm -e; grub.cfg and fstab name vda", async () => {
    const g = centos7Guest();
    const { r } = await convertRpmGuest(g, insp);
    expect(commandLines(g)).toEqual([
      "rpm -e --allmatches 'VMwareTools' 'kmod-xenpv' 'xe-guest-utilities-xenstore'",
      `dracut --force --no-hostonly /boot/initramfs-${C7_NEW}.img ${C7_NEW}`,
      "grub2-mkconfig -o /boot/grub2/grub.cfg",
      "findmnt -n -o SOURCE --mountpoint / || true",
    ]);
    expect(g.file("/boot/grub2/grub.cfg")).toContain(`linux16 /boot/vmlinuz-${C7_NEW} root=/dev/vda1 ro rd.lvm.lv=centos/swap resume=/dev/vda2 console=ttyS0`);
    expect(g.file("/boot/grub2/device.map")).toBe("(hd0)      /dev/vda\n");
    expect(r.defaultKernel).toBe(C7_NEW);
  });

  test("modprobe aliases: the first scsi_hostadapter becomes virtio_blk, the others go, ethN -> virtio_net", async () => {
    const g = centos7Guest();
    const { r } = await convertRpmGuest(g, insp);
    expect(g.file("/etc/modprobe.d/vmware.conf")).toBe("# added by the installer\nalias scsi_hostadapter virtio_blk\nalias eth0 virtio_net\n");
    expect(g.file("/etc/modprobe.conf")).toBe("alias eth1 virtio_net\n");
    expect(r.changes).toContain(
      "rewrote module aliases in /etc/modprobe.d/vmware.conf: alias scsi_hostadapter mptspi -> alias scsi_hostadapter virtio_blk, removed alias scsi_hostadapter1 ata_piix, alias eth0 vmxnet3 -> virtio_net");
    // The aliases are rewritten before dracut copies them into the image.
    expect(g.ops.indexOf("write /etc/modprobe.d/vmware.conf")).toBeLessThan(g.ops.findIndex((o) => o.startsWith("command dracut")));
  });

  test("the newest kernel lacks virtio: grubby sets saved_entry to the older kernel's title (no BLS)", async () => {
    const g = centos7Guest({ newestHasVirtio: false });
    const { r } = await convertRpmGuest(g, insp);
    expect(commandLines(g)).toContain(`grubby --set-default /boot/vmlinuz-${C7_OLD}`);
    expect(g.file("/boot/grub2/grubenv")).toContain(`saved_entry=CentOS Linux (${C7_OLD})\n`);
    expect(g.file("/etc/default/grub")).toContain("GRUB_DEFAULT=saved");
    expect(r.defaultKernel).toBe(C7_OLD);
  });

  test("without grubby, GRUB_DEFAULT names the entry and grub2-mkconfig runs again", async () => {
    const g = centos7Guest({ newestHasVirtio: false });
    g.files.delete("/usr/sbin/grubby");
    const { r } = await convertRpmGuest(g, insp);
    expect(commandLines(g).filter((l) => l.startsWith("grub2-mkconfig"))).toHaveLength(2);
    expect(g.file("/etc/default/grub")).toContain(`GRUB_DEFAULT="gnulinux-${C7_OLD}-advanced-`);
    expect(r.defaultKernel).toBe(C7_OLD);
  });

  test("ifcfg-eth0 loses HWADDR", async () => {
    const g = centos7Guest();
    await convertRpmGuest(g, insp);
    expect(g.file("/etc/sysconfig/network-scripts/ifcfg-eth0")).toBe("DEVICE=eth0\nONBOOT=yes\nBOOTPROTO=dhcp\n");
  });
});
