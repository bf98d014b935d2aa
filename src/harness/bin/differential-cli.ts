// `npm run differential [--keep] [--work DIR [--reuse]] [GUEST...]`: convert each Windows reference guest (default
// windows-2022-uefi and windows-7-bios) with our v2v and with Debian's virt-v2v 2.2, both
// `-i disk … -o local -of raw`, read the source and both converted disks read-only, and write
// reports/differential.md: every difference between what the two tools did, explained or not.
// Exit 0: every boot-critical difference is explained; 1: one is not, or a guest could not be
// compared; 2: virt-v2v (or nbdcopy, which it needs) is not installed.
//
// virt-v2v 2.2 is only the comparison here. It needs, besides VIRTIO_WIN, a VIRT_TOOLS_DATA_DIR
// with rhsrvany.exe and pnp_wait.exe; any small PE does, so our own v2vfirstboot.exe (built by
// npm run build) is copied under both names. Conversions run one at a time (TCG is slow and the
// machine has two cores).
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { commandExists, runAllowFail } from "../../host/exec.js";
import { ensureGuestDisks } from "../guests/builders.js";
import { findRecipe } from "../guests/recipes.js";
import { ensureVirtioWin } from "../guests/windows/virtio-win.js";
import { runV2v } from "../matrix/run-v2v.js";
import { projectRoot } from "../project-root.js";
import { collectGuestStates } from "../differential/collect.js";
import { diffGuest } from "../differential/diff.js";
import { explainRows } from "../differential/explain.js";
import { exitDecision, renderReport, summarise, summaryLine, type GuestResult } from "../differential/report.js";

const DEFAULT_GUESTS = ["windows-2022-uefi", "windows-7-bios"];
const INSTALL_HINT = "apt-get update && apt-get install -y virt-v2v nbdkit libnbd-bin";

const t0 = Date.now();
const stamp = (): string => `[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}]`;
const say = (line: string): void => void process.stdout.write(`${stamp()} ${line}\n`);

/** Time an async step, record it under `stage`, and say how long it took. */
async function timed<T>(seconds: Array<[string, number]>, stage: string, f: () => Promise<T>): Promise<T> {
  say(`${stage} …`);
  const t = Date.now();
  try {
    return await f();
  } finally {
    const s = (Date.now() - t) / 1000;
    seconds.push([stage, s]);
    say(`${stage}: ${s.toFixed(1)} s`);
  }
}

/** The converted disk and the XML a -o local run left in `dir`. */
async function localOutput(dir: string): Promise<{ disk: string; xml: string }> {
  const names = (await readdir(dir)).filter((n) => !n.startsWith(".")).sort();
  const xml = names.find((n) => n.endsWith(".xml"));
  const disk = names.find((n) => !n.endsWith(".xml"));
  if (!xml || !disk) throw new Error(`${dir} holds no converted disk and XML (${names.join(", ") || "nothing"})`);
  return { disk: join(dir, disk), xml: await readFile(join(dir, xml), "utf8") };
}

/** Written after both conversions of a guest: what --reuse needs to compare them again. */
interface RunRecord {
  readonly source: string;
  readonly seconds: Array<[string, number]>;
}

async function readRunRecord(dir: string): Promise<RunRecord | undefined> {
  try {
    const r = JSON.parse(await readFile(join(dir, "run.json"), "utf8")) as RunRecord;
    return typeof r.source === "string" && Array.isArray(r.seconds) ? r : undefined;
  } catch {
    return undefined;
  }
}

