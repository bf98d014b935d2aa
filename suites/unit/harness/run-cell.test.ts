// The pure decisions of a cell run: the v2v argv, stage timings from --machine-readable, the verdict.
import { describe, expect, test } from "vitest";
import { NEGATIVE_CONTROL_BOOTED } from "../../../src/harness/boot/boot-checks.js";
import type { MatrixCell } from "../../../src/harness/matrix/schema.js";
import { NO_CHECK_RAN, buildV2vArgs, checkRefusal, expectedHardware, expectsSecureBoot, judgeCell } from "../../../src/harness/matrix/run-cell.js";
import { parseMachineReadable } from "../../../src/harness/matrix/run-v2v.js";
import { findRecipe } from "../../../src/harness/guests/recipes.js";

const cell = (over: Partial<MatrixCell>): MatrixCell => ({
  name: "debian-12-bios/i-ova/o-local", guest: "debian-12-bios", input: "ova", output: "local", options: [],
  expect: { boots: true, firmware: "bios", blockBus: "virtio-blk" }, negativeControl: true, virtioWin: "harness", origin: "m.yaml:1", ...over,
});

test("v2v argv: input, sources, output with -os (none for -o null), then the cell's options", () => {
  expect(buildV2vArgs(cell({}), ["/c/g.ova"], "/w/out")).toEqual(["-i", "ova", "/c/g.ova", "-o", "local", "-os", "/w/out"]);
  expect(buildV2vArgs(cell({ input: "disk", output: "null", options: ["-v"] }), ["/c/a.raw", "/c/b.raw"], "/w/out"))
    .toEqual(["-i", "disk", "/c/a.raw", "/c/b.raw", "-o", "null", "-v"]);
});

test("expected hardware: the OVF's for -i ova, virt-v2v's invented 2048 MiB / 1 vCPU for -i disk", () => {
  const r = findRecipe("debian-12-bios");
  expect(expectedHardware(cell({}), r)).toEqual({ memoryMiB: r.vm.memoryMiB, vcpus: r.vm.vcpus });
  expect(expectedHardware(cell({ input: "disk" }), r)).toEqual({ memoryMiB: 2048, vcpus: 1 });
});

test("Secure Boot is expected only of windows-11-uefi converted from its OVA (-i disk has no metadata to carry it)", () => {
  const w11 = findRecipe("windows-11-uefi");
  expect(expectsSecureBoot(cell({ input: "ova" }), w11)).toBe(true);
  expect(expectsSecureBoot(cell({ input: "disk" }), w11)).toBe(false);
  for (const name of ["windows-2022-uefi", "windows-10-bios", "debian-12-uefi"] as const) {
    expect(expectsSecureBoot(cell({ input: "ova" }), findRecipe(name)), name).toBe(false);
  }
});

describe("parseMachineReadable", () => {
  const lines = [
    '{"message":"Setting up the source: -i ova g.ova","timestamp":"2026-11-25T10:00:00.000+00:00","type":"message"}',
    '{"type":"progress","percent":5,"timestamp":"2026-11-25T10:00:01.000+00:00"}',
    '{"message":"Opening the source","timestamp":"2026-11-25T10:00:02.500+00:00","type":"message"}',
    '{"message":"fstrim: /boot: not supported","timestamp":"2026-11-25T10:00:03.000+00:00","type":"warning"}',
    "not json at all",
    '{"message":"Finishing off","timestamp":"2026-11-25T10:00:30.000+00:00","type":"message"}',
    '{"message":"disk full","timestamp":"2026-11-25T10:00:31.000+00:00","type":"error"}',
    '{"message":"partial',
  ].join("\n");
  test("each stage lasts until the next one; the last until the exit", () => {
    const s = parseMachineReadable(lines, Date.parse("2026-11-25T10:00:31.000Z"));
    expect(s.stages).toEqual([
      { message: "Setting up the source: -i ova g.ova", seconds: 2.5 },
      { message: "Opening the source", seconds: 27.5 },
      { message: "Finishing off", seconds: 1 },
    ]);
    expect(s.warnings).toEqual(["fstrim: /boot: not supported"]);
    expect(s.error).toBe("disk full");
  });
});

describe("judgeCell", () => {
  const ok = { name: "a", ok: true, detail: "fine" };
  test("all checks ok: pass, no reason", () => {
    expect(judgeCell([ok, ok])).toEqual({ status: "pass" });
    expect(judgeCell([ok])).toEqual({ status: "pass" });
  });
  test("a cell with zero checks fails: nothing was proved", () => {
    expect(judgeCell([])).toEqual({ status: "fail", reason: NO_CHECK_RAN });
  });
  test("a harness error with no check is reported as the error alone", () => {
    expect(judgeCell([], "the harness stopped: no image")).toEqual({ status: "fail", reason: "the harness stopped: no image" });
  });
  test("failures are named; the negative control's sentence comes first; more than three are counted", () => {
    const bad = (n: number) => ({ name: `c${n}`, ok: false, detail: `d${n}` });
    const neg = { name: "negative control: x", ok: false, detail: `${NEGATIVE_CONTROL_BOOTED} (line)` };
    expect(judgeCell([ok, bad(1), neg])).toEqual({ status: "fail", reason: `${NEGATIVE_CONTROL_BOOTED}; c1: d1` });
    expect(judgeCell([bad(1), bad(2), bad(3), bad(4)]).reason).toBe("c1: d1; c2: d2; c3: d3 (and 1 more)");
  });
  test("a harness error fails the cell even with no failed check", () => {
    expect(judgeCell([ok], "the harness stopped: boom")).toEqual({ status: "fail", reason: "the harness stopped: boom" });
  });
});

test("a refusal cell passes only with a non-zero exit, one matching error line and nothing written", () => {
  const refused = { exitCode: 1, summary: { stages: [], warnings: [], error: "this Windows guest is hibernated or was shut down with Fast Startup (x): do y" } };
  expect(checkRefusal(refused, "hibernated", []).map((c) => c.ok)).toEqual([true, true, true]);
  expect(checkRefusal({ ...refused, exitCode: 0 }, "hibernated", []).map((c) => c.ok)).toEqual([false, true, true]);
  expect(checkRefusal(refused, "BitLocker", []).map((c) => c.ok)).toEqual([true, false, true]);
  expect(checkRefusal({ ...refused, summary: { ...refused.summary, error: "hibernated\nand more" } }, "hibernated", []).map((c) => c.ok)).toEqual([true, false, true]);
  expect(checkRefusal(refused, "hibernated", ["w-sda.part"]).map((c) => c.ok)).toEqual([true, true, false]);
});
