// Matrix files: expansion, defaults and overrides, and error messages that name the file and line.
import { describe, expect, test } from "vitest";
import { join } from "node:path";
import { loadMatrix, parseMatrix, type MatrixRegistry } from "../../../src/harness/matrix/load.js";

const REG: MatrixRegistry = {
  guests: new Map([["debian-12-bios", "bios"], ["debian-12-uefi", "uefi"]] as const),
  inputs: ["disk", "ova"],
  outputs: ["local", "qemu", "null", "json"],
};

const ROOT = join(import.meta.dirname, "../../..");

/** The message parseMatrix throws for `text`, or "" when it loads. */
function errorOf(text: string): string {
  try {
    parseMatrix(text, "m.yaml", REG);
    return "";
  } catch (e) {
    return (e as Error).message;
  }
}

const GOOD = `defaults:
  expect: { boots: true, blockBus: virtio-blk }
groups:
  - guests: [debian-12-bios, debian-12-uefi]
    inputs: [disk, ova]
    outputs: [local, "null"]
overrides:
  - match: '/o-null$'
    expect: { boots: false, reason: no disk }
  - match: '^debian-12-uefi/i-disk/'
    skip: not today
  - match: '^debian-12-uefi/i-disk/o-null'
    skip: null
`;

describe("expansion", () => {
  const m = parseMatrix(GOOD, "m.yaml", REG);
  const byName = new Map(m.cells.map((c) => [c.name, c]));

  test("the product of guests x inputs x outputs, named guest/i-input/o-output, in file order", () => {
    expect(m.cells.map((c) => c.name)).toEqual([
      "debian-12-bios/i-disk/o-local", "debian-12-bios/i-disk/o-null",
      "debian-12-bios/i-ova/o-local", "debian-12-bios/i-ova/o-null",
      "debian-12-uefi/i-disk/o-local", "debian-12-uefi/i-disk/o-null",
      "debian-12-uefi/i-ova/o-local", "debian-12-uefi/i-ova/o-null",
    ]);
  });

  test("defaults, then overrides in order; firmware comes from the recipe when not given", () => {
    expect(byName.get("debian-12-bios/i-ova/o-local")).toMatchObject({
      guest: "debian-12-bios", input: "ova", output: "local", options: [], negativeControl: true,
      expect: { boots: true, firmware: "bios", blockBus: "virtio-blk" }, origin: "m.yaml:4",
    });
    expect(byName.get("debian-12-uefi/i-ova/o-null")).toMatchObject({
      negativeControl: false, expect: { boots: false, reason: "no disk", firmware: "uefi" },
    });
  });

  test("an override's skip applies, and a later skip: null removes it", () => {
    expect(byName.get("debian-12-uefi/i-disk/o-local")?.skip).toBe("not today");
    expect(byName.get("debian-12-uefi/i-disk/o-null")?.skip).toBeUndefined();
    expect(byName.get("debian-12-bios/i-disk/o-local")?.skip).toBeUndefined();
  });

  test("a group suffix extends the names, and options are carried", () => {
    const s = parseMatrix(`groups:
  - guests: [debian-12-bios]
    inputs: [disk]
    outputs: [local]
    suffix: qcow2
    options: [-of, qcow2]
    expect: { boots: true, blockBus: sata, firmware: uefi }
`, "m.yaml", REG);
    expect(s.cells).toHaveLength(1);
    expect(s.cells[0]).toMatchObject({ name: "debian-12-bios/i-disk/o-local/qcow2", options: ["-of", "qcow2"], expect: { blockBus: "sata", firmware: "uefi" } });
  });
});