async function compareGuest(name: string, work: string, virtioWin: string, toolsDir: string, reuse: boolean): Promise<GuestResult> {
  const dir = join(work, name);
  const oursDir = join(dir, "ours"), theirsDir = join(dir, "theirs");
  const record = reuse ? await readRunRecord(dir) : undefined;
  let seconds: Array<[string, number]> = [];
  let src: string;
  if (record) {
    // The conversions' seconds are those measured by the run that converted.
    say(`${name}: reusing the conversions in ${dir}`);
    seconds = record.seconds.map(([stage, s]) => [`${stage} (earlier run)`, s]);
    src = record.source;
  } else {
    const recipe = findRecipe(name);
    if (recipe.kind !== "windows") throw new Error(`${name} is not a Windows reference guest`);
    const built = await timed(seconds, `${name}: source disks`, () => ensureGuestDisks(recipe, say));
    src = built.disks[0]!.path;
    await rm(dir, { recursive: true, force: true });
    await mkdir(oursDir, { recursive: true });
    await mkdir(theirsDir, { recursive: true });

    const ours = await timed(seconds, `${name}: ours (v2v) convert`, () => runV2v(["-i", "disk", src, "-o", "local", "-os", oursDir, "-of", "raw"], dir));
    if (ours.exitCode !== 0) {
      return { guest: name, rows: [], seconds, failure: `our v2v exited ${ours.exitCode}: ${ours.summary.error ?? "see"} (${ours.stderrPath})` };
    }
    const theirsLog = join(dir, "virt-v2v.log");
    const theirs = await timed(seconds, `${name}: virt-v2v 2.2 convert`, () =>
      runAllowFail(["virt-v2v", "-i", "disk", src, "-o", "local", "-os", theirsDir, "-of", "raw"], {
        env: { LIBGUESTFS_BACKEND: "direct", LIBGUESTFS_BACKEND_SETTINGS: "force_tcg", VIRTIO_WIN: virtioWin, VIRT_TOOLS_DATA_DIR: toolsDir },
        timeoutMs: 60 * 60_000,
        stdoutFile: theirsLog,
        stderrFile: `${theirsLog}.stderr`,
      }),
    );
    if (theirs.exitCode !== 0) {
      return { guest: name, rows: [], seconds, failure: `virt-v2v 2.2 exited ${theirs.exitCode}; see ${theirsLog} and ${theirsLog}.stderr` };
    }
    await writeFile(join(dir, "run.json"), `${JSON.stringify({ source: src, seconds } satisfies RunRecord)}\n`);
  }
  const o = await localOutput(oursDir);
  const t = await localOutput(theirsDir);
  // One appliance reads the source and both converted disks, all attached read-only.
  const [source, oursState, theirsState] = await timed(seconds, `${name}: read the three disks`, () =>
    collectGuestStates([
      { path: src, format: "raw", label: `${name} source` },
      { path: o.disk, format: "raw", label: `${name} ours` },
      { path: t.disk, format: "raw", label: `${name} virt-v2v` },
    ]),
  );
  const rows = explainRows(diffGuest({ source: source!, ours: oursState!, theirs: theirsState!, oursXml: o.xml, theirsXml: t.xml }), name);
  return { guest: name, rows, seconds };
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("-h") || argv.includes("--help")) {
    process.stdout.write(`usage: npm run differential -- [--keep] [--work DIR [--reuse]] [GUEST...]   (default: ${DEFAULT_GUESTS.join(" ")})\n` +
      "  --keep: keep the converted disks and logs; --work DIR: work there (kept);\n" +
      "  --reuse: compare the conversions an earlier run left in DIR again, without converting\n");
    return 0;
  }
  for (const tool of ["virt-v2v", "nbdcopy"]) {
    if (!(await commandExists(tool))) {
      process.stdout.write(`differential: ${tool} is not installed; the comparison needs Debian's virt-v2v 2.2: ${INSTALL_HINT}\n`);
      return 2;
    }
  }
  const workArg = argv.indexOf("--work");
  const workGiven = workArg >= 0 ? argv[workArg + 1] : undefined;
  if (workArg >= 0 && (workGiven === undefined || workGiven.startsWith("--"))) {
    process.stderr.write("differential: --work needs a directory\n");
    return 1;
  }
  const reuse = argv.includes("--reuse");
  if (reuse && workGiven === undefined) {
    process.stderr.write("differential: --reuse needs --work DIR (the directory of an earlier --work or --keep run)\n");
    return 1;
  }
  // A given work directory is always kept; so is a temporary one with --keep.
  const keep = argv.includes("--keep") || workGiven !== undefined;
  const names = argv.filter((a, i) => !a.startsWith("--") && !(workArg >= 0 && i === workArg + 1));
  const guests = names.length > 0 ? names : DEFAULT_GUESTS;
  const vw = await ensureVirtioWin();
  // The harness runs our CLI with the inherited environment; VIRTIO_WIN is the stand-in tree.
  process.env["VIRTIO_WIN"] = vw.dir;
  const work = workGiven ?? (await mkdtemp(join(process.env["VIRT_V2V_TMPDIR"] ?? "/var/tmp", "v2v-differential-")));
  const toolsDir = join(work, "virt-tools");
  await mkdir(toolsDir, { recursive: true });
  const stub = join(projectRoot(), "dist", "windows-tools", "x86_64", "v2vfirstboot.exe");
  for (const n of ["rhsrvany.exe", "pnp_wait.exe"]) await copyFile(stub, join(toolsDir, n));

  const results: GuestResult[] = [];
  try {
    for (const g of guests) {
      try {
        results.push(await compareGuest(g, work, vw.dir, toolsDir, reuse));
      } catch (e) {
        results.push({ guest: g, rows: [], seconds: [], failure: e instanceof Error ? e.message : String(e) });
      }
      say(`${g}: ${summaryLine(summarise(results.slice(-1)))}`);
    }
  } finally {
    if (keep) say(`kept the converted disks and logs in ${work}`);
    else await rm(work, { recursive: true, force: true });
  }
  const reportPath = join(projectRoot(), "reports", "differential.md");
  await mkdir(join(projectRoot(), "reports"), { recursive: true });
  await writeFile(reportPath, renderReport(results));
  process.stdout.write("\nseconds per stage:\n");
  for (const r of results) for (const [stage, s] of r.seconds) process.stdout.write(`  ${stage.padEnd(48)} ${s.toFixed(1).padStart(7)}\n`);
  const summary = summarise(results);
  process.stdout.write(`\n${summaryLine(summary)}\nreport: ${reportPath}\n`);
  return exitDecision(summary);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`differential: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
