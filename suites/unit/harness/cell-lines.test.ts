// The per-cell lines `npm run matrix` prints while it runs.
import { expect, test } from "vitest";
import { cellEndLine, cellStartLine } from "../../../src/harness/report/cell-lines.js";
import type { CellResult } from "../../../src/harness/matrix/cell-result.js";

const base: CellResult = {
  name: "debian-12-dracut/i-disk/o-qemu", guest: "debian-12-dracut", input: "disk", output: "qemu", status: "pass", proof: "boot",
  stageSeconds: { image: 0, package: 0.02, "sha256 before": 3.1, convert: 231.4, "static checks": 42.9, boot: 51.5, "negative control": 365.2 },
  cliStages: [], checks: [], serialLogs: [], files: [], startedAt: "2026-12-02T14:33:00.000Z", seconds: 705.3,
};

test("a start line, and an end line with the status, the proof, the seconds and the stages that took any", () => {
  expect(cellStartLine(base.name, 3, 4)).toBe("[3/4] START debian-12-dracut/i-disk/o-qemu");
  expect(cellEndLine(base, 3, 4)).toBe("[3/4] PASS (boot) debian-12-dracut/i-disk/o-qemu 705 s: convert 231, static checks 43, boot 52, negative control 365");
});

test("a failed or broken cell's reason goes on the next line; a second run says so", () => {
  const failed = { ...base, status: "fail" as const, reason: "boot: timeout after 900 s", stageSeconds: {}, seconds: 12 };
  expect(cellEndLine(failed, 1, 1)).toBe("[1/1] FAIL debian-12-dracut/i-disk/o-qemu 12 s\n    boot: timeout after 900 s");
  const again = { ...base, retriedAfter: { reason: "BROKEN (x): y", seconds: 3 } };
  expect(cellEndLine(again, 1, 1).endsWith("negative control 365 (2nd run)")).toBe(true);
  expect(cellEndLine({ ...failed, status: "broken", reason: "BROKEN (the container engine failed): z" }, 1, 2)).toMatch(/^\[1\/2\] BROKEN .*\n {4}BROKEN \(the container engine failed\): z$/);
});