describe("the project's matrices load against the real registries", () => {
  test("smoke: a BIOS, a UEFI (no fallback loader) and a dracut cell booted with their negative controls, and a static Windows cell", async () => {
    const m = await loadMatrix("smoke", ROOT);
    expect(m.file).toBe("matrices/smoke.yaml");
    expect(m.cells.map((c) => [c.name, c.expect.boots, c.negativeControl, c.expect.firmware])).toEqual([
      ["debian-12-bios/i-ova/o-local", true, true, "bios"],
      ["debian-12-uefi-vendor/i-ova/o-local", true, true, "uefi"],
      ["debian-12-dracut/i-disk/o-qemu", true, true, "bios"],
      ["windows-2022-uefi/i-ova/o-local", false, true, "uefi"],
    ]);
    expect(m.cells[3]!.expect.reason).toBe("built guest, no Windows kernel: static proof");
  });

  test("nightly: every Debian guest x disk,ova x local,qemu,json,null and one -o kubevirt cell; every Windows guest x disk,ova x local,qemu,json, the fallback and the refusal; one negative control per guest", async () => {
    const m = await loadMatrix("nightly", ROOT);
    const guests = new Set(m.cells.map((c) => c.guest));
    const debian = [...guests].filter((g) => g.startsWith("debian-"));
    const refusals = ["windows-2022-hibernated", "windows-2022-bitlocker", "windows-7-dynamic"];
    const windows = [...guests].filter((g) => g.startsWith("windows-") && !refusals.includes(g));
    const standins = [...guests].filter((g) => g.endsWith("-standin"));
    // Debian: disk,ova x local,qemu,json,null + kubevirt; Windows: disk,ova x local,qemu,json + the fallback + the three refusals.
    // Plus --block-driver virtio-scsi: two Windows guests x ova x local,qemu,json. RPM stand-ins: disk,ova x local,qemu,json.
    expect(standins).toEqual(["rocky-9-standin", "sles-15-standin", "alt-10-standin"]);
    expect(m.cells).toHaveLength(debian.length * 2 * 4 + 1 + windows.length * 2 * 3 + 1 + refusals.length + 6 + standins.length * 2 * 3);
    expect(m.cells.filter((c) => c.guest.endsWith("-standin")).map((c) => [c.name, c.expect.boots, c.expect.reason, c.negativeControl])).toEqual(
      standins.flatMap((g) => ["disk", "ova"].flatMap((i) => ["local", "qemu", "json"].map((o) =>
        [`${g}/i-${i}/o-${o}`, false, "stand-in guest: static proof", i === "disk" && o === "local"]))));
    expect(m.cells.filter((c) => c.expect.blockBus === "virtio-scsi").map((c) => [c.name, c.options.join(" ")])).toEqual(
      ["windows-2022-uefi", "windows-7-bios"].flatMap((g) => ["local", "qemu", "json"].map((o) => [`${g}/i-ova/o-${o}/scsi`, "--block-driver virtio-scsi"])));
    expect(m.cells.filter((c) => c.guest.startsWith("windows-")).every((c) => !c.expect.boots && c.expect.reason)).toBe(true);
    expect(m.cells.filter((c) => c.virtioWin === "none").map((c) => [c.name, c.expect.blockBus])).toEqual([["windows-2022-uefi/i-ova/o-local/nodrivers", "sata"]]);
    expect(m.cells.filter((c) => c.expect.refused).map((c) => [c.name, c.negativeControl]))
      .toEqual([
        ["windows-2022-hibernated/i-ova/o-local", false],
        ["windows-2022-bitlocker/i-ova/o-local", false],
        ["windows-7-dynamic/i-ova/o-local", false],
      ]);
    for (const g of refusals) guests.delete(g);
    expect(m.cells.filter((c) => c.output === "kubevirt").map((c) => [c.name, c.expect.boots, c.negativeControl, c.expect.kernel]))
      .toEqual([["debian-12-bios/i-ova/o-kubevirt", false, false, "^6\\.1\\."]]);
    expect(m.cells.filter((c) => c.negativeControl).map((c) => c.guest).sort()).toEqual([...guests].sort());
    expect(m.cells.filter((c) => c.output === "null").every((c) => !c.expect.boots && c.expect.reason)).toBe(true);
    expect(m.cells.find((c) => c.name === "debian-12-uefi/i-ova/o-local")?.expect.firmware).toBe("uefi");
    expect(m.cells.find((c) => c.name === "debian-11-bios/i-ova/o-json")?.expect.kernel).toBe("^5\\.10\\.");
  });

  test("an unknown matrix name lists the ones that exist", async () => {
    await expect(loadMatrix("nigthly", ROOT)).rejects.toThrow(/matrix "nigthly": .*nigthly\.yaml does not exist; use one of: .*nightly.*smoke/);
  });
});

