// The fault runner's pure parts: stage lines, the one error line, judging an answer, skipping.
import { expect, test } from "vitest";
import { describeRun, faultCases, judgeAnswer, skipReason, STAGES } from "../../../src/harness/reliability/fault-cases.js";
import { errorLines, parseStageLine } from "../../../src/harness/reliability/fault-runner.js";

test("parseStageLine reads '[  12.3] Text' and nothing else", () => {
  expect(parseStageLine("[  12.3] Copying disk 1/2")).toBe("Copying disk 1/2");
  expect(parseStageLine("[1234.5] Converting Debian 12 to run on KVM")).toBe("Converting Debian 12 to run on KVM");
  expect(parseStageLine("v2v: info: [  1.0] x")).toBeUndefined();
  expect(parseStageLine("progress: 10%")).toBeUndefined();
});

test("errorLines keeps the 'v2v: error:' lines without their prefix", () => {
  expect(errorLines("v2v: warning: w\nv2v: error: interrupted by SIGINT; x\n\nhint\n")).toEqual(["interrupted by SIGINT; x"]);
});

test("judgeAnswer: exit status, exactly one error line, every key word (case-insensitive)", () => {
  const r = (exitCode: number | undefined, stderr: string, killedBy?: string) => ({ exitCode, stderr, killedBy });
  expect(judgeAnswer(r(1, "v2v: error: No space left on device in -os /o\n"), 1, ["no space", "-os /o"])).toEqual([]);
  expect(judgeAnswer(r(0, ""), 1, ["x"])).toEqual(["exit status 0, expected 1", '0 "v2v: error:" lines, expected exactly one', 'the error line lacks "x"']);
  expect(judgeAnswer(r(undefined, "", "SIGKILL"), 1, [])).toContain("v2v was killed by SIGKILL instead of exiting 1");
  expect(judgeAnswer(r(1, "v2v: error: a\nv2v: error: b\n"), 1, [])).toEqual(['2 "v2v: error:" lines, expected exactly one']);
  expect(judgeAnswer(r(0, "v2v: error: late\n"), 0, [])).toEqual(["unexpected error: late"]);
  expect(describeRun(r(1, "v2v: error: boom\n"))).toBe("exit 1: boom");
});

test("every stage is covered by SIGINT and SIGTERM; the default tier reaches 'Converting' and the copy", () => {
  const names = faultCases().map((c) => c.name);
  for (const s of STAGES.filter((x) => !x.label)) for (const sig of ["SIGINT", "SIGTERM"]) expect(names).toContain(`${sig} at "${s.stage}"`);
  expect(names).toContain('SIGINT during the appliance launch (5 s into "Opening the source")');
  expect(names).toContain("Ctrl-C during the conversion (SIGINT to the process group)");
  const defaults = STAGES.filter((s) => s.tier === "default").map((s) => s.stage);
  expect(defaults).toEqual(["Setting up the source", "Checking the OVA manifest", "Opening the source", "Opening the source", "Inspecting the source",
    "Checking for sufficient free disk space", "Converting", "Copying disk 2/2", "Converting"]);
});

test("skipReason says why a case does not run", () => {
  const [readOnly] = faultCases();
  const late = faultCases().find((c) => c.tier === "full")!;
  expect(skipReason(readOnly!, { full: false, root: false })).toBe("needs root to mount a tmpfs");
  expect(skipReason(readOnly!, { full: false, root: true })).toBeUndefined();
  expect(skipReason(late, { full: false, root: true })).toMatch(/V2V_FAULTS=full/);
  expect(skipReason(late, { full: true, root: true })).toBeUndefined();
});
