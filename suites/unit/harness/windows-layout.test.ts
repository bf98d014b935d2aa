// The phony Windows partition plan: Windows Setup's sizes and alignment, fixed identifiers, the
// sfdisk script that writes them, and MountedDevices data that names C: as Windows does.
import { describe, expect, test } from "vitest";
import { findRecipe, RECIPES, validateRecipes, type WindowsRecipe } from "../../../src/harness/guests/recipes.js";
import {
  GPT_TYPE, guidBytes, mountedDeviceData, planWindowsLayout, renderSfdiskScript, seededGuid, seededSignature,
} from "../../../src/harness/guests/windows/layout.js";

const bios = findRecipe("windows-7-bios");
const uefi = findRecipe("windows-2022-uefi");

describe("planWindowsLayout", () => {
  test("BIOS: 100 MiB System Reserved (active, holds \\Boot\\BCD) then C:, both NTFS, at 1 MiB and 101 MiB", () => {
    const l = planWindowsLayout(bios);
    expect(l.table).toBe("mbr");
    expect(l.partitions.map((p) => [p.number, p.role, p.startSector, p.sizeSectors, p.fs])).toEqual([
      [1, "system-reserved", 2048, 204800, "ntfs"],
      [2, "windows", 206848, undefined, "ntfs"],
    ]);
    expect(l.boot.label).toBe("System Reserved");
    expect(l.windows.number).toBe(2);
    expect(l.bcdPath).toBe("/Boot/BCD");
    expect(l.mbrDiskSignature).toBe(seededSignature("windows-7-bios:disk"));
    expect(l.sizeBytes).toBe(bios.rootDiskGiB * 1024 ** 3);
  });

  test("UEFI: 100 MiB ESP (FAT), 16 MiB MSR (no file system), then C: NTFS, with GPT types and fixed GUIDs", () => {
    const l = planWindowsLayout(uefi);
    expect(l.table).toBe("gpt");
    expect(l.partitions.map((p) => [p.number, p.role, p.startSector, p.sizeSectors, p.fs, p.gptType])).toEqual([
      [1, "esp", 2048, 204800, "vfat", GPT_TYPE.esp],
      [2, "msr", 206848, 32768, undefined, GPT_TYPE.msr],
      [3, "windows", 239616, undefined, "ntfs", GPT_TYPE.basicData],
    ]);
    expect(l.bcdPath).toBe("/EFI/Microsoft/Boot/BCD");
    expect(new Set(l.partitions.map((p) => p.gptGuid)).size).toBe(3);
    expect(l.windows.gptGuid).toBe(seededGuid("windows-2022-uefi:part3"));
    expect(planWindowsLayout(uefi)).toEqual(l);
    expect(planWindowsLayout(findRecipe("windows-2022-xenpv")).windows.gptGuid).not.toBe(l.windows.gptGuid);
  });
});

describe("identifiers", () => {
  test("seededGuid: a version-4 GUID, stable per seed", () => {
    const g = seededGuid("x");
    expect(g).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
    expect(seededGuid("x")).toBe(g);
    expect(seededGuid("y")).not.toBe(g);
  });

  test("guidBytes: the first three fields little-endian, the rest as written", () => {
    expect(guidBytes("{00112233-4455-6677-8899-AABBCCDDEEFF}").toString("hex")).toBe("33221100554477668899aabbccddeeff");
    expect(() => guidBytes("not-a-guid")).toThrow(/not a GUID/);
  });
});

describe("renderSfdiskScript", () => {
  test("MBR: the disk signature as label-id, NTFS ids, System Reserved bootable", () => {
    const l = planWindowsLayout(bios);
    const s = renderSfdiskScript(l);
    expect(s).toContain(`label: dos\nlabel-id: 0x${l.mbrDiskSignature!.toString(16).padStart(8, "0")}\nunit: sectors\n`);
    expect(s).toContain("start=2048, size=204800, type=7, bootable\n");
    expect(s).toContain("start=206848, type=7\n");
  });

  test("GPT: disk GUID, each partition's type, GUID and Setup's name", () => {
    const l = planWindowsLayout(uefi);
    const s = renderSfdiskScript(l);
    expect(s).toContain(`label: gpt\nlabel-id: ${l.gptDiskGuid}\n`);
    expect(s).toContain(`start=239616, type=${GPT_TYPE.basicData}, uuid=${l.windows.gptGuid}, name="Basic data partition"`);
    expect(s).toContain('name="Microsoft reserved partition"');
  });
});

describe("mountedDeviceData", () => {
  test("MBR: 12 bytes, disk signature then the partition's byte offset", () => {
    const l = planWindowsLayout(bios);
    const b = mountedDeviceData(l, l.windows);
    expect(b.length).toBe(12);
    expect(b.readUInt32LE(0)).toBe(l.mbrDiskSignature);
    expect(b.readBigUInt64LE(4)).toBe(206848n * 512n);
  });

  test("GPT: \"DMIO:ID:\" then the partition GUID in Windows byte order", () => {
    const l = planWindowsLayout(uefi);
    const b = mountedDeviceData(l, l.windows);
    expect(b.length).toBe(24);
    expect(b.toString("latin1", 0, 8)).toBe("DMIO:ID:");
    expect(b.subarray(8).equals(guidBytes(l.windows.gptGuid!))).toBe(true);
  });
});

describe("Windows recipes", () => {
  test("all recipes validate; every Windows one is kind windows and has a layout", () => {
    expect(validateRecipes(RECIPES)).toEqual([]);
    const win = RECIPES.filter((r): r is WindowsRecipe => r.kind === "windows");
    expect(win.map((r) => r.name)).toEqual(expect.arrayContaining([
      "windows-7-bios", "windows-10-bios", "windows-10-uefi", "windows-2019-uefi", "windows-2022-uefi",
      "windows-11-uefi", "windows-2025-uefi", "windows-2022-hibernated", "windows-2022-xenpv",
    ]));
    for (const r of win) expect(planWindowsLayout(r).windows.fs).toBe("ntfs");
  });

  test("findRecipe refuses a name whose prefix disagrees with its kind", () => {
    const odd = { ...bios, name: "debian-lookalike" };
    expect(() => findRecipe("debian-lookalike", [odd])).toThrow(/kind "windows"/);
  });
});
