// The removable-path loader plan: present (leave it), shim (shim becomes BOOTX64.EFI, GRUB and
// MokManager beside it), GRUB alone, the vendor folder chosen by distro, no loader to copy, arch
// names; and the ESP mountpoint lookup.
import { describe, expect, test } from "vitest";
import { espMountpoint, planUefiFallback, type EspFolder } from "../../../../src/converters/linux/uefi-fallback.js";

const E = "/boot/efi/EFI";

describe("planUefiFallback", () => {
  test("a fallback loader already there, in any case: nothing to do", () => {
    const folders: EspFolder[] = [{ name: "debian", files: ["grubx64.efi"] }, { name: "Boot", files: ["bootx64.efi"] }];
    expect(planUefiFallback(E, folders, "x86_64", "debian")).toEqual({ kind: "present", loader: `${E}/Boot/bootx64.efi` });
  });

  test("shim: shim becomes BOOTX64.EFI, GRUB, MokManager and grub.cfg go beside it; fbx64.efi does not", () => {
    const folders: EspFolder[] = [{ name: "debian", files: ["BOOTX64.CSV", "fbx64.efi", "grub.cfg", "grubx64.efi", "mmx64.efi", "shimx64.efi"] }];
    expect(planUefiFallback(E, folders, "x86_64", "debian")).toEqual({
      kind: "copy", vendor: "debian", shim: true,
      copies: [
        { from: `${E}/debian/shimx64.efi`, to: `${E}/BOOT/BOOTX64.EFI` },
        { from: `${E}/debian/grubx64.efi`, to: `${E}/BOOT/grubx64.efi` },
        { from: `${E}/debian/mmx64.efi`, to: `${E}/BOOT/mmx64.efi` },
        { from: `${E}/debian/grub.cfg`, to: `${E}/BOOT/grub.cfg` },
      ],
    });
  });

  test("GRUB alone becomes BOOTX64.EFI; an existing BOOT folder without the loader is reused in its spelling", () => {
    const folders: EspFolder[] = [{ name: "boot", files: ["readme.txt"] }, { name: "debian", files: ["GRUBX64.EFI"] }];
    expect(planUefiFallback(E, folders, "x86_64", "debian")).toEqual({
      kind: "copy", vendor: "debian", shim: false, copies: [{ from: `${E}/debian/GRUBX64.EFI`, to: `${E}/boot/BOOTX64.EFI` }],
    });
  });

  test("several vendors: the guest's distro first, else the first by name; Microsoft's folder is no candidate without GRUB", () => {
    const folders: EspFolder[] = [
      { name: "Microsoft", files: ["bootmgfw.efi"] },
      { name: "ubuntu", files: ["grubx64.efi"] },
      { name: "debian", files: ["grubx64.efi"] },
    ];
    expect(planUefiFallback(E, folders, "x86_64", "ubuntu")).toMatchObject({ vendor: "ubuntu" });
    expect(planUefiFallback(E, folders, "x86_64", "fedora")).toMatchObject({ vendor: "debian" });
  });

  test("i386 guests get BOOTIA32.EFI from grubia32.efi; an x64 loader does not count for them", () => {
    expect(planUefiFallback(E, [{ name: "debian", files: ["grubia32.efi", "grubx64.efi"] }], "i386", "debian")).toMatchObject({
      copies: [{ from: `${E}/debian/grubia32.efi`, to: `${E}/BOOT/BOOTIA32.EFI` }],
    });
    expect(planUefiFallback(E, [{ name: "debian", files: ["grubx64.efi"] }], "i386", "debian")).toEqual({ kind: "none", why: `no ${E}/*/grubia32.efi to copy` });
  });

  test("nothing to copy, or an arch without a removable name: none, with the reason", () => {
    expect(planUefiFallback(E, [{ name: "debian", files: ["shimx64.efi"] }], "x86_64", "debian")).toEqual({ kind: "none", why: `no ${E}/*/grubx64.efi to copy` });
    expect(planUefiFallback(E, [], "riscv64", "debian")).toEqual({ kind: "none", why: "no removable-path loader name is known for riscv64" });
  });
});

test("espMountpoint: /boot/efi or /efi, else none", () => {
  const at = (mountpoint: string) => ({ mountpoints: [{ mountpoint: "/", device: "/dev/sda2" }, { mountpoint, device: "/dev/sda1" }] });
  expect(espMountpoint(at("/boot/efi"))).toBe("/boot/efi");
  expect(espMountpoint(at("/efi"))).toBe("/efi");
  expect(espMountpoint(at("/boot"))).toBeUndefined();
});
