// Reference-guest layouts and the guest files derived from them (fstab, grub defaults, initramfs list).
import { describe, expect, test } from "vitest";
import { findRecipe, type GuestRecipe } from "../../../src/harness/guests/recipes.js";
import { ESP_GPT_TYPE, planLayout, renderFstab, renderGrubDefault, renderInitramfsModules } from "../../../src/harness/guests/debian/layout.js";

const ids = {
  "/dev/sda1": { uuid: "1111", label: "root" },
  "/dev/sda2": { uuid: "2222", label: "root" },
  "/dev/sdb1": { uuid: "3333", label: "data" },
  "/dev/vg0/root": { uuid: "4444", label: "root" },
};

describe("planLayout", () => {
  test("debian-12-bios: one MBR partition holding /, named /dev/sda1", () => {
    const l = planLayout(findRecipe("debian-12-bios"));
    expect(l.disks).toEqual([{ index: 0, device: "/dev/sda", sizeGiB: 4, table: "mbr", partitions: [{ device: "/dev/sda1" }] }]);
    expect(renderFstab(l, ids)).toContain("\n/dev/sda1 / ext4 errors=remount-ro 0 1\n");
  });

  test("uefi: GPT with an ESP first, / on sda2, ESP mounted after /", () => {
    const l = planLayout(findRecipe("debian-12-uefi"));
    expect(l.disks[0]).toMatchObject({ table: "gpt", partitions: [{ device: "/dev/sda1", sizeMiB: 256, gptType: ESP_GPT_TYPE }, { device: "/dev/sda2" }] });
    expect(l.filesystems.map((f) => [f.mountpoint, f.device, f.type])).toEqual([["/", "/dev/sda2", "ext4"], ["/boot/efi", "/dev/sda1", "vfat"]]);
  });

  test("lvm-root: /boot on sda1, / on vg0/root named by its mapper path", () => {
    const l = planLayout(findRecipe("debian-12-lvm"));
    expect(l.lvm).toEqual({ pv: "/dev/sda2", vg: "vg0", lvs: [{ name: "root" }] });
    expect(l.disks[0]!.partitions).toEqual([{ device: "/dev/sda1", sizeMiB: 512 }, { device: "/dev/sda2", mbrId: 0x8e }]);
    const fstab = renderFstab(l, ids);
    expect(fstab).toContain("/dev/mapper/vg0-root / ext4");
    expect(fstab).toContain("/dev/sda1 /boot ext4 defaults 0 2");
    expect(renderInitramfsModules(findRecipe("debian-12-lvm"))).toContain("\ndm_mod\n");
  });

  test("two disks: the data file system on /dev/sdb1, by name", () => {
    const l = planLayout(findRecipe("debian-12-twodisks"));
    expect(l.disks.map((d) => d.device)).toEqual(["/dev/sda", "/dev/sdb"]);
    expect(renderFstab(l, ids)).toContain("/dev/sdb1 /srv/data ext4 defaults 0 2");
  });

  test("uuid naming puts UUID= in fstab and leaves grub on UUIDs", () => {
    const r = findRecipe("debian-12-uuid");
    expect(renderFstab(planLayout(r), ids)).toContain("UUID=1111 / ext4");
    expect(renderGrubDefault(r)).not.toContain("GRUB_DISABLE_LINUX_UUID");
    expect(() => renderFstab(planLayout(r), {})).toThrow(/no UUID known/);
  });

  test("label naming uses the file system labels", () => {
    const r: GuestRecipe = { ...findRecipe("debian-12-bios"), naming: "label" };
    expect(renderFstab(planLayout(r), ids)).toContain("LABEL=root / ext4");
  });
});

describe("guest files", () => {
  test("grub: serial console, device names for root=, short timeout", () => {
    const g = renderGrubDefault(findRecipe("debian-12-bios"));
    expect(g).toContain('GRUB_CMDLINE_LINUX="console=ttyS0,115200n8"');
    expect(g).toContain("GRUB_DISABLE_LINUX_UUID=true");
    expect(g).toContain("GRUB_TIMEOUT=1");
    expect(g).toMatch(/GRUB_TERMINAL="serial console"/);
  });

  test("the initramfs list has the VMware-like drivers and no virtio", () => {
    const m = renderInitramfsModules(findRecipe("debian-12-bios"));
    for (const mod of ["ata_piix", "ahci", "mptspi", "vmw_pvscsi", "sd_mod", "ext4"]) expect(m).toMatch(new RegExp(`^${mod}$`, "m"));
    expect(m.split("\n").filter((l) => !l.startsWith("#"))).not.toContainEqual(expect.stringMatching(/virtio/));
  });
});
