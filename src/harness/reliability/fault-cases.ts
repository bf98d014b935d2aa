// The fault-injection cases: signals at every stage of a real conversion, SIGKILL and a re-run,
// ENOSPC on -os, a read-only -os, two runs into one -os. Each case runs the real CLI and returns
// what it answered and what it left behind; runFaultCases turns a list into table rows.
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { LOCK_FILE_NAME } from "../../outputs/common/output-lock.js";
import {
  isMountPoint, isRoot, makeCaseDirs, mountTmpfs, removeCaseDirs, unmount, type CaseDirs, type FaultSources,
} from "./fault-fixtures.js";
import {
  checkDirHolds, checkNoProcessesLeft, checkSocketDirsGone, checkSourcesUnchanged, listTree, snapshotTools, watchSocketDirs,
  type SocketDirWatch,
} from "./fault-leftovers.js";
import { errorLines, startCli, type CliRun } from "./fault-runner.js";

/** "default" cases run in `npm test`; "full" ones (a whole conversion each) only with V2V_FAULTS=full. */
export type FaultTier = "default" | "full";

export interface FaultOutcome {
  /** What happened, in a few words: "exit 1: interrupted by SIGINT; ...". */
  readonly got: string;
  readonly exitCode: number | undefined;
  readonly errorLine: string | undefined;
  /** Problems with the answer: exit status, the one error line and its key words. */
  readonly answerProblems: readonly string[];
  /** Problems with what was left: files in -os or the temporary directory, processes, sources. */
  readonly cleanupProblems: readonly string[];
}

export interface FaultCase {
  readonly name: string;
  /** The expected answer, in a few words. */
  readonly expected: string;
  readonly tier: FaultTier;
  /** Needs mount(8): skipped, saying so, when not root. */
  readonly needsRoot: boolean;
  readonly run: (src: FaultSources) => Promise<FaultOutcome>;
}

/** The name a conversion of the reference guest gives its outputs. */
const GUEST = "debian-12-bios";
const FINISHED_OUTPUT = [`${GUEST}-sda`, `${GUEST}.xml`];
const FINISHED_OUTPUT_TWO_DISKS = [`${GUEST}-sda`, `${GUEST}-sdb`, `${GUEST}.xml`];

type InputKind = "ova" | "disk+data" | "blank";

function cliArgs(kind: InputKind, src: FaultSources, out: string): string[] {
  if (kind === "ova") return ["-i", "ova", src.ova, "-o", "local", "-os", out];
  if (kind === "blank") return ["-i", "disk", src.blankDisk, "-if", "raw", "-o", "local", "-os", out];
  // Compressed qcow2: compressing the random data disk costs CPU, so its copy lasts seconds even
  // when the page cache would swallow a plain copy of 1 GiB in half a second.
  return ["-i", "disk", src.rawDisk, src.dataDisk, "-on", GUEST, "-of", "qcow2", "--compressed", "-o", "local", "-os", out];
}

const sourcesOf = (kind: InputKind, src: FaultSources): string[] =>
  kind === "ova" ? [src.ova] : kind === "blank" ? [src.blankDisk] : [src.rawDisk, src.dataDisk];

const envFor = (d: CaseDirs): Record<string, string> => ({ VIRT_V2V_TMPDIR: d.tmp });

/** Pure: "exit 1: <error line>" (or how the process ended). */
export function describeRun(r: Pick<CliRun, "exitCode" | "killedBy" | "stderr">): string {
  const how = r.killedBy ? `killed by ${r.killedBy}` : `exit ${r.exitCode}`;
  const err = errorLines(r.stderr);
  return err.length > 0 ? `${how}: ${err.join(" | ")}` : how;
}

