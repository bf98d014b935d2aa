// `node dist/harness/bin/report-cli.js [--cells DIR] [--out FILE] [--subtitle TEXT]`: render
// reports/cells/*.json into reports/matrix.md and print it. Exit 1 on an unreadable cell file.
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { parseCellResult, type CellResult } from "../matrix/cell-result.js";
import { renderMatrixReport } from "../report/matrix-md.js";

interface Args {
  readonly cells: string;
  readonly out: string;
  readonly subtitle?: string;
}

function parseArgv(argv: readonly string[]): Args {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const unknown = argv.filter((a, i) => a.startsWith("--") && !["--cells", "--out", "--subtitle"].includes(a) && !["--cells", "--out", "--subtitle"].includes(argv[i - 1] ?? ""));
  if (unknown.length > 0) throw new Error(`unknown option ${unknown[0]}; use --cells DIR, --out FILE, --subtitle TEXT`);
  const subtitle = get("--subtitle");
  return { cells: resolve(get("--cells") ?? "reports/cells"), out: resolve(get("--out") ?? "reports/matrix.md"), ...(subtitle ? { subtitle } : {}) };
}

/** Every cell file under `dir` (flat), parsed; throws naming the first bad file. */
export async function readCellResults(dir: string): Promise<CellResult[]> {
  if (!existsSync(dir)) return [];
  const names = (await readdir(dir)).filter((f) => f.endsWith(".json")).sort();
  return Promise.all(names.map(async (f) => parseCellResult(await readFile(join(dir, f), "utf8"), join(dir, f))));
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgv(argv);
  const results = await readCellResults(args.cells);
  const text = renderMatrixReport(results, args.subtitle ? { subtitle: args.subtitle } : {});
  await mkdir(dirname(args.out), { recursive: true });
  await writeFile(args.out, text);
  process.stdout.write(`${text}\nwritten to ${args.out}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`report: error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
