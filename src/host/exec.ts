// The one place that spawns host processes. argv arrays only (never a shell string), a timeout
// on every call, and failures turned into a CommandError naming the command, exit code and stderr.
import { V2vError } from "../model/errors.js";
import { closeSync, openSync } from "node:fs";
import { execa, type ResultPromise } from "execa";
import { isShuttingDown } from "./cleanup.js";

export interface ExecOptions {
  /** Milliseconds before the process is killed (SIGTERM, then SIGKILL after 5 s). Default 10 min. */
  readonly timeoutMs?: number;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** Text written to the child's stdin. */
  readonly input?: string;
  /** Pass stderr through to ours (for tools whose progress the user should see). */
  readonly inheritStderr?: boolean;
  /** Called with each stdout line as it arrives (progress parsing). Output is still collected. */
  readonly onStdoutLine?: (line: string) => void;
  readonly signal?: AbortSignal;
  /**
   * The child's stdin: this file (a FIFO the caller writes to later), opened read-write so that
   * opening a FIFO does not wait for a writer. Not with `input`.
   */
  readonly stdinFile?: string;
  /** Send the child's stdout / stderr to a file instead of collecting it (daemons that fork). */
  readonly stdoutFile?: string;
  readonly stderrFile?: string;
}

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

/** Tail of a possibly long text, for error messages. */
export const tail = (text: string, lines = 12): string => text.trimEnd().split("\n").slice(-lines).join("\n");

/** A host command that failed: a V2vError with code COMMAND, so every failure has a code and one line. */
export class CommandError extends V2vError {
  readonly command: readonly string[];
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly stderrTail: string;
  readonly timedOut: boolean;
  constructor(command: readonly string[], r: { exitCode?: number; signal?: string; stderr: string; timedOut: boolean }, cause?: unknown) {
    const what = r.timedOut ? "timed out" : r.signal ? `was killed by ${r.signal}`
      : r.exitCode === undefined ? "could not be started" : `exited with status ${r.exitCode}`;
    super("COMMAND", `command "${command.join(" ")}" ${what}${r.stderr.trim() ? `: ${tail(r.stderr, 6)}` : ""}`, { cause });
    this.name = "CommandError";
    this.command = command;
    this.exitCode = r.exitCode;
    this.signal = r.signal;
    this.stderrTail = tail(r.stderr);
    this.timedOut = r.timedOut;
  }
}

/** Global trace hook (-x): called with every argv before it runs. */
let traceHook: ((argv: readonly string[]) => void) | undefined;
export const setTraceHook = (hook: ((argv: readonly string[]) => void) | undefined): void => { traceHook = hook; };

function start(argv: readonly string[], opts: ExecOptions): ResultPromise {
  const [file, ...args] = argv;
  if (!file) throw new Error("run: empty argv");
  // The run is being torn down (interrupt, failure): starting a tool now could leave a file or a
  // process behind after the removers ran.
  if (isShuttingDown()) throw new CommandError(argv, { stderr: "not started: v2v is stopping", timedOut: false });
  traceHook?.(argv);
  // Files are opened here and handed to the child as plain descriptors: with execa's {file}
  // targets the parent pipes the output itself and waits until every holder of the pipe exits,
  // so a command that leaves a daemon behind (guestfish --listen, dockerd) would never return.
  if (opts.stdinFile !== undefined && opts.input !== undefined) throw new Error("run: stdinFile and input together");
  const inFd = opts.stdinFile ? openSync(opts.stdinFile, "r+") : undefined;
  const outFd = opts.stdoutFile ? openSync(opts.stdoutFile, "w") : undefined;
  const errFd = opts.stderrFile ? (opts.stderrFile === opts.stdoutFile ? outFd : openSync(opts.stderrFile, "w")) : undefined;
  try {
    return followLines(spawnWith(file, args, opts, { inFd, outFd, errFd }), opts.onStdoutLine);
  } finally {
    // The child has its own copies once spawned.
    if (inFd !== undefined) closeSync(inFd);
    if (outFd !== undefined) closeSync(outFd);
    if (errFd !== undefined && errFd !== outFd) closeSync(errFd);
  }
}

/**
 * Children still running. execa's own `cleanup` (signal-exit) re-raises SIGINT when it counts
 * no other listener than its own, which would kill v2v before it could remove what it wrote;
 * so children are tracked here and killed by killChildren() (the CLI's interrupt path) or at exit.
 */
const liveChildren = new Set<ResultPromise>();

