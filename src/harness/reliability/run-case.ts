// Run the real v2v CLI on one reliability case and check what it left behind: the exit status,
// one error line with the expected words, nothing in -os, nothing in the temporary directory, the
// source unchanged, no host secret in any output, and no process of the run still alive.
import { readFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { runAllowFail } from "../../host/exec.js";
import { projectRoot } from "../project-root.js";
import { listTree, sha256File } from "./fault-leftovers.js";

export interface CaseRun {
  /** v2v arguments. */
  readonly args: readonly string[];
  /** Files whose bytes must not change. */
  readonly sources: readonly string[];
  /** -os (must end empty unless the run succeeds) and VIRT_V2V_TMPDIR (must end empty). */
  readonly outDir: string;
  readonly tmpDir: string;
  /** A token planted in a host file that hostile inputs point at; it must never be printed or written. */
  readonly secretToken: string;
  /** Names the case itself put in -os beforehand (a planted symlink): they must still be there, and nothing else. */
  readonly planted?: readonly string[];
}

export interface CaseOutcome {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The "v2v: error:" lines of stderr. */
  readonly errorLines: readonly string[];
  /** What was found wrong about cleanup, one sentence each (empty when clean). */
  readonly leftovers: readonly string[];
  readonly seconds: number;
}

/** Processes whose command line or environment mentions `marker` (our per-case directories). */
export async function processesMentioning(marker: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir("/proc").catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const cmd = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    const env = await readFile(`/proc/${pid}/environ`, "utf8").catch(() => "");
    const state = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
    if (/\)\s+Z\s/.test(state)) continue; // a zombie has exited
    if (cmd.includes(marker) || env.includes(marker)) found.push(`${pid} ${cmd.split("\0").join(" ").slice(0, 120)}`);
  }
  return found;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runCase(c: CaseRun, timeoutMs = 20 * 60_000): Promise<CaseOutcome> {
  const before = new Map<string, string>();
  for (const s of c.sources) before.set(s, await sha256File(s));
  const t0 = Date.now();
  const r = await runAllowFail([process.execPath, join(projectRoot(), "dist", "cli.js"), ...c.args], {
    timeoutMs,
    env: { VIRT_V2V_TMPDIR: c.tmpDir, LANG: "C.UTF-8" },
  });
  const seconds = (Date.now() - t0) / 1000;
  const leftovers: string[] = [];
  const planted = new Set(c.planted ?? []);
  const outNow = await listTree(c.outDir);
  for (const p of planted) if (!outNow.includes(p)) leftovers.push(`${p}, planted in -os before the run, is gone`);
  if (r.exitCode !== 0) {
    const out = outNow.filter((f) => !planted.has(f));
    if (out.length > 0) leftovers.push(`-os holds ${out.join(", ")}`);
  }
  const tmp = await listTree(c.tmpDir);
  if (tmp.length > 0) leftovers.push(`the temporary directory holds ${tmp.slice(0, 5).join(", ")}`);
  for (const [s, hash] of before) {
    if ((await sha256File(s)) !== hash) leftovers.push(`the source ${s} changed`);
  }
  // libguestfs's recovery process stops qemu within a few seconds of guestfish going away.
  let procs = await processesMentioning(c.tmpDir);
  for (let i = 0; i < 10 && procs.length > 0; i++) {
    await sleep(1000);
    procs = await processesMentioning(c.tmpDir);
  }
  if (procs.length > 0) leftovers.push(`processes left: ${procs.join("; ")}`);
  const printed = r.stdout + r.stderr;
  if (printed.includes(c.secretToken)) leftovers.push("the host secret appears in v2v's output");
  for (const f of outNow) {
    if (planted.has(f)) continue;
    const path = join(c.outDir, f);
    const st = await stat(path).catch(() => undefined);
    if (st?.isFile() && st.size < 64 * 1024 * 1024 && (await readFile(path)).includes(c.secretToken)) leftovers.push(`the host secret is in ${f}`);
  }
  const errorLines = r.stderr.split("\n").filter((l) => l.startsWith("v2v: error:"));
  return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, errorLines, leftovers, seconds };
}
