// `npm run differential [--keep] [GUEST...]`: convert each Windows reference guest (default
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
import { collectGuestState } from "../differential/collect.js";
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

async function compareGuest(name: string, work: string, virtioWin: string, toolsDir: string): Promise<GuestResult> {
  const seconds: Array<[string, number]> = [];
  const recipe = findRecipe(name);
  if (recipe.kind !== "windows") throw new Error(`${name} is not a Windows reference guest`);
  const built = await timed(seconds, `${name}: source disks`, () => ensureGuestDisks(recipe, say));
  const src = built.disks[0]!.path;
  const dir = join(work, name);
  const oursDir = join(dir, "ours"), theirsDir = join(dir, "theirs");
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
  const o = await localOutput(oursDir);
  const t = await localOutput(theirsDir);
  const source = await timed(seconds, `${name}: read source`, () => collectGuestState(src, "raw", `${name} source`));
  const oursState = await timed(seconds, `${name}: read ours`, () => collectGuestState(o.disk, "raw", `${name} ours`));
  const theirsState = await timed(seconds, `${name}: read virt-v2v's`, () => collectGuestState(t.disk, "raw", `${name} virt-v2v`));
  const rows = explainRows(diffGuest({ source, ours: oursState, theirs: theirsState, oursXml: o.xml, theirsXml: t.xml }), name);
  return { guest: name, rows, seconds };
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("-h") || argv.includes("--help")) {
    process.stdout.write(`usage: npm run differential -- [--keep] [GUEST...]   (default: ${DEFAULT_GUESTS.join(" ")})\n`);
    return 0;
  }
  for (const tool of ["virt-v2v", "nbdcopy"]) {
    if (!(await commandExists(tool))) {
      process.stdout.write(`differential: ${tool} is not installed; the comparison needs Debian's virt-v2v 2.2: ${INSTALL_HINT}\n`);
      return 2;
    }
  }
  const keep = argv.includes("--keep");
  const names = argv.filter((a) => !a.startsWith("--"));
  const guests = names.length > 0 ? names : DEFAULT_GUESTS;
  const vw = await ensureVirtioWin();
  // The harness runs our CLI with the inherited environment; VIRTIO_WIN is the stand-in tree.
  process.env["VIRTIO_WIN"] = vw.dir;
  const work = await mkdtemp(join(process.env["VIRT_V2V_TMPDIR"] ?? "/var/tmp", "v2v-differential-"));
  const toolsDir = join(work, "virt-tools");
  await mkdir(toolsDir);
  const stub = join(projectRoot(), "dist", "windows-tools", "x86_64", "v2vfirstboot.exe");
  for (const n of ["rhsrvany.exe", "pnp_wait.exe"]) await copyFile(stub, join(toolsDir, n));

  const results: GuestResult[] = [];
  try {
    for (const g of guests) {
      try {
        results.push(await compareGuest(g, work, vw.dir, toolsDir));
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
