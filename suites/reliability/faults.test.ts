// Fault injection against the real CLI and real libguestfs: signals at every stage, SIGKILL and
// a re-run, ENOSPC on -os, a read-only -os, two runs into one -os. Each case asserts the exit
// status, the one error line's key words, nothing left in -os or VIRT_V2V_TMPDIR, no guestfish
// or qemu left running, and the source unchanged. Late-stage signals (a whole conversion each)
// run with V2V_FAULTS=full; a case that does not run says why in its name.
import { beforeAll, describe, expect, test } from "vitest";
import { faultCases, skipReason, toRow, type FaultCase } from "../../src/harness/reliability/fault-cases.js";
import { isRoot, prepareFaultSources, type FaultSources } from "../../src/harness/reliability/fault-fixtures.js";

const env = { full: process.env["V2V_FAULTS"] === "full", root: isRoot() };
let src: FaultSources;

beforeAll(async () => {
  src = await prepareFaultSources((m) => process.stderr.write(`faults: ${m}\n`));
});

function defineCase(c: FaultCase): void {
  const reason = skipReason(c, env);
  if (reason !== undefined) {
    test.skip(`${c.name} [skipped: ${reason}]`, () => undefined);
    return;
  }
  test(`${c.name}: ${c.expected}`, async () => {
    const o = await c.run(src);
    const row = toRow(c, o);
    process.stderr.write(`faults: ${row.case} -> ${row.got}${row.detail ? ` !! ${row.detail}` : ""}\n`);
    expect(o.answerProblems, `answer (${o.got})`).toEqual([]);
    expect(o.cleanupProblems, `cleanup (${o.got})`).toEqual([]);
  });
}

describe("fault injection (real CLI, real libguestfs)", () => {
  for (const c of faultCases()) defineCase(c);
});
