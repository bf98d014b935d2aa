// The order of the Linux converter's steps, checked by what it leaves in the guest: checks before
// any change, the initramfs rebuilt after the device renames and cache removals it bakes in, and
// grub.cfg regenerated after the last change to the GRUB defaults.
import { describe, expect, test } from "vitest";
import { convertGuest } from "../../../../src/converters/convert.js";
import { linuxConverter } from "../../../../src/converters/linux/convert-linux.js";
import { V2vError } from "../../../../src/model/errors.js";
import type { FakeGuest } from "../../fakes/fake-guest.js";
import { debianInspection, makeDebianGuest, oneDiskSource, ROOT_UUID, testContext } from "./debian-guest.js";

const convert = async (g: FakeGuest, packages: readonly string[] = []) => {
  const { ctx } = testContext();
  return convertGuest([linuxConverter], g, debianInspection(packages), oneDiskSource(), ctx);
};

const lastIndex = (ops: readonly string[], test: (op: string) => boolean): number => ops.findLastIndex(test);
const firstIndex = (ops: readonly string[], test: (op: string) => boolean): number => ops.findIndex(test);

describe("checks before changes", () => {
  test("no program to regenerate grub.cfg: refused before the guest tools are removed", async () => {
    const g = makeDebianGuest();
    g.files.delete("/usr/sbin/update-grub");
    g.files.delete("/usr/sbin/grub-mkconfig");
    const err = await convert(g, ["open-vm-tools"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(V2vError);
    expect((err as V2vError).message).toBe(
      "the guest has /boot/grub/grub.cfg but neither update-grub nor grub-mkconfig; reinstall grub2-common in the guest and convert it again.");
    expect(g.ops).toEqual([]);
  });

  test("grub-mkconfig alone is enough, and is what regenerates grub.cfg", async () => {
    const g = makeDebianGuest();
    g.files.delete("/usr/sbin/update-grub");
    const r = await convert(g);
    expect(g.commandTexts.filter((t) => t.includes("grub-mkconfig"))).toEqual([
      expect.stringMatching(/\nexport GRUB_DISABLE_OS_PROBER=true\ngrub-mkconfig -o \/boot\/grub\/grub.cfg\n$/),
    ]);
    expect(r.changes).toContain("regenerated /boot/grub/grub.cfg with grub-mkconfig");
  });
});

describe("the initramfs is rebuilt after what it bakes in", () => {
  test("RESUME= is renamed and the stale caches are gone before update-initramfs runs", async () => {
    const g = makeDebianGuest();
    g.setFile("/etc/lvm/devices/system.devices", "IDTYPE=devname IDNAME=/dev/sda1\n");
    await convert(g);
    expect(g.file("/boot/initrd.img-6.1.0-13-amd64")).toBe(
      "rebuilt initrd with ata_piix,ahci,sd_mod,ext4,virtio_pci,virtio_blk,virtio_scsi,virtio_net\nRESUME=/dev/vda5\nLVM caches: none\n");
    const rebuild = firstIndex(g.ops, (o) => o.startsWith("command update-initramfs"));
    expect(lastIndex(g.ops, (o) => /^write \/etc\/(fstab|initramfs-tools\/conf\.d\/resume)$/.test(o))).toBeLessThan(rebuild);
    expect(lastIndex(g.ops, (o) => o.startsWith("rm /etc/lvm/"))).toBeLessThan(rebuild);
  });
});

describe("grub.cfg is regenerated after the GRUB defaults change", () => {
  test("the console and device edits of /etc/default/grub reach grub.cfg", async () => {
    const g = makeDebianGuest();
    await convert(g);
    const lastDefaultsWrite = lastIndex(g.ops, (o) => o === "write /etc/default/grub");
    expect(lastDefaultsWrite).toBeGreaterThanOrEqual(0);
    expect(lastIndex(g.ops, (o) => /\nupdate-grub\n/.test(o))).toBeGreaterThan(lastDefaultsWrite);
    expect(g.file("/boot/grub/grub.cfg")).not.toMatch(/xvc0|sda5/);
    expect(g.file("/boot/grub/grub.cfg")).toContain("console=ttyS0 resume=/dev/vda5");
  });

  test("a GRUB_DEFAULT set for the virtio kernel is followed by a regeneration, so grub.cfg boots that kernel", async () => {
    const g = makeDebianGuest({ kernels: { "6.1.0-13-amd64": "none", "6.1.0-9-amd64": "ko.xz" } });
    const r = await convert(g);
    const setDefault = lastIndex(g.ops, (o) => o === "write /etc/default/grub");
    expect(lastIndex(g.ops, (o) => /\nupdate-grub\n/.test(o))).toBeGreaterThan(setDefault);
    expect(g.file("/boot/grub/grub.cfg")).toContain(`set default="gnulinux-advanced-${ROOT_UUID}>gnulinux-6.1.0-9-amd64-advanced-${ROOT_UUID}"`);
    expect(r.defaultKernel).toBe("6.1.0-9-amd64");
    expect(r.warnings).toEqual([]);
  });
});
