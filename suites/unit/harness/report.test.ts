// reports/matrix.md rendering, against a golden file (update with `vitest -u` after a deliberate change).
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { cellFileStem, parseCellResult, skippedCell, type CellResult } from "../../../src/harness/matrix/cell-result.js";
import { renderMatrixReport, renderTable } from "../../../src/harness/report/matrix-md.js";

const base = { stageSeconds: {}, cliStages: [], checks: [], serialLogs: [], files: [], startedAt: "2026-11-25T03:00:00.000Z" };

const RESULTS: CellResult[] = [
  {
    ...base, name: "debian-12-bios/i-ova/o-local", guest: "debian-12-bios", input: "ova", output: "local", status: "pass", proof: "boot", seconds: 312.4,
    stageSeconds: { image: 1.2, package: 0.4, "sha256 before": 3.1, convert: 141.6, "sha256 after": 3, "static checks": 48.2, boot: 71.5, "negative control": 43.9 },
    checks: [{ name: "v2v converts the guest", ok: true, detail: "142 s" }],
    bootReport: { outcome: "reported", reportLine: "V2V-BOOT-REPORT root=/dev/vda1 kernel=6.1.0-27-amd64", seconds: 71.5, serialLogPath: "reports/cells/x/serial-converted.log" },
    negativeControl: { outcome: "failed", failureLine: "Gave up waiting for root file system device.", seconds: 43.9, serialLogPath: "reports/cells/x/serial-negative-control.log" },
  },
  {
    ...base, name: "debian-12-uefi/i-disk/o-local", guest: "debian-12-uefi", input: "disk", output: "local", status: "fail", seconds: 95,
    reason: "negative control booted: the boot check cannot fail, so it proves nothing; fstab names no device that is not on virtio-blk: stale entries: line 3: /dev/sda1 /",
    stageSeconds: { image: 2, convert: 60.04, "static checks": 20, "negative control": 13 },
    checks: [
      { name: "v2v converts the guest", ok: true, detail: "60 s" },
      { name: "fstab names no device that is not on virtio-blk", ok: false, detail: "stale entries: line 3: /dev/sda1 /" },
      { name: "negative control: the unconverted guest does not boot on virtio", ok: false, detail: "negative control booted: the boot check cannot fail, so it proves nothing (V2V-BOOT-REPORT root=/dev/vda2)" },
    ],
    files: ["reports/cells/debian-12-uefi__i-disk__o-local/v2v.jsonl", "reports/cells/debian-12-uefi__i-disk__o-local/v2v.stderr.log"],
    serialLogs: ["reports/cells/debian-12-uefi__i-disk__o-local/serial-negative-control.log"],
    negativeControl: { outcome: "reported", reportLine: "V2V-BOOT-REPORT root=/dev/vda2", seconds: 13, serialLogPath: "reports/cells/debian-12-uefi__i-disk__o-local/serial-negative-control.log" },
  },
  skippedCell({ name: "debian-12-bios/i-disk/o-qemu", guest: "debian-12-bios", input: "disk", output: "qemu" }, "OVMF missing on the runner", new Date("2026-11-25T03:00:00Z")),
  {
    ...base, name: "debian-12-bios/i-disk/o-local/qcow2", guest: "debian-12-bios", input: "disk", output: "local", status: "pass", seconds: 7.25,
    stageSeconds: { convert: 5.5 },
  },
  {
    ...base, name: "windows-2022-uefi/i-ova/o-local", guest: "windows-2022-uefi", input: "ova", output: "local", status: "pass", proof: "static", seconds: 201,
    stageSeconds: { convert: 115.5, "static checks": 46.2, "negative control": 39 },
  },
  {
    ...base, name: "windows-2022-hibernated/i-ova/o-local", guest: "windows-2022-hibernated", input: "ova", output: "local", status: "pass", proof: "refusal", seconds: 60,
  },
  {
    ...base, name: "debian-12-lvm/i-ova/o-json", guest: "debian-12-lvm", input: "ova", output: "json", status: "broken", proof: "static", seconds: 488,
    reason: "BROKEN (the libguestfs appliance did not start): v2v converts the guest: exit status 1: libguestfs: run: no answer after 480 s; the appliance was stopped",
    retriedAfter: { reason: "BROKEN (the libguestfs appliance did not start): v2v converts the guest: exit status 1: libguestfs: run: no answer after 480 s; the appliance was stopped", seconds: 491 },
    checks: [{ name: "v2v converts the guest", ok: false, detail: "exit status 1: libguestfs: run: no answer after 480 s; the appliance was stopped" }],
  },
  {
    ...base, name: "debian-12-lvm/i-disk/o-json", guest: "debian-12-lvm", input: "disk", output: "json", status: "pass", proof: "static", seconds: 130,
    retriedAfter: { reason: "BROKEN (the container engine failed): the harness stopped: Cannot connect to the Docker daemon at unix:///var/run/docker.sock", seconds: 2 },
  },
];

test("the status line counts broken and retried cells only when there are some", () => {
  expect(renderMatrixReport([RESULTS[0]!, RESULTS[1]!]).split("\n")[2]).toBe("2 cells: 1 passed, 1 failed, 0 skipped");
  expect(renderMatrixReport([RESULTS[6]!]).split("\n")[2]).toBe("1 cell: 0 passed, 0 failed, 1 broken (infrastructure, not the product), 0 skipped; 1 run twice after infrastructure trouble");
  expect(renderMatrixReport([RESULTS[0]!])).not.toContain("## Failed, broken, skipped and retried cells");
});

test("the matrix report matches the golden file", async () => {
  // Shuffled input: shards finish in any order, the report must not depend on it.
  const text = renderMatrixReport([RESULTS[2]!, RESULTS[0]!, RESULTS[7]!, RESULTS[5]!, RESULTS[3]!, RESULTS[1]!, RESULTS[6]!, RESULTS[4]!], { subtitle: "matrix smoke; shard all" });
  await expect(text).toMatchFileSnapshot("./golden/matrix.md");
});

test("no results: says so instead of an empty table", () => {
  expect(renderMatrixReport([])).toBe("# v2v conversion matrix\n\nNo cell results were found.\n");
});

test("renderTable pads every column to its widest cell", () => {
  expect(renderTable(["a", "long header"], [["wide cell", "x"]])).toBe(
    "| a         | long header |\n|-----------|-------------|\n| wide cell | x           |",
  );
});

test("cell files round-trip, and a broken one is named with the fix", () => {
  const dir = mkdtempSync(join(tmpdir(), "v2v-cells-"));
  try {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${cellFileStem(RESULTS[0]!.name)}.json`);
    writeFileSync(file, JSON.stringify(RESULTS[0]));
    expect(parseCellResult(JSON.stringify(RESULTS[0]), file)).toEqual(RESULTS[0]);
    expect(cellFileStem("debian-12-bios/i-ova/o-local")).toBe("debian-12-bios__i-ova__o-local");
    expect(() => parseCellResult(JSON.stringify({ ...RESULTS[0], status: "flaky" }), "c.json")).toThrow(/^c\.json: status: .*; delete it or rerun the cell$/);
    expect(() => parseCellResult("{", "c.json")).toThrow(/^c\.json: not JSON/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
