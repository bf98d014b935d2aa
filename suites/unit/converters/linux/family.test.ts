// The family contract: the common steps take every distribution-specific choice from the family.
// A made-up RPM/dracut family (RHEL-like paths and programs) converts a guest without touching
// anything Debian-specific, which is what a sibling folder linux/rhel/ will rely on.
import { describe, expect, test } from "vitest";
import { convertGuest } from "../../../../src/converters/convert.js";
import { dracutBuilder } from "../../../../src/converters/linux/dracut.js";
import type { LinuxFamily } from "../../../../src/converters/linux/family.js";
import { linuxConverterFor } from "../../../../src/converters/linux/linux-converter.js";
import { RHEL_FAMILY } from "../../../../src/model/os-families.js";
import { FakeGuest } from "../../fakes/fake-guest.js";
import { diskSource, inspectionOf, debianRoot, testContext } from "./debian-guest.js";

const V = "5.14.0-362.el9.x86_64";

const rpmFamily: LinuxFamily = {
  name: "rpm-test",
  supports: "RPM test family",
  distros: RHEL_FAMILY,
  packages: {
    selectRemovals: (tools) => ({ remove: tools }),
    removalScripts: (pkgs) => [{ program: "rpm", how: "rpm -e", script: `rpm -e ${pkgs.join(" ")}\n` }],
    manualRemoval: (pkgs) => `dnf remove ${pkgs.join(" ")}`,
  },
  initramfs: { configDir: "/etc/dracut.conf.d", resumeFiles: [], findBuilder: async () => dracutBuilder },
  grub: {
    cfgPath: "/boot/grub2/grub.cfg", envPath: "/boot/grub2/grubenv", defaultsPath: "/etc/default/grub",
    deviceMapPath: "/boot/grub2/device.map",
    regenerators: [{ program: "grub2-mkconfig", shell: "grub2-mkconfig -o /boot/grub2/grub.cfg" }],
    supportedOn: "RPM test guests", bootloaderPackages: "grub2-pc", toolsPackage: "grub2-tools",
  },
  kernels: {
    versionsInBoot: (names) => names.filter((n) => n.startsWith("vmlinuz-") && !n.includes("-rescue-")).map((n) => n.slice(8)),
    vmlinuzPath: (v) => `/boot/vmlinuz-${v}`,
    initrdPath: (v) => `/boot/initramfs-${v}.img`,
    compareVersions: (a, b) => a.localeCompare(b, "en", { numeric: true }),
    packageHint: "the kernel package",
  },
};

function rpmGuest(): FakeGuest {
  const g = new FakeGuest({
    files: {
      "/etc/fstab": "/dev/sda1 / xfs defaults 0 0\n/dev/sda2 none swap defaults 0 0\n",
      "/etc/default/grub": 'GRUB_CMDLINE_LINUX="resume=/dev/sda2 console=hvc0"\nGRUB_DISABLE_LINUX_UUID=true\n',
      "/boot/grub2/device.map": "(hd0)\t/dev/sda\n",
      [`/boot/vmlinuz-${V}`]: "", [`/boot/initramfs-${V}.img`]: "old image",
      "/boot/vmlinuz-0-rescue-0123456789abcdef": "",
      [`/lib/modules/${V}/modules.builtin`]: "kernel/drivers/block/virtio_blk.ko\nkernel/drivers/net/virtio_net.ko\n",
      "/usr/sbin/grub2-mkconfig": "", "/usr/bin/dracut": "",
      "/boot/grub2/grub.cfg": "stale\n",
    },
    filesystems: { "/dev/sda1": "xfs", "/dev/sda2": "swap" },
    blkid: { "/dev/sda1": { TYPE: "xfs", UUID: "7e57-0001" }, "/dev/sda2": { TYPE: "swap", UUID: "7e57-0002" } },
  });
  g.on(/^rpm -e /, "");
  g.on(/^dracut /, (c, guest) => { guest.setFile(c.argv[3]!, `dracut image with ${guest.file("/etc/dracut.conf.d/60-v2v-virtio.conf")}`); });
  g.on(/\ngrub2-mkconfig -o \/boot\/grub2\/grub.cfg\n$/, (_c, guest) => {
    const cmdline = /GRUB_CMDLINE_LINUX="([^"]*)"/.exec(guest.file("/etc/default/grub") ?? "")?.[1] ?? "";
    guest.setFile("/boot/grub2/grub.cfg", `menuentry 'Test Linux (${V})' {\n\tlinux /vmlinuz-${V} root=/dev/sda1 ro ${cmdline}\n}\n`);
  });
  g.on(/^findmnt /, "/dev/sda1\n");
  return g;
}

