// `npm run reliability`: run the hostile-input corpus with the real CLI and print one table (case,
// expected, got, cleanup ok) with the totals. Exit status 1 when any case was mishandled.
//   --filter REGEX   only the cases whose name matches
//   --no-appliance   skip the cases that launch libguestfs (they say so in the table)
import { CORPUS } from "./corpus-cases.js";
import { runCorpus } from "./corpus.js";
import { renderTable, type ReliabilityRow } from "./table.js";

async function main(argv: readonly string[]): Promise<number> {
  const filterAt = argv.indexOf("--filter");
  const filter = filterAt >= 0 ? new RegExp(argv[filterAt + 1] ?? "") : undefined;
  const noAppliance = argv.includes("--no-appliance");
  const cases = CORPUS.filter((c) => (!filter || filter.test(c.name)) && !(noAppliance && c.appliance));
  const skipped = CORPUS.length - cases.length;
  process.stdout.write(`reliability: ${cases.length} corpus cases${skipped ? ` (${skipped} left out by --filter/--no-appliance)` : ""}\n`);
  const rows: ReliabilityRow[] = await runCorpus(cases, (r) =>
    process.stdout.write(`  ${r.handled && r.cleanupOk ? "ok  " : "FAIL"} ${r.case} (${r.seconds.toFixed(1)} s)\n`));
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
