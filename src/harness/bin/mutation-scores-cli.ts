// `node dist/harness/bin/mutation-scores-cli.js [REPORT]`: the mutation score per top folder
// from Stryker's JSON report (default reports/mutation/mutation.json), as `npm run mutate` ends.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { folderScores, renderFolderScores, type MutationReport } from "../report/mutation-scores.js";

async function main(argv: readonly string[]): Promise<number> {
  const path = resolve(argv[0] ?? "reports/mutation/mutation.json");
  const report = JSON.parse(await readFile(path, "utf8")) as MutationReport;
  process.stdout.write(`Mutation score per folder (${path}):\n${renderFolderScores(folderScores(report))}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`mutation-scores: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
