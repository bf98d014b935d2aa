// The boot layouts of issue 9's Debian reference guests, as the builder plans them: where grub-install
// puts a UEFI loader (removable path, vendor folder, vendor folder with shim), which initramfs tool
// builds the image, and what the built guest is checked for before it is published.
import { describe, expect, test } from "vitest";
import { findRecipe, validateRecipe, type DebianRecipe } from "../../../src/harness/guests/recipes.js";
import { debootstrapArgv, rootfsSpecFor } from "../../../src/harness/guests/rootfs.js";
import { planLayout, renderDracutConf } from "../../../src/harness/guests/debian/layout.js";
import { expectedEspFiles, grubInstallCommand, initramfsBuildCommand, initramfsListCommand } from "../../../src/harness/guests/debian/build.js";

const uefi = findRecipe("debian-12-uefi");
const vendor = findRecipe("debian-12-uefi-vendor");
const shim = findRecipe("debian-12-uefi-shim");
const dracut = findRecipe("debian-12-dracut");
const bios = findRecipe("debian-12-bios");

describe("UEFI loader placement", () => {
  test("removable: EFI/BOOT/BOOTX64.EFI, which fresh firmware variables boot", () => {
    expect(grubInstallCommand(uefi, planLayout(uefi))).toMatch(/--removable/);
    expect(expectedEspFiles(uefi)).toEqual({ present: ["/boot/efi/EFI/BOOT/BOOTX64.EFI"], absent: [] });
  });

  test("vendor: only EFI/debian/grubx64.efi, no removable path and no shim", () => {
    const cmd = grubInstallCommand(vendor, planLayout(vendor));
    expect(cmd).not.toMatch(/--removable/);
    expect(cmd).toMatch(/--bootloader-id=debian/);
    expect(cmd).toMatch(/--no-nvram/);
    expect(cmd).toMatch(/--no-uefi-secure-boot/);
    expect(expectedEspFiles(vendor).present).toEqual(["/boot/efi/EFI/debian/grubx64.efi"]);
    expect(expectedEspFiles(vendor).absent).toContain("/boot/efi/EFI/BOOT");
  });

  test("vendor-shim: shim and signed GRUB in EFI/debian, shim-signed in the root file system", () => {
    expect(grubInstallCommand(shim, planLayout(shim))).toMatch(/--bootloader-id=debian .*--uefi-secure-boot$/);
    expect(expectedEspFiles(shim).present).toEqual(["/boot/efi/EFI/debian/shimx64.efi", "/boot/efi/EFI/debian/grubx64.efi"]);
    expect(rootfsSpecFor(shim).packages).toEqual(expect.arrayContaining(["shim-signed", "grub-efi-amd64-signed", "grub-efi-amd64"]));
    expect(rootfsSpecFor(vendor).packages).not.toContain("shim-signed");
  });

  test("BIOS guests install to the disk and expect nothing on an ESP", () => {
    expect(grubInstallCommand(bios, planLayout(bios))).toBe("grub-install --target=i386-pc /dev/sda");
    expect(expectedEspFiles(bios)).toEqual({ present: [], absent: [] });
  });

  test("efiLoader on a BIOS recipe is refused", () => {
    const bad: DebianRecipe = { ...bios, efiLoader: "vendor" };
    expect(validateRecipe(bad).join()).toMatch(/efiLoader is for UEFI guests/);
    expect(validateRecipe(vendor)).toEqual([]);
  });
});

describe("dracut instead of initramfs-tools", () => {
  test("apt swaps the tool after debootstrap (which takes linux-image's first alternative); the other guests keep initramfs-tools", () => {
    const spec = rootfsSpecFor(dracut);
    expect(spec.packages).not.toContain("dracut");
    expect(spec.aptInstall).toEqual(["dracut"]);
    expect(rootfsSpecFor(bios).packages).toContain("initramfs-tools");
    expect(rootfsSpecFor(bios).aptInstall).toBeUndefined();
  });

  test("the drop-in keeps virtio out: generic image limited to the VMware-like drivers, qemu modules omitted", () => {
    const conf = renderDracutConf(dracut);
    expect(conf).toMatch(/^hostonly="no"$/m);
    const drivers = /^drivers\+=" (.*) "$/m.exec(conf)?.[1]?.split(" ");
    expect(drivers).toEqual([...dracut.initramfsModules]);
    expect(drivers!.some((d) => /virtio/.test(d))).toBe(false);
    expect(conf).toMatch(/^omit_dracutmodules\+=" qemu qemu-net virtfs virtiofs nvdimm "$/m);
  });

  test("LVM roots add device-mapper to dracut's drivers too", () => {
    expect(renderDracutConf({ ...dracut, layout: "lvm-root" })).toMatch(/ ext4 dm_mod "/);
  });

  test("build and list commands follow the tool", () => {
    expect(initramfsBuildCommand(bios)).toBe("update-initramfs -u -k all");
    expect(initramfsBuildCommand(dracut)).toMatch(/dracut --force "\/boot\/initrd\.img-\$v" "\$v"/);
    expect(initramfsListCommand(bios)).toMatch(/lsinitramfs/);
    expect(initramfsListCommand(dracut)).toMatch(/lsinitrd/);
  });
});

describe("debootstrap argv", () => {
  test("packages go to --include, then suite, target and mirror", () => {
    const argv = debootstrapArgv(rootfsSpecFor(bios), "/t");
    expect(argv).toContain(`--include=${rootfsSpecFor(bios).packages.join(",")}`);
    expect(argv.slice(-3)).toEqual(["bookworm", "/t", rootfsSpecFor(bios).mirror]);
  });
});