/** Pure: problems when a run did not exit with `exit` and one error line holding every word (case-insensitive). */
export function judgeAnswer(r: Pick<CliRun, "exitCode" | "killedBy" | "stderr">, exit: number, words: readonly string[]): string[] {
  const problems: string[] = [];
  if (r.killedBy) problems.push(`v2v was killed by ${r.killedBy} instead of exiting ${exit}`);
  else if (r.exitCode !== exit) problems.push(`exit status ${r.exitCode}, expected ${exit}`);
  const err = errorLines(r.stderr);
  if (exit === 0) {
    if (err.length > 0) problems.push(`unexpected error: ${err.join(" | ")}`);
    return problems;
  }
  if (err.length !== 1) problems.push(`${err.length} "v2v: error:" lines, expected exactly one`);
  const line = (err[0] ?? "").toLowerCase();
  const missing = words.filter((w) => !line.includes(w.toLowerCase()));
  if (missing.length > 0) problems.push(`the error line lacks ${missing.map((w) => JSON.stringify(w)).join(", ")}`);
  return problems;
}

/** Everything a case checks after its runs: -os, the temporary directory, processes, sources. */
async function checkAfter(
  d: CaseDirs, src: FaultSources, kind: InputKind, before: Snapshot, outAllowed: readonly string[] = [],
): Promise<string[]> {
  return [
    ...(await checkNoProcessesLeft(d.tmp, before.tools)),
    ...checkSocketDirsGone(await before.sockDirs.stop()),
    ...(await checkDirHolds("-os", d.out, outAllowed)),
    ...(await checkDirHolds("VIRT_V2V_TMPDIR", d.tmp)),
    ...(await checkSourcesUnchanged(src.sha256, sourcesOf(kind, src))),
  ];
}

/** What ran before a case, and the socket directories its processes use, to tell what it left. */
interface Snapshot {
  readonly tools: ReadonlyMap<string, string>;
  readonly sockDirs: SocketDirWatch;
}

const snapshot = async (d: CaseDirs): Promise<Snapshot> => ({ tools: await snapshotTools(), sockDirs: watchSocketDirs(d.tmp) });

/** Run `body` in fresh case directories, watched from the start, removed afterwards whatever happens. */
async function inCaseDirs(body: (d: CaseDirs, before: Snapshot) => Promise<FaultOutcome>): Promise<FaultOutcome> {
  const d = await makeCaseDirs();
  const before = await snapshot(d);
  try {
    return await body(d, before);
  } finally {
    await before.sockDirs.stop();
    await removeCaseDirs(d);
  }
}

export interface StageSpec {
  /** The stage line's text starts with this. */
  readonly stage: string;
  /** What the case is called when it is not just the stage (a signal some seconds into it). */
  readonly label?: string;
  /** Signal the whole process group (Ctrl-C on a terminal), not just v2v. */
  readonly toGroup?: boolean;
  /** Only these signals (default SIGINT and SIGTERM). */
  readonly signals?: readonly ("SIGINT" | "SIGTERM")[];
  readonly input: InputKind;
  readonly tier: FaultTier;
  readonly delayMs?: number;
  /**
   * The stage is so short that the run may finish before the signal lands; then it must have
   * finished completely (exit 0, the whole output, no lock), never half.
   */
  readonly mayFinish?: boolean;
}

/**
 * The stages of a conversion, in order. Up to "Converting" each costs at most ~40 s; the later
 * ones need a whole conversion (~100 s under TCG) and run nightly, except the copy.
 */
