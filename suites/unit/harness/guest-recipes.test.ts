// Recipe validation: the shipped recipes are buildable, and broken ones are refused with a reason.
import { describe, expect, test } from "vitest";
import { findRecipe, RECIPES, validateRecipe, validateRecipes, type GuestRecipe } from "../../../src/harness/guests/recipes.js";

const good = findRecipe("debian-12-bios");

describe("validateRecipe", () => {
  test("every shipped recipe is valid and names are unique", () => {
    expect(validateRecipes(RECIPES)).toEqual([]);
  });

  test("a virtio driver in the initramfs list is refused: the negative control would boot", () => {
    const r: GuestRecipe = { ...good, initramfsModules: [...good.initramfsModules, "virtio_blk"] };
    expect(validateRecipe(r).join("\n")).toMatch(/must not list virtio/);
  });

  test("the root file system's driver must be in the initramfs", () => {
    const r: GuestRecipe = { ...good, initramfsModules: good.initramfsModules.filter((m) => m !== "ext4") };
    expect(validateRecipe(r).join("\n")).toMatch(/must include ext4/);
  });

  test.each([
    [{ name: "Debian 12" }, /kebab/],
    [{ release: 10 as never }, /release 10/],
    [{ rootDiskGiB: 1 }, /rootDiskGiB/],
    [{ hostname: "bad_name" }, /hostname/],
    [{ vm: { vcpus: 0, memoryMiB: 1024 } }, /vcpus/],
    [{ dataDisk: { sizeGiB: 1, mountpoint: "data", naming: "device" as const } }, /absolute path/],
    [{ extraPackages: ["Not A Package"] }, /not a Debian package/],
  ])("refuses %o", (patch, problem) => {
    expect(validateRecipe({ ...good, ...patch }).join("\n")).toMatch(problem);
  });

  test("duplicate names are reported", () => {
    expect(validateRecipes([good, good])).toEqual([`recipe "${good.name}" is defined twice`]);
  });

  test("findRecipe lists the known names when it fails", () => {
    expect(() => findRecipe("windows-11")).toThrow(/debian-12-bios/);
  });
});
