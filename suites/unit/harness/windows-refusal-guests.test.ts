// The two reference guests v2v must refuse, as planned before any disk is built: the BitLocker
// bytes written over C: (what libblkid needs to type it "BitLocker"), and the dynamic disk's MBR
// partition types.
import { describe, expect, test } from "vitest";
import { bitlockerWrites, BITLOCKER_GUID, FVE_SIGNATURE, metadataOffsets } from "../../../src/harness/guests/windows/bitlocker.js";
import { guidBytes, MBR_LDM, planWindowsLayout, renderSfdiskScript } from "../../../src/harness/guests/windows/layout.js";
import { findRecipe, validateWindowsRecipe } from "../../../src/harness/guests/recipes.js";

const MiB = 1024 * 1024;

/** The volume after the writes, as one buffer (small enough for a test). */
function volumeAfter(start: number, size: number): Buffer {
  const v = Buffer.alloc(size, 0x5a); // stand-in for NTFS data, so zeroing shows
  for (const w of bitlockerWrites(start, size)) w.bytes.copy(v, w.offset);
  return v;
}

describe("bitlockerWrites", () => {
  const size = 8 * MiB;
  const v = volumeAfter(2048, size);

  test("the volume header: jump EB 58 90 and -FVE-FS- (what libblkid matches), the BitLocker GUID, 55 AA", () => {
    expect([...v.subarray(0, 3)]).toEqual([0xeb, 0x58, 0x90]);
    expect(v.toString("latin1", 3, 11)).toBe("-FVE-FS-");
    expect(v.subarray(160, 176).equals(guidBytes(BITLOCKER_GUID))).toBe(true);
    expect(v.readUInt32LE(28)).toBe(2048);
    expect(v.readUInt16LE(510)).toBe(0xaa55);
    expect(v.toString("latin1", 3, 11)).not.toBe("NTFS    ");
  });

  test("the offset at 176 (the one libblkid follows) and the two after it point at version 2 FVE metadata blocks", () => {
    const offsets = [176, 184, 192].map((o) => Number(v.readBigUInt64LE(o)));
    expect(offsets).toEqual(metadataOffsets(size));
    expect(offsets[0]).toBeGreaterThan(0);
    for (const o of offsets) {
      expect(o % (64 * 1024)).toBe(0);
      expect(v.toString("latin1", o, o + 8)).toBe(FVE_SIGNATURE);
      expect(v.readUInt16LE(o + 10)).toBe(2);
      expect(Number(v.readBigUInt64LE(o + 32))).toBe(offsets[0]);
    }
  });

  test("the metadata blocks lie inside the volume, apart from each other, and the last sector (NTFS's backup boot sector) is zeroed", () => {
    const [a, b, c] = metadataOffsets(size);
    expect(a).toBeLessThan(b);
    expect(b).toBeLessThan(c);
    expect(c + 64).toBeLessThan(size - 512);
    expect(v.subarray(size - 512).every((x) => x === 0)).toBe(true);
    expect(v[size - 513]).toBe(0x5a);
  });

  test("a volume too small for the metadata is refused", () => {
    expect(() => bitlockerWrites(2048, 128 * 1024)).toThrow(/too small/);
  });
});

describe("the refusal guests' recipes", () => {
  test("windows-7-dynamic: both MBR partitions typed 0x42 in the sfdisk script; windows-7-bios keeps NTFS's 7", () => {
    const dyn = renderSfdiskScript(planWindowsLayout(findRecipe("windows-7-dynamic")));
    expect(dyn.split("\n").filter((l) => l.startsWith("start="))).toEqual([
      "start=2048, size=204800, type=42, bootable",
      "start=206848, type=42",
    ]);
    expect(MBR_LDM).toBe(0x42);
    const basic = renderSfdiskScript(planWindowsLayout(findRecipe("windows-7-bios")));
    expect(basic).not.toContain("type=42");
    expect(basic).toContain("start=206848, type=7");
  });

  test("windows-2022-bitlocker is the Server 2022 UEFI guest with bitlocker set; both validate", () => {
    const bl = findRecipe("windows-2022-bitlocker");
    expect([bl.bitlocker, bl.firmware, bl.windows.build]).toEqual([true, "uefi", 20348]);
    expect(validateWindowsRecipe(bl)).toEqual([]);
    expect(validateWindowsRecipe(findRecipe("windows-7-dynamic"))).toEqual([]);
  });

  test("dynamicDisk on a GPT layout is refused (it sets MBR types)", () => {
    const r = { ...findRecipe("windows-2022-uefi"), dynamicDisk: true };
    expect(validateWindowsRecipe(r)).toEqual(['recipe "windows-2022-uefi": dynamicDisk sets MBR partition types, so it needs mbr-system-reserved']);
  });
});
