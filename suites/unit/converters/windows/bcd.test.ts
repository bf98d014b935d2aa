// bcd.ts on BCD hives built with the Hive API (hives.ts): the boot manager's default entry loses
// its graphicsmodedisabled element (16000046); every other entry and element is left as it was;
// a BCD without a usable default gives a note and no change.
import { describe, expect, test } from "vitest";
import { BOOTMGR_OBJECT, DEFAULT_OBJECT_ELEMENT, editBcd, GRAPHICS_MODE_DISABLED_ELEMENT } from "../../../../src/converters/windows/bcd.js";
import { Hive } from "../../../../src/registry/hive.js";
import { sz } from "../../../../src/registry/values.js";
import { bcdHive, BOOTMGR, LOADER_A, LOADER_B } from "./hives.js";

const reread = (h: Hive): Hive => Hive.parse(h.toBuffer(), "BCD (round trip)");
const elements = (h: Hive, guid: string) => h.subkeys(["Objects", guid, "Elements"]);

test("the well-known names", () => {
  expect(BOOTMGR_OBJECT).toBe("{9dea862c-5cdd-4e70-acc1-f32b344d4795}");
  expect(DEFAULT_OBJECT_ELEMENT).toBe("23000003");
  expect(GRAPHICS_MODE_DISABLED_ELEMENT).toBe("16000046");
});

describe("editBcd", () => {
  test("the default entry's 16000046 is deleted; the other entry and the other elements are untouched", () => {
    const h = bcdHive({ defaultEntry: LOADER_A, loaders: { [LOADER_A]: true, [LOADER_B]: true } });
    const otherBefore = JSON.stringify(h.values(["Objects", LOADER_B, "Elements", "16000046"]));
    const edit = editBcd(h);
    expect(edit).toStrictEqual({ changes: [`removed graphicsmodedisabled from the default boot entry ${LOADER_A} of the BCD`], defaultEntry: LOADER_A });
    const back = reread(h);
    expect(elements(back, LOADER_A)).toEqual(["12000004", "22000002"]);
    expect(elements(back, LOADER_B)).toEqual(["12000004", "16000046", "22000002"]);
    expect(JSON.stringify(back.values(["Objects", LOADER_B, "Elements", "16000046"]))).toBe(otherBefore);
    expect(elements(back, BOOTMGR)).toEqual(["12000004", "23000003"]);
    expect(back.subkeys(["Objects"])?.sort()).toEqual([BOOTMGR, LOADER_A, LOADER_B].sort());
  });

  test("a second edit changes nothing, and still names the default entry", () => {
    const h = bcdHive({ defaultEntry: LOADER_A, loaders: { [LOADER_A]: true } });
    editBcd(h);
    const before = h.toBuffer().toString("hex");
    expect(editBcd(h)).toStrictEqual({ changes: [], defaultEntry: LOADER_A });
    expect(h.toBuffer().toString("hex")).toBe(before);
  });

  test("a default entry without 16000046: no change, no note", () => {
    const h = bcdHive({ defaultEntry: LOADER_B, loaders: { [LOADER_A]: true, [LOADER_B]: false } });
    expect(editBcd(h)).toStrictEqual({ changes: [], defaultEntry: LOADER_B });
    expect(elements(h, LOADER_A)).toContain("16000046");
  });

  test("the default GUID is found whatever its case (keys are case-insensitive)", () => {
    const h = bcdHive({ defaultEntry: LOADER_A.toUpperCase(), loaders: { [LOADER_A]: true } });
    expect(editBcd(h).changes).toEqual([`removed graphicsmodedisabled from the default boot entry ${LOADER_A.toUpperCase()} of the BCD`]);
    expect(elements(h, LOADER_A)).not.toContain("16000046");
  });

  test("no 23000003 element: a note, nothing changed", () => {
    const h = bcdHive({ loaders: { [LOADER_A]: true } });
    const before = h.toBuffer().toString("hex");
    expect(editBcd(h)).toStrictEqual({ changes: [], note: "the BCD has no default boot entry (Windows Boot Manager element 23000003)" });
    expect(h.toBuffer().toString("hex")).toBe(before);
  });

  test("no boot manager object at all: the same note", () => {
    const h = bcdHive({ loaders: { [LOADER_A]: true } });
    h.deleteKey(["Objects", BOOTMGR]);
    expect(editBcd(h).note).toBe("the BCD has no default boot entry (Windows Boot Manager element 23000003)");
  });

  test.each(["Windows", "{current}", `${LOADER_A} `, LOADER_A.slice(1, -1), "{5a1d4e3c-0b7f-11ef-9c2a-8f0e2b1c3d4}"])("a default entry %j that is not a GUID: a note, nothing changed", (def) => {
    const h = bcdHive({ defaultEntry: def, loaders: { [LOADER_A]: true } });
    const before = h.toBuffer().toString("hex");
    expect(editBcd(h)).toStrictEqual({ changes: [], note: "the BCD's default boot entry is not a GUID" });
    expect(h.toBuffer().toString("hex")).toBe(before);
  });

  test("a default entry that names no object: a note with the GUID, nothing changed", () => {
    const h = bcdHive({ defaultEntry: LOADER_B, loaders: { [LOADER_A]: true } });
    const before = h.toBuffer().toString("hex");
    expect(editBcd(h)).toStrictEqual({ changes: [], note: `the BCD's default boot entry ${LOADER_B} does not exist`, defaultEntry: LOADER_B });
    expect(h.toBuffer().toString("hex")).toBe(before);
  });

  test("a 23000003 element that is not a string (binary) counts as missing", () => {
    const h = bcdHive({ loaders: { [LOADER_A]: true } });
    h.setValue(["Objects", BOOTMGR, "Elements", "23000003"], { name: "Element", type: 3, data: Buffer.from(`${LOADER_A}\0`, "utf16le") });
    expect(editBcd(h).note).toBe("the BCD has no default boot entry (Windows Boot Manager element 23000003)");
    // …and a string one is read up to its NUL.
    h.setValue(["Objects", BOOTMGR, "Elements", "23000003"], sz("Element", LOADER_A));
    expect(editBcd(h).defaultEntry).toBe(LOADER_A);
  });
});
