// Run the v2v CLI (node dist/cli.js) as a subprocess for one matrix cell, with --machine-readable so
// its stage messages carry timestamps; stdout and stderr go to log files that the report keeps.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { runAllowFail } from "../../host/exec.js";
import { V2vError } from "../../model/errors.js";
import { projectRoot } from "../project-root.js";

/** One stage message of the run and how long it lasted (until the next message or the exit). */
export interface CliStage {
  readonly message: string;
  readonly seconds: number;
}

export interface MachineReadableSummary {
  readonly stages: readonly CliStage[];
  readonly warnings: readonly string[];
  /** The message of the "error" object, when the run failed. */
  readonly error?: string;
}

/** Pure: stage durations, warnings and the error from --machine-readable JSON lines. */
export function parseMachineReadable(jsonLines: string, endMs: number): MachineReadableSummary {
  const stages: { message: string; at: number }[] = [];
  const warnings: string[] = [];
  let error: string | undefined;
  for (const line of jsonLines.split("\n")) {
    if (!line.startsWith("{")) continue;
    let o: { type?: string; message?: string; timestamp?: string };
    try {
      o = JSON.parse(line) as typeof o;
    } catch {
      continue; // a partial last line, or a tool's stray output
    }
    const at = Date.parse(o.timestamp ?? "");
    if (o.type === "message" && o.message !== undefined && Number.isFinite(at)) stages.push({ message: o.message, at });
    else if (o.type === "warning" && o.message) warnings.push(o.message);
    else if (o.type === "error" && o.message) error = o.message;
  }
  const timed = stages.map((s, i) => {
    const next = stages[i + 1]?.at ?? Math.max(endMs, s.at);
    return { message: s.message, seconds: Math.round((next - s.at) / 100) / 10 };
  });
  return { stages: timed, warnings, ...(error !== undefined ? { error } : {}) };
}


export interface V2vRun {
  readonly argv: readonly string[];
  readonly exitCode: number;
  readonly seconds: number;
  readonly summary: MachineReadableSummary;
  readonly stdoutPath: string;
  readonly stderrPath: string;
}

/**
 * Run `node dist/cli.js ARGS --machine-readable` (with `env` added to this process's environment,
 * e.g. VIRTIO_WIN for a Windows cell); stdout to LOGDIR/v2v.jsonl, stderr to
 * LOGDIR/v2v.stderr.log. Never throws for a failed conversion: the exit code says.
 */
export async function runV2v(
  args: readonly string[], logDir: string, timeoutMs = 90 * 60_000, env: Readonly<Record<string, string>> = {},
): Promise<V2vRun> {
  const cli = join(projectRoot(), "dist", "cli.js");
  if (!existsSync(cli)) throw new V2vError("COMMAND", `${cli} does not exist; compile first with "npx tsc -p ."`);
  const argv = [process.execPath, cli, ...args, "--machine-readable"];
  const stdoutPath = join(logDir, "v2v.jsonl");
  const stderrPath = join(logDir, "v2v.stderr.log");
  const t0 = Date.now();
  const r = await runAllowFail(argv, { timeoutMs, stdoutFile: stdoutPath, stderrFile: stderrPath, env: { ...process.env, ...env } as Record<string, string> });
  const end = Date.now();
  const summary = parseMachineReadable(await readFile(stdoutPath, "utf8").catch(() => ""), end);
  return { argv, exitCode: r.exitCode, seconds: (end - t0) / 1000, summary, stdoutPath, stderrPath };
}