/** Kill every child still running (SIGTERM). */
export function killChildren(): void {
  for (const c of liveChildren) c.kill("SIGTERM");
}

process.on("exit", killChildren);

/**
 * Kill every child still running and wait until they have exited (SIGKILL after graceMs), so
 * that none of them writes a file after the caller removed it. Waits for the processes, not for
 * their output to end: a `guestfish --remote` client hands its stdout to the server, so its pipe
 * stays open until the server goes, which the caller's cleanup does next.
 */
export async function stopChildren(graceMs = 5000): Promise<void> {
  const children = [...liveChildren];
  const exited = (c: ResultPromise): Promise<unknown> =>
    c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once("exit", r));
  for (const c of children) c.kill("SIGTERM");
  const all = Promise.all(children.map(exited));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((r) => { timer = setTimeout(() => r("late"), graceMs); });
  if ((await Promise.race([all, late])) === "late") {
    for (const c of children) c.kill("SIGKILL");
    await Promise.race([all, new Promise((r) => setTimeout(r, 2000))]);
  }
  clearTimeout(timer);
}

/** Descriptors handed to the child as they are. */
interface ChildFds {
  readonly inFd: number | undefined;
  readonly outFd: number | undefined;
  readonly errFd: number | undefined;
}

function spawnWith(file: string, args: readonly string[], opts: ExecOptions, fds: ChildFds): ResultPromise {
  const child = spawnChild(file, args, opts, fds);
  liveChildren.add(child);
  const forget = (): void => void liveChildren.delete(child);
  child.then(forget, forget);
  return child;
}

function spawnChild(file: string, args: readonly string[], opts: ExecOptions, { inFd, outFd, errFd }: ChildFds): ResultPromise {
  return execa(file, args, {
    cleanup: false,
    reject: false,
    timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    forceKillAfterDelay: 5000,
    env: opts.env as Record<string, string> | undefined,
    extendEnv: true,
    cwd: opts.cwd,
    input: opts.input,
    // execa passes a descriptor number straight to the child, as for stdout below.
    stdin: (inFd ?? (opts.input === undefined ? "ignore" : "pipe")) as "pipe",
    // execa passes a descriptor number straight to the child; its option type only lists "pipe" here.
    stdout: (outFd ?? "pipe") as "pipe",
    stderr: (errFd ?? (opts.inheritStderr ? "inherit" : "pipe")) as "pipe",
    cancelSignal: opts.signal,
    stripFinalNewline: false,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
}

/** Call onLine with each stdout line as it arrives; \r ends a line too (progress redrawn in place). */
function followLines(child: ResultPromise, onLine: ((line: string) => void) | undefined): ResultPromise {
  if (!onLine || !child.stdout) return child;
  let buf = "";
  child.stdout.on("data", (chunk: Buffer | string) => {
    buf += chunk.toString();
    let i: number;
    while ((i = buf.search(/[\r\n]/)) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line) onLine(line);
    }
  });
  return child;
}

/** Run a command; throws CommandError unless it exits 0. */
export async function run(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const r = await runUnchecked(argv, opts);
  return r;
}

/** Run a command and return its result whatever the exit code (still throws on timeout/spawn failure). */
export async function runAllowFail(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return runUnchecked(argv, opts, true);
}

async function runUnchecked(argv: readonly string[], opts: ExecOptions, allowFail = false): Promise<ExecResult> {
  const r = await start(argv, opts);
  const stdout = String(r.stdout ?? "");
  const stderr = String(r.stderr ?? "");
  const failedToSpawn = r.failed && r.exitCode === undefined && !r.timedOut && !r.isCanceled && !r.signal;
  if (failedToSpawn) {
    throw new CommandError(argv, { stderr: `${r.shortMessage}`, timedOut: false }, r.cause);
  }
  if (r.timedOut || r.isCanceled || (!allowFail && r.exitCode !== 0)) {
    throw new CommandError(argv, { exitCode: r.exitCode, signal: r.signal, stderr, timedOut: r.timedOut });
  }
  return { stdout, stderr, exitCode: r.exitCode ?? -1 };
}

/** Start a long-lived process (qemu under --qemu-boot, a test VM); the caller owns its lifetime. */
export function spawnDetached(argv: readonly string[], opts: ExecOptions = {}): ResultPromise {
  return start(argv, opts);
}

/** True when `name` is an executable on PATH. */
export async function commandExists(name: string): Promise<boolean> {
  const r = await runAllowFail(["sh", "-c", 'command -v "$1"', "sh", name], { timeoutMs: 5000 });
  return r.exitCode === 0;
}
