// The reliability table: one row per case, totals that count mishandled and skipped cases apart.
import { expect, test } from "vitest";
import { renderTable, type ReliabilityRow } from "../../../src/harness/reliability/table.js";

const row = (over: Partial<ReliabilityRow>): ReliabilityRow => ({
  case: "c", group: "g", expected: "exit 1: x", got: "exit 1: x", handled: true, cleanupOk: true, seconds: 1.25, detail: "ok", ...over,
});

test("a handled, clean case is counted as handled; a mishandled one is named with its detail", () => {
  const t = renderTable([row({ case: "good" }), row({ case: "leaky", cleanupOk: false, detail: "-os holds x.part" }), row({ case: "wrong", handled: false, detail: "exit 0" })]);
  expect(t).toMatch(/^case +expected +got +cleanup ok +s$/m);
  expect(t).toMatch(/^leaky .* NO +1\.3$/m);
  expect(t).toContain("3 cases: 1 handled, 2 mishandled");
  expect(t).toContain("MISHANDLED leaky: -os holds x.part");
  expect(t).toContain("MISHANDLED wrong: exit 0");
});

test("skipped cases are counted apart, with their reason in the row", () => {
  const t = renderTable([row({}), row({ case: "s", got: "skipped: needs root", detail: "needs root" })]);
  expect(t).toContain("2 cases: 1 handled, 0 mishandled, 1 skipped (reason in the row)");
  expect(t).toMatch(/skipped: needs root/);
});