export const STAGES: readonly StageSpec[] = [
  { stage: "Setting up the source", input: "ova", tier: "default" },
  { stage: "Checking the OVA manifest", input: "ova", tier: "default" },
  { stage: "Opening the source", input: "ova", tier: "default" },
  // The overlays take a fraction of a second; 5 s in, libguestfs is launching the appliance and
  // GuestfishSession.start has not returned a session yet.
  { stage: "Opening the source", label: "the appliance launch (5 s into \"Opening the source\")", input: "ova", tier: "default", delayMs: 5000 },
  { stage: "Inspecting the source", input: "ova", tier: "default" },
  { stage: "Checking for sufficient free disk space", input: "ova", tier: "default" },
  { stage: "Converting", input: "ova", tier: "default", delayMs: 5000 },
  { stage: "Mapping filesystem data", input: "ova", tier: "full" },
  { stage: "Closing the overlay", input: "ova", tier: "full" },
  // The data disk (1 GiB of random bytes) is copied second: a second in, qemu-img is writing it
  // and the first disk's .part is complete but not yet linked to its name. A whole conversion
  // each: SIGTERM in npm test, SIGINT nightly.
  { stage: "Copying disk 2/2", input: "disk+data", tier: "default", delayMs: 1000, signals: ["SIGTERM"] },
  { stage: "Copying disk 2/2", input: "disk+data", tier: "full", delayMs: 1000, signals: ["SIGINT"] },
  { stage: "Creating output metadata", input: "ova", tier: "full", mayFinish: true },
  // Ctrl-C: the tools v2v runs (guestfish clients, qemu-img) get the SIGINT too and die of it
  // while v2v cleans up; the guestfish server runs in a session of its own and does not.
  { stage: "Converting", label: "Ctrl-C during the conversion (SIGINT to the process group)", input: "ova", tier: "default", delayMs: 5000, toGroup: true, signals: ["SIGINT"] },
  { stage: "Copying disk 2/2", label: "Ctrl-C during the copy (SIGINT to the process group)", input: "disk+data", tier: "full", delayMs: 1000, toGroup: true, signals: ["SIGINT"] },
];

export function signalAtStage(signal: "SIGINT" | "SIGTERM", s: StageSpec): FaultCase {
  const finished = s.input === "ova" ? FINISHED_OUTPUT : FINISHED_OUTPUT_TWO_DISKS;
  return {
    name: s.toGroup && s.label ? s.label : s.label ? `${signal} during ${s.label}` : `${signal} at "${s.stage}"`,
    expected: s.mayFinish ? `exit 1 "interrupted by ${signal}", or exit 0 with the whole output` : `exit 1 "interrupted by ${signal}"`,
    tier: s.tier,
    needsRoot: false,
    run: (src) => inCaseDirs(async (d, before) => {
      const trigger = { stage: s.stage, signal, delayMs: s.delayMs, toGroup: s.toGroup };
      const cli = startCli(cliArgs(s.input, src, d.out), { env: envFor(d), trigger });
      const r = await cli.done;
      const finishedFirst = s.mayFinish === true && r.exitCode === 0;
      const answer = finishedFirst ? judgeAnswer(r, 0, []) : judgeAnswer(r, 1, [`interrupted by ${signal}`]);
      if (r.signalledAt === undefined && !finishedFirst) answer.push(`the run never reached "${s.stage}" (stages: ${r.stages.join(" / ")})`);
      const cleanup = await checkAfter(d, src, s.input, before, finishedFirst ? finished : []);
      const when = r.signalledAt ? ` (signalled during "${r.signalledAt.slice(0, 40)}", exited ${r.secondsAfterSignal?.toFixed(1)} s later)` : "";
      return outcome(r, answer, cleanup, when);
    }),
  };
}

function outcome(r: CliRun, answer: string[], cleanup: string[], note = ""): FaultOutcome {
  return {
    got: `${describeRun(r)}${note}`,
    exitCode: r.exitCode,
    errorLine: errorLines(r.stderr)[0],
    answerProblems: answer,
    cleanupProblems: cleanup,
  };
}

