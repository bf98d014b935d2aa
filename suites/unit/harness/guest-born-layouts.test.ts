// Issue 9's further Debian reference guests, as the builder plans them: born on Xen (xvd names,
// hvc0, Xen's tools), every fstab naming with swap that resume= names by device, and a broken
// newest kernel that grub boots by default.
import { describe, expect, test } from "vitest";
import { findRecipe, validateRecipe, type DebianRecipe } from "../../../src/harness/guests/recipes.js";
import { planLayout, renderFstab, renderGrubDefault, renderInitramfsModules, resumeDevice, vmwareById } from "../../../src/harness/guests/debian/layout.js";
import { BROKEN_KERNEL_VERSION, firstLinuxLine } from "../../../src/harness/guests/debian/build.js";
import { xenToolsPackageFiles, XEN_TOOLS_PACKAGE } from "../../../src/harness/guests/debian/xen-tools.js";

const xen = findRecipe("debian-12-xen");
const mixed = findRecipe("debian-12-mixed");
const bios = findRecipe("debian-12-bios");

describe("Xen-born guest", () => {
  test("fstab and resume name /dev/xvda*, grub's console is hvc0, the initramfs has xen_blkfront and no SCSI/ATA driver", () => {
    const l = planLayout(xen);
    expect(renderFstab(l, {})).toContain("\n/dev/xvda1 / ext4 errors=remount-ro 0 1\n");
    const grub = renderGrubDefault(xen, l);
    expect(grub).toContain('GRUB_CMDLINE_LINUX="console=hvc0"');
    expect(grub).toContain("GRUB_DISABLE_LINUX_UUID=true");
    const mods = renderInitramfsModules(xen).split("\n").filter((m) => m !== "" && !m.startsWith("#"));
    expect(mods).toContain("xen_blkfront");
    expect(mods.filter((m) => /^(ata_|ahci|sd_mod|mptspi|vmw_pvscsi|virtio)/.test(m))).toEqual([]);
    // The appliance still calls the disk sda: only the guest's names change.
    expect(l.disks[0]!.device).toBe("/dev/sda");
    expect(l.filesystems[0]).toMatchObject({ device: "/dev/sda1", guestDevice: "/dev/xvda1" });
  });

  test("the stand-in tools are a Debian package named as XenServer's", () => {
    const files = xenToolsPackageFiles();
    expect(files[0]!.path).toBe("DEBIAN/control");
    expect(files[0]!.text).toMatch(new RegExp(`^Package: ${XEN_TOOLS_PACKAGE}\nVersion: \\S+\nArchitecture: amd64\n`));
    expect(files.map((f) => f.path)).toContain("usr/sbin/xe-daemon");
  });

  test("a Xen-born guest must be BIOS", () => {
    expect(validateRecipe(xen)).toEqual([]);
    expect(validateRecipe({ ...xen, firmware: "uefi" })).toEqual([expect.stringMatching(/Xen-born guest is built for BIOS/)]);
  });
});

describe("every naming in one fstab, with swap and resume=", () => {
  const ids = { "/dev/sda1": { uuid: "r00t", label: "root" }, "/dev/sda2": { uuid: "5wap", label: "swap" }, "/dev/sda3": { uuid: "b1d", label: "byid" }, "/dev/sdb1": { uuid: "da7a", label: "data" } };

  test("root sized to leave room, then swap, then the by-id partition taking the rest", () => {
    const l = planLayout(mixed);
    expect(l.disks[0]!.partitions).toEqual([{ device: "/dev/sda1", sizeMiB: 4 * 1024 - 2 - 256 - 128 }, { device: "/dev/sda2", sizeMiB: 256 }, { device: "/dev/sda3" }]);
    expect(l.disks[1]!.partitions).toEqual([{ device: "/dev/sdb1" }]);
  });

  test("/dev/sda1, LABEL=, a VMware by-id link and UUID= swap last", () => {
    const fstab = renderFstab(planLayout(mixed), ids).split("\n").filter((x) => x !== "" && !x.startsWith("#"));
    expect(fstab).toEqual([
      "/dev/sda1 / ext4 errors=remount-ro 0 1",
      `${vmwareById(mixed, 0, 3)} /srv/byid ext4 defaults 0 2`,
      "LABEL=data /srv/data ext4 defaults 0 2",
      "UUID=5wap none swap sw 0 0",
    ]);
    expect(vmwareById(mixed, 0, 3)).toMatch(/^\/dev\/disk\/by-id\/scsi-36000c29[0-9a-f]{25}-part3$/);
    expect(vmwareById(mixed, 0, 3)).not.toBe(vmwareById(mixed, 1, 3));
  });

  test("resume= and RESUME= name the swap partition by its device name", () => {
    const l = planLayout(mixed);
    expect(resumeDevice(mixed, l)).toBe("/dev/sda2");
    expect(renderGrubDefault(mixed, l)).toContain('GRUB_CMDLINE_LINUX="console=ttyS0,115200n8 resume=/dev/sda2"');
    expect(resumeDevice(bios, planLayout(bios))).toBeUndefined();
    expect(resumeDevice({ ...mixed, swap: { ...mixed.swap!, resume: false } }, l)).toBeUndefined();
  });

  test("recipes that cannot be built are refused with the field to fix", () => {
    const bad: DebianRecipe = { ...mixed, naming: "by-id", extraFilesystems: [{ mountpoint: "srv", sizeMiB: 8, naming: "uuid", label: "Bad Label" }] };
    expect(validateRecipe(bad)).toEqual([
      expect.stringMatching(/by-id naming is for fstab entries other than \//),
      expect.stringMatching(/mountpoint srv must be an absolute path/),
      expect.stringMatching(/sizeMiB must be a whole number of at least 32/),
      expect.stringMatching(/label must be 1-16 of a-z, 0-9/),
    ]);
    expect(validateRecipe({ ...mixed, layout: "lvm-root" })).toContainEqual(expect.stringMatching(/swap and extraFilesystems need layout plain/));
  });
});

describe("a broken newest kernel", () => {
  test("its version sorts above any bookworm kernel, and the default entry is read from grub.cfg's first linux line", () => {
    expect(validateRecipe(findRecipe("debian-12-kernels"))).toEqual([]);
    expect(BROKEN_KERNEL_VERSION.localeCompare("6.1.0-50-amd64", undefined, { numeric: true })).toBe(1);
    const cfg = "menuentry 'Debian' {\n\tlinux\t/boot/vmlinuz-6.9.0-1-amd64 root=/dev/sda1 ro\n}\nmenuentry 'old' {\n\tlinux /boot/vmlinuz-6.1.0-50-amd64 root=/dev/sda1\n}\n";
    expect(firstLinuxLine(cfg)).toBe("linux\t/boot/vmlinuz-6.9.0-1-amd64 root=/dev/sda1 ro ");
    expect(firstLinuxLine(cfg).includes(`/vmlinuz-${BROKEN_KERNEL_VERSION} `)).toBe(true);
    expect(firstLinuxLine("no entries")).toBe("");
  });
});
