// Runs the real CLI (node dist/cli.js) for a fault-injection case: follows its stage lines
// ("[  12.3] Text") as they arrive, can send a signal when a given stage starts, and collects
// the exit status, the stage lines and the error line.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { spawnDetached } from "../../host/exec.js";
import { V2vError } from "../../model/errors.js";
import { projectRoot } from "../project-root.js";

/** Pure: the text of a stage line, or undefined for any other line. */
export function parseStageLine(line: string): string | undefined {
  return /^\[\s*\d+\.\d\] (.*)$/.exec(line)?.[1];
}

/** Pure: the "v2v: error: ..." lines of a run's stderr, without the prefix. */
export function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.startsWith("v2v: error: ")).map((l) => l.slice("v2v: error: ".length));
}

export interface SignalTrigger {
  /** The stage line's text must start with this ("Copying disk 2/2", "Converting"). */
  readonly stage: string;
  readonly signal: NodeJS.Signals;
  /** Wait this long after the line before signalling (to land inside a long stage). */
  readonly delayMs?: number;
  /**
   * Signal the CLI's whole process group, as a Ctrl-C on a terminal does (the tools it runs get
   * the signal too). The CLI is then started in a process group of its own.
   */
  readonly toGroup?: boolean;
}

export interface CliRun {
  readonly exitCode: number | undefined;
  /** Set when the CLI itself was ended by a signal (it should never be, except by SIGKILL). */
  readonly killedBy: string | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly stages: readonly string[];
  /** The stage during which the signal was sent, if it was. */
  readonly signalledAt: string | undefined;
  /** Seconds from the signal to the exit: how long the cleanup took. */
  readonly secondsAfterSignal: number | undefined;
  readonly seconds: number;
}

export interface RunningCli {
  readonly pid: number;
  /** Resolves with the stage text once a stage starting with `prefix` has been printed. */
  waitForStage(prefix: string): Promise<string>;
  signal(sig: NodeJS.Signals): void;
  readonly done: Promise<CliRun>;
}

export interface StartCliOptions {
  /** Added to the environment (VIRT_V2V_TMPDIR above all). */
  readonly env: Readonly<Record<string, string>>;
  readonly trigger?: SignalTrigger;
  readonly timeoutMs?: number;
}

/** Start `node dist/cli.js ARGS` (text output, so stage lines are what a user sees). */
export function startCli(args: readonly string[], opts: StartCliOptions): RunningCli {
  const cli = join(projectRoot(), "dist", "cli.js");
  if (!existsSync(cli)) throw new V2vError("COMMAND", `${cli} does not exist; build first with "npx tsc -p tsconfig.json"`);
  const t0 = Date.now();
  const stages: string[] = [];
  const waiters: { prefix: string; resolve: (s: string) => void; reject: (e: Error) => void }[] = [];
  let signalledAt: string | undefined;
  let signalledMs: number | undefined;
  let current: string | undefined;
  const onLine = (line: string): void => {
    const stage = parseStageLine(line);
    if (stage === undefined) return;
    stages.push(stage);
    current = stage;
    for (const w of waiters.filter((x) => stage.startsWith(x.prefix))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(stage);
    }
  };
  // setsid execs the CLI in a new session (same pid: the child is not a group leader yet), so
  // that a signal to its group does not reach this test runner.
  const group = opts.trigger?.toGroup === true;
  const child = spawnDetached([...(group ? ["setsid"] : []), process.execPath, cli, ...args], {
    env: opts.env,
    timeoutMs: opts.timeoutMs ?? 30 * 60_000,
    onStdoutLine: onLine,
  });
  const pid = child.pid ?? -1;
  const signal = (sig: NodeJS.Signals): void => {
    signalledAt ??= current ?? "(before the first stage line)";
    signalledMs ??= Date.now();
    // process.kill, not child.kill: execa follows its SIGTERM with a SIGKILL 5 s later, which
    // would cut short the very cleanup a case is there to watch.
    if (pid <= 0) return; // never spawned; process.kill(-1) would signal every process
    try {
      process.kill(group ? -pid : pid, sig);
    } catch {
      /* already exited */
    }
  };
  const waitForStage = (prefix: string): Promise<string> => {
    const seen = stages.find((s) => s.startsWith(prefix));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => waiters.push({ prefix, resolve, reject }));
  };
  if (opts.trigger) {
    const t = opts.trigger;
    waitForStage(t.stage).then(async () => {
      if (t.delayMs) await new Promise((r) => setTimeout(r, t.delayMs));
      signal(t.signal);
    }, () => undefined); // the run ended first: the case reports that it was never signalled
  }
  const done = child.then((r) => ({
    exitCode: r.exitCode,
    killedBy: r.signal,
    stdout: String(r.stdout ?? ""),
    stderr: String(r.stderr ?? ""),
    stages,
    signalledAt,
    secondsAfterSignal: signalledMs === undefined ? undefined : (Date.now() - signalledMs) / 1000,
    seconds: (Date.now() - t0) / 1000,
  }));
  void done.finally(() => {
    for (const w of waiters.splice(0)) w.reject(new Error(`the run ended before a stage starting with "${w.prefix}"`));
  });
  return { pid, waitForStage, signal, done };
}