/** SIGKILL in the middle of the conversion (nothing can clean up), then the same command again. */
export function sigkillThenRerun(): FaultCase {
  return {
    name: "SIGKILL during the conversion, then the same command again",
    expected: "the re-run exits 0, says it removed the stale lock and work dir, -os holds just the output",
    tier: "default",
    needsRoot: false,
    run: (src) => inCaseDirs(async (d, before) => {
      const args = cliArgs("ova", src, d.out);
      const first = startCli(args, { env: envFor(d), trigger: { stage: "Converting", signal: "SIGKILL", delayMs: 5000 } });
      const a = await first.done;
      const answer: string[] = [];
      if (a.killedBy !== "SIGKILL") answer.push(`the first run was not killed (${describeRun(a)})`);
      const leftLock = (await listTree(d.out)).includes(LOCK_FILE_NAME);
      const leftWork = (await listTree(d.tmp)).some((f) => /^v2v-[^/]+\/$/.test(f));
      if (!leftLock || !leftWork) answer.push(`the killed run left ${leftLock ? "" : "no lock "}${leftWork ? "" : "no work dir"}: nothing stale to recover`);
      const b = await startCli([...args, "-v"], { env: envFor(d) }).done;
      answer.push(...judgeAnswer(b, 0, []));
      if (!b.stderr.includes(`removed the stale lock of v2v run pid ${first.pid}`)) answer.push("the re-run did not warn about the stale lock");
      if (!b.stdout.includes(`left by v2v run pid ${first.pid}, which is no longer running; stopped its leftover processes`)) {
        answer.push("the re-run did not say (-v) that it removed the stale work dir and stopped its guestfish/qemu");
      }
      const cleanup = await checkAfter(d, src, "ova", before, FINISHED_OUTPUT);
      return outcome(b, answer, cleanup, ` (first run: ${describeRun(a)})`);
    }),
  };
}

/** -os on a 64 MiB tmpfs: the copy fills it. */
export function enospcDuringCopy(): FaultCase {
  return {
    name: "ENOSPC during the copy (-os on a 64 MiB tmpfs)",
    expected: 'exit 1 "no space left ... -os DIR", -os empty, tmpfs unmountable',
    tier: "default",
    needsRoot: true,
    run: (src) => inCaseDirs(async (d, before) => {
      await mountTmpfs(d.out, 64);
      const r = await startCli(cliArgs("ova", src, d.out), { env: envFor(d) }).done;
      const answer = judgeAnswer(r, 1, ["no space", `-os ${d.out}`]);
      if (!r.stages.some((s) => s.startsWith("Copying disk"))) answer.push("the run failed before the copy");
      const cleanup = await checkAfter(d, src, "ova", before);
      const unmounted = await unmount(d.out).then(() => undefined, (e: unknown) => String(e));
      if (unmounted !== undefined || (await isMountPoint(d.out))) cleanup.push(`the tmpfs on ${d.out} could not be unmounted: ${unmounted ?? "still mounted"}`);
      return outcome(r, answer, cleanup);
    }),
  };
}

/** -os on a read-only tmpfs (root ignores permission bits, not EROFS). */
export function readOnlyOutput(): FaultCase {
  return {
    name: "a read-only -os (tmpfs mounted ro)",
    expected: 'exit 1 "-os DIR is not writable", before any work',
    tier: "default",
    needsRoot: true,
    run: (src) => inCaseDirs(async (d, before) => {
      await mountTmpfs(d.out, 1, true);
      const writable = await access(d.out, constants.W_OK).then(() => true, () => false);
      const r = await startCli(cliArgs("ova", src, d.out), { env: envFor(d) }).done;
      const answer = judgeAnswer(r, 1, [`-os ${d.out}`, "not writable"]);
      if (writable) answer.push(`${d.out} is writable: the read-only mount did not take`);
      if (r.stages.length > 0) answer.push(`work started before the refusal: ${r.stages.join(" / ")}`);
      return outcome(r, answer, await checkAfter(d, src, "ova", before));
    }),
  };
}

