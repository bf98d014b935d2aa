// Run corpus cases with the real CLI: build each input in a fresh directory, run v2v with its own
// -os and VIRT_V2V_TMPDIR, and judge the outcome (run-case.ts) into a ReliabilityRow.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { BuiltInput, CorpusCase, CorpusEnv } from "./corpus-cases.js";
import { mountTmpfs, unmount } from "./fault-fixtures.js";
import { buildPhonyDisks, type PhonyDisks } from "./phony-guests.js";
import { runCase } from "./run-case.js";
import type { ReliabilityRow } from "./table.js";

/** A shared area for a corpus run: the host secret, and one directory per case. */
export async function makeCorpusEnv(base = process.env["VIRT_V2V_TMPDIR"] ?? "/var/tmp"): Promise<CorpusEnv & { root: string; dispose: () => Promise<void> }> {
  const root = await mkdtemp(join(base, "v2v-corpus-"));
  const secretToken = `HOST-SECRET-${Math.random().toString(36).slice(2, 12)}`;
  const secretPath = join(root, "host-secret.txt");
  await writeFile(secretPath, `${secretToken}\n`.repeat(4096));
  let phony: Promise<PhonyDisks> | undefined;
  const phonyDisks = (): Promise<PhonyDisks> => {
    phony ??= mkdir(join(root, "phony"), { recursive: true }).then(() => buildPhonyDisks(join(root, "phony")));
    return phony;
  };
  return { root, secretPath, secretToken, phonyDisks, dispose: () => rm(root, { recursive: true, force: true }) };
}

const describeExpected = (c: CorpusCase): string => `exit ${c.exit}: ${c.words.map((w) => w.source).join(" + ")}`;

export async function runCorpusCase(c: CorpusCase, env: CorpusEnv & { root: string }, index: number): Promise<ReliabilityRow> {
  const dir = join(env.root, `case-${String(index).padStart(2, "0")}`);
  const [inputs, out, tmp] = [join(dir, "in"), join(dir, "out"), join(dir, "tmp")];
  for (const d of [inputs, out, tmp]) await mkdir(d, { recursive: true });
  const t0 = Date.now();
  let built;
  try {
    built = await c.build(inputs, env);
  } catch (e) {
    return { case: c.name, group: c.group, expected: describeExpected(c), got: "could not build the input", handled: false, cleanupOk: false, seconds: 0, detail: String(e) };
  }
  const planted = c.plant ? await c.plant(out, env) : [];
  if (c.tmpfsMiB !== undefined) {
    if (process.getuid?.() !== 0) {
      return { case: c.name, group: c.group, expected: describeExpected(c), got: "skipped: mounting a tmpfs needs root", handled: true, cleanupOk: true, seconds: 0, detail: "skipped (not root)" };
    }
    await mountTmpfs(tmp, c.tmpfsMiB);
  }
  try {
    return await judge(c, env, built, planted, { out, tmp, t0 });
  } finally {
    if (c.tmpfsMiB !== undefined) await unmount(tmp);
  }
}

async function judge(
  c: CorpusCase, env: CorpusEnv, built: BuiltInput, planted: readonly string[], d: { out: string; tmp: string; t0: number },
): Promise<ReliabilityRow> {
  const { out, tmp, t0 } = d;
  const output = (built.output ?? ["-o", "local", "-os", "OUT"]).map((a) => (a === "OUT" ? out : a));
  const r = await runCase({ args: [...built.args, ...output], sources: built.sources, outDir: out, tmpDir: tmp, secretToken: env.secretToken, planted });
  const seconds = (Date.now() - t0) / 1000;
  const problems: string[] = [];
  if (r.exitCode !== c.exit) problems.push(`exit ${r.exitCode}, expected ${c.exit}`);
  if (c.exit !== 0) {
    if (r.errorLines.length !== 1) problems.push(`${r.errorLines.length} error lines, expected one`);
    const line = r.errorLines[0] ?? "";
    for (const w of c.words) if (!w.test(line)) problems.push(`the error line lacks ${w}`);
    if (/\x1b|\x07/.test(r.stderr)) problems.push("stderr holds raw control characters");
  } else {
    for (const w of c.words) if (!w.test(r.stdout)) problems.push(`stdout lacks ${w}`);
  }
  const got = c.exit !== 0 || r.exitCode !== 0 ? `exit ${r.exitCode}: ${(r.errorLines[0] ?? "").replace(/^v2v: error: /, "")}` : "exit 0";
  const handled = problems.length === 0;
  return {
    case: c.name, group: c.group, expected: describeExpected(c), got, handled, cleanupOk: r.leftovers.length === 0, seconds,
    detail: [...problems, ...r.leftovers].join("; ") || "ok",
  };
}

export async function runCorpus(cases: readonly CorpusCase[], onRow: (row: ReliabilityRow) => void = () => undefined): Promise<ReliabilityRow[]> {
  const env = await makeCorpusEnv();
  const rows: ReliabilityRow[] = [];
  try {
    for (const [i, c] of cases.entries()) {
      const row = await runCorpusCase(c, env, i);
      rows.push(row);
      onRow(row);
    }
  } finally {
    await env.dispose();
  }
  return rows;
}
