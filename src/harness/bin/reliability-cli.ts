// `npm run reliability`: the hostile-input corpus and the fault injections, run with the real CLI,
// printed as one table (case, expected, got, cleanup ok) with the totals. Exit status 1 when any
// case was mishandled.
//   --filter REGEX   only the cases whose name matches
//   --corpus-only    skip the fault injections (they convert the reference guest: minutes each)
//   --full           also the late-stage signals (a whole conversion each; as V2V_FAULTS=full)
import { CORPUS } from "../reliability/corpus-cases.js";
import { runCorpus } from "../reliability/corpus.js";
import { faultCases, runFaultCases, type FaultRow } from "../reliability/fault-cases.js";
import { prepareFaultSources } from "../reliability/fault-fixtures.js";
import { renderTable, type ReliabilityRow } from "../reliability/table.js";

const say = (text: string): void => void process.stdout.write(`${text}\n`);

const fromFault = (r: FaultRow): ReliabilityRow => ({
  case: r.case, group: "fault injection", expected: r.expected,
  got: r.skipped ? `skipped: ${r.detail}` : r.got,
  handled: r.skipped || r.detail === "",
  cleanupOk: r.cleanupOk, seconds: 0, detail: r.detail || "ok",
});

async function main(argv: readonly string[]): Promise<number> {
  const filterAt = argv.indexOf("--filter");
  const filter = filterAt >= 0 ? new RegExp(argv[filterAt + 1] ?? "") : undefined;
  const full = argv.includes("--full") || process.env["V2V_FAULTS"] === "full";
  const cases = CORPUS.filter((c) => !filter || filter.test(c.name));
  say(`reliability: ${cases.length} corpus cases`);
  const rows: ReliabilityRow[] = await runCorpus(cases, (r) => say(`  ${r.handled && r.cleanupOk ? "ok  " : "FAIL"} ${r.case} (${r.seconds.toFixed(1)} s)`));
  if (!argv.includes("--corpus-only")) {
    const faults = faultCases().filter((c) => !filter || filter.test(c.name));
    say(`reliability: ${faults.length} fault injections${full ? "" : " (late-stage signals only with --full)"}`);
    const src = await prepareFaultSources((m) => say(`  ${m}`));
    for (const r of await runFaultCases(faults, src, { full, onRow: (r) => say(`  ${r.skipped ? "skip" : r.detail ? "FAIL" : "ok  "} ${r.case}`) })) {
      rows.push(fromFault(r));
    }
  }
  process.stdout.write(`\n${renderTable(rows)}`);
  return rows.every((r) => r.handled && r.cleanupOk) ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`reliability: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