/** A second run into an -os a first run is using; then the first is interrupted. */
export function twoRunsOneOutput(): FaultCase {
  return {
    name: "two runs into the same -os at once",
    expected: 'the second exits 1 "in use by another v2v run (pid N)"; the first, interrupted, cleans up',
    tier: "default",
    needsRoot: false,
    run: (src) => inCaseDirs(async (d, before) => {
      const args = cliArgs("ova", src, d.out);
      const first = startCli(args, { env: envFor(d) });
      const answer: string[] = [];
      try {
        await first.waitForStage("Opening the source");
      } catch (e) {
        answer.push(`the first run ended early: ${String(e)}`);
      }
      // Same VIRT_V2V_TMPDIR too: the second run must leave the first one's live work dir alone.
      const second = await startCli(args, { env: envFor(d) }).done;
      answer.push(...judgeAnswer(second, 1, [`-os ${d.out} is in use by another v2v run (pid ${first.pid})`]));
      if (second.stages.length > 0) answer.push(`the second run started work: ${second.stages.join(" / ")}`);
      first.signal("SIGINT");
      const a = await first.done;
      answer.push(...judgeAnswer(a, 1, ["interrupted by SIGINT"]).map((p) => `first run: ${p}`));
      const cleanup = await checkAfter(d, src, "ova", before);
      return outcome(second, answer, cleanup, ` (first run: ${describeRun(a)})`);
    }),
  };
}

/** A failure the run detects itself, after the appliance is up: inspection finds no OS. */
export function failedInspection(): FaultCase {
  return {
    name: "a failed inspection (a blank disk)",
    expected: 'exit 1 "no operating system", nothing left',
    tier: "default",
    needsRoot: false,
    run: (src) => inCaseDirs(async (d, before) => {
      const r = await startCli(cliArgs("blank", src, d.out), { env: envFor(d) }).done;
      const answer = judgeAnswer(r, 1, ["no operating system"]);
      if (!r.stages.includes("Inspecting the source")) answer.push("the run failed before the inspection");
      return outcome(r, answer, await checkAfter(d, src, "blank", before));
    }),
  };
}

/** Every case, in the order they run: the quick refusals first, then the signals, stage by stage. */
export function faultCases(): FaultCase[] {
  return [
    readOnlyOutput(),
    twoRunsOneOutput(),
    failedInspection(),
    ...STAGES.flatMap((s) => (s.signals ?? (["SIGINT", "SIGTERM"] as const)).map((sig) => signalAtStage(sig, s))),
    sigkillThenRerun(),
    enospcDuringCopy(),
  ];
}

export interface FaultRow {
  readonly case: string;
  readonly expected: string;
  readonly got: string;
  readonly cleanupOk: boolean;
  /** Every problem found, "; "-separated; "" when the case passed; the skip reason when skipped. */
  readonly detail: string;
  readonly skipped: boolean;
}

/** Pure: why a case does not run here, or undefined when it does. */
export function skipReason(c: FaultCase, env: { readonly full: boolean; readonly root: boolean }): string | undefined {
  if (c.needsRoot && !env.root) return "needs root to mount a tmpfs";
  if (c.tier === "full" && !env.full) return "a whole conversion per case: runs with V2V_FAULTS=full (nightly)";
  return undefined;
}

/** Pure: a row from a case and its outcome. */
export function toRow(c: FaultCase, o: FaultOutcome): FaultRow {
  const problems = [...o.answerProblems, ...o.cleanupProblems];
  return { case: c.name, expected: c.expected, got: o.got, cleanupOk: o.cleanupProblems.length === 0, detail: problems.join("; "), skipped: false };
}

/** Run the cases one after another (they share two CPUs with a qemu each); skipped ones say why. */
export async function runFaultCases(
  cases: readonly FaultCase[], src: FaultSources, opts: { readonly full?: boolean; readonly onRow?: (r: FaultRow) => void } = {},
): Promise<FaultRow[]> {
  const rows: FaultRow[] = [];
  for (const c of cases) {
    const reason = skipReason(c, { full: opts.full ?? process.env["V2V_FAULTS"] === "full", root: isRoot() });
    const row = reason !== undefined
      ? { case: c.name, expected: c.expected, got: "skipped", cleanupOk: true, detail: reason, skipped: true }
      : toRow(c, await c.run(src));
    rows.push(row);
    opts.onRow?.(row);
  }
  return rows;
}