describe("linuxConverterFor(family)", () => {
  const converter = linuxConverterFor(rpmFamily);
  const insp = { ...inspectionOf(debianRoot("/dev/sda1", { "/": "/dev/sda1" }), ["open-vm-tools"]), distro: "rhel", majorVersion: 9 };

  test("handles the family's distros and names what it supports", () => {
    expect(converter).toMatchObject({ name: "linux", supports: "RPM test family" });
    expect(converter.handles(insp)).toBe(true);
    expect(converter.handles({ ...insp, distro: "debian" })).toBe(false);
  });

  test("every step uses the family's package manager, initramfs tool, GRUB paths and kernel names", async () => {
    const g = rpmGuest();
    const { ctx } = testContext();
    const r = await convertGuest([converter], g, insp, diskSource(1), ctx);
    expect(g.commandTexts.map((t) => t.split("\n").filter((l) => l && !l.startsWith("export "))[0])).toEqual([
      "rpm -e open-vm-tools",
      `dracut --force --no-hostonly /boot/initramfs-${V}.img ${V}`,
      "grub2-mkconfig -o /boot/grub2/grub.cfg",
      "findmnt -n -o SOURCE --mountpoint / || true",
    ]);
    expect(g.file(`/boot/initramfs-${V}.img.pre-v2v`)).toBe("old image");
    expect(g.file("/etc/dracut.conf.d/60-v2v-virtio.conf")).toContain('add_drivers+=" virtio_blk virtio_net "');
    expect(g.file(`/boot/initramfs-${V}.img`)).toContain('add_drivers+=" virtio_blk virtio_net "');
    expect(g.file("/etc/fstab")).toBe("/dev/vda1 / xfs defaults 0 0\n/dev/vda2 none swap defaults 0 0\n");
    expect(g.file("/boot/grub2/device.map")).toBe("(hd0)\t/dev/vda\n");
    expect(g.file("/boot/grub2/grub.cfg")).toBe(`menuentry 'Test Linux (${V})' {\n\tlinux /vmlinuz-${V} root=/dev/vda1 ro resume=/dev/vda2 console=ttyS0\n}\n`);
    expect([...g.files.keys()].filter((p) => p.startsWith("/etc/initramfs-tools") || p.startsWith("/boot/grub/"))).toEqual([]);
    expect(r.defaultKernel).toBe(V);
    expect(r.changes).toContain("removed other hypervisors' guest tools: open-vm-tools (rpm -e)");
    expect(r.warnings).toEqual([]);
  });

  test("the refusals name the family's paths and packages", async () => {
    const g = rpmGuest();
    g.files.delete("/boot/grub2/grub.cfg");
    const { ctx } = testContext();
    await expect(convertGuest([converter], g, insp, diskSource(1), ctx)).rejects.toThrow(
      "the guest has no /boot/grub2/grub.cfg; only GRUB 2 is supported on RPM test guests. Install grub2-pc in the guest and convert it again.");
    const noTool = rpmGuest();
    noTool.files.delete("/usr/sbin/grub2-mkconfig");
    await expect(convertGuest([converter], noTool, insp, diskSource(1), ctx)).rejects.toThrow(
      "the guest has /boot/grub2/grub.cfg but no grub2-mkconfig; reinstall grub2-tools in the guest and convert it again.");
    const noKernel = rpmGuest();
    noKernel.files.delete(`/boot/vmlinuz-${V}`);
    await expect(convertGuest([converter], noKernel, insp, diskSource(1), ctx)).rejects.toThrow(
      "no /boot/vmlinuz-* file); check that /boot is mounted by the guest's /etc/fstab and that the kernel package is installed.");
  });
});