describe("errors name the file, the line and the fix", () => {
  const group = (body: string): string => `defaults:\n  expect: { boots: true, blockBus: virtio-blk }\ngroups:\n${body}`;

  test("a guest that is not a recipe: the line of that list item, and the known names", () => {
    expect(errorOf(group("  - guests:\n      - debian-12-bios\n      - debian-12-bois\n    inputs: [disk]\n    outputs: [local]\n")))
      .toBe('m.yaml:6: guest "debian-12-bois" does not exist; use one of: debian-12-bios, debian-12-uefi (the recipes in src/harness/guests/recipes.ts, or this file\'s guests:)');
  });

  test("an output mode that does not exist", () => {
    expect(errorOf(group("  - guests: [debian-12-bios]\n    inputs: [disk]\n    outputs: [local, libvirt]\n")))
      .toBe('m.yaml:6: output mode "libvirt" does not exist; use one of: local, qemu, null, json (modes in src/pipeline/registry.ts)');
  });

  test("a missing field points at the object that lacks it", () => {
    expect(errorOf(group("  - guests: [debian-12-bios]\n    outputs: [local]\n")))
      .toBe("m.yaml:4: groups[0].inputs is missing; add it");
  });

  test("an unknown field, and every problem reported at once", () => {
    const msg = errorOf(group("  - guests: [debian-12-bios]\n    inputs: [disk]\n    outputs: [local]\n    expects: {}\n  - guests: []\n    inputs: [disk]\n    outputs: [local]\n"));
    expect(msg.split("\n")).toEqual([
      "m.yaml:7: groups[0].expects: unknown field; remove it or check its spelling (see src/harness/matrix/schema.ts)",
      "m.yaml:8: groups[1].guests: list at least one guest",
    ]);
  });

  test("YAML syntax errors carry their line", () => {
    expect(errorOf("groups:\n  - guests: [debian-12-bios\n    inputs: [disk]\nx: y\n")).toMatch(/^m\.yaml:\d+: .*; fix the YAML syntax/);
  });

  test("boots: false needs a reason; -o null cannot boot", () => {
    const msg = errorOf(`groups:
  - guests: [debian-12-bios]
    inputs: [disk]
    outputs: [local, "null"]
    expect: { boots: false, blockBus: virtio-blk }
  - guests: [debian-12-uefi]
    inputs: [disk]
    outputs: ["null"]
    expect: { boots: true, blockBus: virtio-blk }
`);
    expect(msg.split("\n")).toEqual([
      "m.yaml:2: cell debian-12-bios/i-disk/o-local: expect.boots is false but expect.reason is missing; say why this cell is not booted",
      "m.yaml:2: cell debian-12-bios/i-disk/o-null: expect.boots is false but expect.reason is missing; say why this cell is not booted",
      "m.yaml:6: cell debian-12-uefi/i-disk/o-null: -o null writes no disk, so it cannot boot; set expect.boots: false with a reason",
    ]);
  });

  test("a cell made twice, and an override that matches nothing", () => {
    const msg = errorOf(group(`  - guests: [debian-12-bios]
    inputs: [disk]
    outputs: [local]
  - guests: [debian-12-bios]
    inputs: [disk]
    outputs: [local]
overrides:
  - match: '^debian-13-'
    skip: typo
`));
    expect(msg.split("\n")).toEqual([
      "m.yaml:7: cell debian-12-bios/i-disk/o-local is also made at m.yaml:4; remove one, or give one group a suffix",
      'm.yaml:11: override match "^debian-13-" matches no cell; fix the pattern or remove the override',
    ]);
  });

  test("an invalid regular expression in an override or in expect.kernel", () => {
    expect(errorOf(group("  - guests: [debian-12-bios]\n    inputs: [disk]\n    outputs: [local]\noverrides:\n  - match: '(['\n    skip: x\n")))
      .toMatch(/^m\.yaml:8: match "\(\[" is not a valid regular expression .*; fix the pattern$/);
    expect(errorOf(group("  - guests: [debian-12-bios]\n    inputs: [disk]\n    outputs: [local]\n    expect: { kernel: '6.1(' }\n")))
      .toMatch(/^m\.yaml:4: cell debian-12-bios\/i-disk\/o-local: expect\.kernel "6\.1\(" is not a valid regular expression/);
  });

  test("a wrong type names the field", () => {
    expect(errorOf(group("  - guests: [debian-12-bios]\n    inputs: [disk]\n    outputs: [local]\n    expect: { boots: yes please }\n")))
      .toMatch(/^m\.yaml:7: groups\[0\]\.expect\.boots: Invalid input: expected boolean/);
  });
});

test("a bare null in a list is YAML's empty value: the message says to quote it", () => {
  expect(errorOf("groups:\n  - guests: [debian-12-bios]\n    inputs: [disk]\n    outputs: [local, null]\n    expect: { boots: false, reason: x, blockBus: ide }\n"))
    .toBe('m.yaml:4: groups[0].outputs[1] is empty (YAML reads a bare null or ~ as no value); give a value, or quote it: "null"');
});
