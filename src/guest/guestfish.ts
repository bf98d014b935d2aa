// A libguestfs appliance driven through `guestfish --listen` / `guestfish --remote`. This is the
// only file that speaks guestfish. Every command runs with guestfish's "-" prefix so that a
// failing command does not end the server; the server's stderr goes to a log file, and any
// "libguestfs: error:" line a command adds there is turned into a GuestfsError.
//
// Every session has its own directory, which is also the server's LIBGUESTFS_TMPDIR, so all of
// libguestfs's temporary files live there, and every process of the session (the server, the
// appliance's qemu, libguestfs's recovery process) carries that path in its environment: that
// is how a session is stopped completely, even one left by a v2v run that was killed outright.
import { mkdtemp, open, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { detectAccel, type Accel } from "../host/accel.js";
import { onCleanup, type CleanupHandle } from "../host/cleanup.js";
import { CommandError, run, runAllowFail } from "../host/exec.js";
import {
  findProcessesByEnv, identifyProcess, readCommandLine, terminateProcesses, unixSocketPaths, type ProcessIdentity,
} from "../host/processes.js";
import { V2vError } from "../model/errors.js";

export interface DriveSpec {
  readonly path: string;
  readonly format: "raw" | "qcow2";
  /** Open read-only (inspection of a finished disk); conversion opens its overlay read-write. */
  readonly readonly?: boolean;
}

export interface SessionOptions {
  /** -x: guestfish echoes each command into the log. */
  readonly trace?: boolean;
  /** Called with each line the appliance logs (verbose mode). */
  readonly onLog?: (line: string) => void;
  /** Appliance memory in MiB (libguestfs default 1280 with direct backend). */
  readonly memoryMiB?: number;
  /** Appliance vCPUs. */
  readonly smp?: number;
  /** The accelerator the caller already probed; probed here when absent. */
  readonly accel?: Accel;
  /**
   * The run's work directory: the session's own directory (and so every libguestfs temporary
   * file) goes inside it. Default $VIRT_V2V_TMPDIR, else the system's tmpdir.
   */
  readonly tmpDir?: string;
  /** How long the appliance may take to launch; default LAUNCH_TIMEOUT_MS. */
  readonly launchTimeoutMs?: number;
  /** Told when the first launch failed and a second one (with the appliance's log) is tried. */
  readonly onWarning?: (message: string) => void;
}

/**
 * How long an appliance launch may take. Under TCG on 2 cores a launch takes ~20 s on an idle
 * machine (measured); one seen stuck for 12 minutes, while three appliances and a debootstrap
 * shared the cores, never came up. Past this the launch is stopped and tried once more.
 */
export const LAUNCH_TIMEOUT_MS = 8 * 60_000;

/** How many of the log's last lines a failure carries. */
const LOG_TAIL_LINES = 25;

/**
 * Pure: the guestfish client's own complaint in a command's stderr (it could not reach the
 * server, or the protocol failed), as opposed to output of the command itself; undefined if none.
 */
export function clientFailure(stderr: string): string | undefined {
  const lines = stderr.split("\n").map((l) => l.trim()).filter((l) => /^guestfish: (remote:|protocol error)/.test(l));
  return lines.length > 0 ? lines.join("; ") : undefined;
}

/** Pure: the last LOG_TAIL_LINES non-blank lines of a log, control characters removed. */
export function tailOf(lines: readonly string[]): string[] {
  return lines.map((l) => l.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "").trimEnd()).filter((l) => l.trim() !== "").slice(-LOG_TAIL_LINES);
}

/** Pure: the text appended to an error for a log tail ("" when the tail is empty). */
export const withTail = (tail: readonly string[]): string => (tail.length > 0 ? `\nthe appliance's last log lines:\n${tail.join("\n")}` : "");

/** In a session directory: the FIFO the server reads key parameters from (guestfish --keys-from-stdin). */
const KEY_FIFO = "keys.fifo";

/** In a session directory: the server's pid and start time, as JSON. */
export const SERVER_FILE = "guestfish-server.json";

/** Pure: a server record's identity, or undefined for anything else. */
export function parseServerRecord(text: string): ProcessIdentity | undefined {
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const { pid, startTime } = j;
    if (Number.isSafeInteger(pid) && (pid as number) > 0 && Number.isSafeInteger(startTime)) {
      return { pid: pid as number, startTime: startTime as number };
    }
  } catch {
    /* not a record */
  }
  return undefined;
}

/** The servers recorded in `dir` and in its subdirectories (session directories inside a work dir). */
async function recordedServers(dir: string): Promise<ProcessIdentity[]> {
  const dirs = [dir];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (e.isDirectory()) dirs.push(join(dir, e.name));
  }
  const ids: ProcessIdentity[] = [];
  for (const d of dirs) {
    const id = parseServerRecord(await readFile(join(d, SERVER_FILE), "utf8").catch(() => ""));
    if (id) ids.push(id);
  }
  return ids;
}

/**
 * Stop every guestfish server whose session directory is `dir` or lies under it, and whatever
 * else of those sessions runs (qemu, libguestfs's recovery process): SIGTERM, then SIGKILL after
 * 3 s. Returns the processes that were running.
 */
export async function stopGuestfishUnder(dir: string): Promise<ProcessIdentity[]> {
  const marked = (): Promise<ProcessIdentity[]> =>
    findProcessesByEnv("LIBGUESTFS_TMPDIR", (v) => v === dir || v.startsWith(`${dir}/`));
  const servers = await recordedServers(dir);
  const before = [...servers, ...(await marked())];
  const sockDirs = await socketDirsOf(before);
  // All at once: the appliance's disks are overlays being thrown away, so qemu need not wait for
  // libguestfs's recovery process to stop it after the server; waiting costs seconds per interrupt.
  await terminateProcesses(before);
  const late = await marked(); // started while we looked (a launch in progress)
  if (late.length > 0) await terminateProcesses(late);
  // A server that is killed cannot remove its socket directory (/tmp/libguestfsXXXXXX for root).
  for (const d of sockDirs) await rm(d, { recursive: true, force: true });
  const seen = new Map(before.map((p) => [p.pid, p]));
  return [...seen.values()];
}

/** Pure: the libguestfs socket directory a socket path lies in ("/tmp/libguestfsAbC123"), if any. */
export function libguestfsSocketDir(path: string): string | undefined {
  return /^(\/.+\/libguestfs[A-Za-z0-9]{6})\/[^/]+\.sock$/.exec(path)?.[1];
}

/**
 * The socket directories of a session's processes: libguestfs keeps them outside
 * LIBGUESTFS_TMPDIR (socket paths must be short), so they are found from the sockets the server
 * listens on and from qemu's command line (-chardev socket,path=...).
 */
export async function socketDirsOf(ids: readonly ProcessIdentity[]): Promise<string[]> {
  const dirs = new Set<string>();
  for (const { pid } of ids) {
    const fromArgs = (await readCommandLine(pid)).flatMap((a) => [...a.matchAll(/path=([^,]+)/g)].map((m) => m[1]!));
    for (const p of [...(await unixSocketPaths(pid)), ...fromArgs]) {
      const d = libguestfsSocketDir(p);
      if (d) dirs.add(d);
    }
  }
  return [...dirs];
}

/** The generic "how to debug" advice libguestfs appends to errors; the real cause is elsewhere. */
const LIBGUESTFS_BOILERPLATE =
  /^(Do:|\s*export LIBGUESTFS_|and run the command again|\s*http:\/\/libguestfs\.org|You can also run|into a bug report|This usually means|To see full error messages)/;

/** Servers still running; killed if this process exits without closing them (a crash, exit()). */
const liveServers = new Set<number>();
process.on("exit", () => {
  for (const pid of liveServers) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      /* already gone */
    }
  }
});

export class GuestfsError extends V2vError {
  readonly command: string;
  constructor(command: string, detail: string) {
    super("GUESTFS", `libguestfs: ${command}: ${detail}`);
    this.name = "GuestfsError";
    this.command = command;
  }
}

/** The environment libguestfs needs: direct backend, and TCG when KVM is unusable here. */
export async function libguestfsEnv(known?: Accel): Promise<Record<string, string>> {
  const accel = known ?? (await detectAccel());
  const env: Record<string, string> = { LIBGUESTFS_BACKEND: "direct" };
  if (accel === "tcg") env["LIBGUESTFS_BACKEND_SETTINGS"] = "force_tcg";
  return env;
}

/**
 * add-drive's optional arguments. Writable drives are overlays or disks being built: discards
 * reach the qcow2 (so fstrim really frees what the copy would otherwise write), and the cache
 * skips flushes (the file is thrown away or checked after a clean shutdown anyway).
 */
export function driveOptions(d: DriveSpec): string[] {
  const o = [`format:${d.format}`];
  if (d.readonly) o.push("readonly:true");
  else o.push("discard:besteffort", "cachemode:unsafe");
  return o;
}

export class GuestfishSession {
  private logOffset = 0;
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly pid: number,
    private readonly dir: string,
    private readonly env: Record<string, string>,
    private readonly opts: SessionOptions,
    /** Stops the server and its qemu and removes the directory; registered before the launch. */
    private readonly stopper: CleanupHandle,
  ) {}

  get logPath(): string {
    return join(this.dir, "guestfish.log");
  }

  /**
   * Start the server, add the drives and launch the appliance (~20 s under TCG). A launch that
   * fails or passes its deadline is infrastructure trouble, not the guest's: it is tried once
   * more, in verbose mode, so that a second failure carries the appliance's own last lines
   * (its kernel and init, which a quiet launch does not log).
   */
  static async start(drives: readonly DriveSpec[], opts: SessionOptions = {}): Promise<GuestfishSession> {
    try {
      return await GuestfishSession.startOnce(drives, opts, false);
    } catch (e) {
      if (!(e instanceof GuestfsError) || e.command !== "run") throw e;
      opts.onWarning?.(`the libguestfs appliance did not start (${e.message.split("\n")[0]}); starting it once more, with its log`);
      return await GuestfishSession.startOnce(drives, opts, true);
    }
  }

  private static async startOnce(drives: readonly DriveSpec[], opts: SessionOptions, verboseLaunch: boolean): Promise<GuestfishSession> {
    const env = await libguestfsEnv(opts.accel);
    const dir = await mkdtemp(join(opts.tmpDir ?? process.env["VIRT_V2V_TMPDIR"] ?? tmpdir(), "v2v-guestfish-"));
    env["LIBGUESTFS_TMPDIR"] = dir;
    // Registered before the server exists: an interrupt during the launch, before a session
    // object is returned to anyone, must still stop the server and its qemu.
    const stopper = onCleanup(`stop the guestfish server of ${dir}`, async () => {
      await stopGuestfishUnder(dir);
      await rm(dir, { recursive: true, force: true });
    });
    // In a session of its own: a Ctrl-C on the terminal reaches the whole foreground process
    // group, and a server (or qemu) dying of it before the cleanup runs would leave its socket
    // directory in /tmp; the cleanup stops them itself, in order.
    // Key parameters (LUKS passphrases) are read by the server from its stdin: a FIFO in the
    // session's private directory, written by cmdWithKey just before the command that takes one,
    // so no passphrase ever appears on a command line.
    const argv = ["setsid", "guestfish", "--listen", "--keys-from-stdin", ...(opts.trace ? ["-x"] : [])];
    const out = join(dir, "listen.out");
    const keys = join(dir, KEY_FIFO);
    try {
      await run(["mkfifo", "-m", "0600", keys], { timeoutMs: 30_000 });
      await run(argv, { env, timeoutMs: 60_000, stdinFile: keys, stdoutFile: out, stderrFile: join(dir, "guestfish.log") });
    } catch (e) {
      const log = await readFile(join(dir, "guestfish.log"), "utf8").catch(() => "");
      await stopper.run();
      throw new GuestfsError("start", log.trim() || String(e));
    }
    const m = /GUESTFISH_PID=(\d+)/.exec(await readFile(out, "utf8").catch(() => ""));
    const server = m ? await identifyProcess(Number(m[1])) : undefined;
    if (!server) {
      await stopper.run();
      throw new GuestfsError("start", m ? `the guestfish server (pid ${m[1]}) exited at once; see ${dir}` : "guestfish --listen did not print its PID");
    }
    const s = new GuestfishSession(server.pid, dir, env, opts, stopper);
    liveServers.add(s.pid);
    try {
      await writeFile(join(dir, SERVER_FILE), `${JSON.stringify(server)}\n`, { flag: "wx" });
      await s.waitUntilListening();
      for (const d of drives) await s.cmd("add-drive", d.path, ...driveOptions(d));
      if (opts.memoryMiB) await s.cmd("set-memsize", String(opts.memoryMiB));
      if (opts.smp) await s.cmd("set-smp", String(opts.smp));
      if (verboseLaunch) await s.cmd("set-verbose", "true");
      await s.cmdWithTimeout(opts.launchTimeoutMs ?? LAUNCH_TIMEOUT_MS, "run");
      if (verboseLaunch) await s.cmd("set-verbose", "false");
    } catch (e) {
      await s.kill();
      throw e;
    }
    return s;
  }

  /**
   * `guestfish --listen` prints the server's PID before the server has created its socket (a
   * race guestfish documents): a command sent at once can find no socket. Ask until it answers.
   */
  private async waitUntilListening(deadlineMs = 60_000): Promise<void> {
    const t0 = Date.now();
    for (;;) {
      // No "-" prefix: a client that cannot connect then exits non-zero (see runCmd).
      const r = await runAllowFail(["guestfish", `--remote=${this.pid}`, "--", "echo", "listening"], { env: this.env, timeoutMs: 30_000 });
      if (r.exitCode === 0 && r.stdout.trim() === "listening") return;
      if (Date.now() - t0 > deadlineMs) {
        throw new GuestfsError("start", `the guestfish server (pid ${this.pid}) did not answer within ${deadlineMs / 1000} s: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Run one guestfish command and return its stdout (trailing newline removed).
   * Commands are serialised: the log offset tells which errors belong to which command.
   */
  cmd(name: string, ...args: string[]): Promise<string> {
    return this.enqueue(() => this.runCmd(name, args, 30 * 60_000));
  }

  /** Run `step` after every command queued before it; a failed step does not stop the queue. */
  private enqueue<T>(step: () => Promise<T>): Promise<T> {
    const next = this.queue.then(step);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Run a command that takes one key parameter (cryptsetup-open, luks-format): the key goes to
   * the server through the session's key FIFO, never onto a command line or into a log.
   */
  cmdWithKey(key: string, name: string, ...args: string[]): Promise<string> {
    if (/[\n\r\0]/.test(key)) return Promise.reject(new V2vError("BAD_INPUT", "a passphrase cannot contain a newline or a NUL byte"));
    return this.enqueue(async () => {
      // O_RDWR: opening a FIFO for writing alone would wait for a reader; the server holds one.
      const fh = await open(join(this.dir, KEY_FIFO), "r+");
      try {
        await fh.write(`${key}\n`);
      } finally {
        await fh.close();
      }
      return this.runCmd(name, args, 10 * 60_000);
    });
  }

  /** Like cmd, with an explicit timeout in milliseconds. */
  cmdWithTimeout(timeoutMs: number, name: string, ...args: string[]): Promise<string> {
    return this.enqueue(() => this.runCmd(name, args, timeoutMs));
  }

  private async runCmd(name: string, args: readonly string[], timeoutMs: number): Promise<string> {
    if (this.closed) throw new GuestfsError(name, "the appliance is already closed");
    let stdout: string;
    try {
      const r = await runAllowFail(["guestfish", `--remote=${this.pid}`, "--", `-${name}`, ...args], {
        env: this.env,
        timeoutMs,
      });
      stdout = r.stdout;
      if (r.exitCode !== 0) throw new GuestfsError(name, r.stderr.trim() || `guestfish exited with ${r.exitCode}`);
      // With the "-" prefix the client exits 0 even when the command never reached the server
      // (measured with guestfish 1.48): only its stderr says so. Such a command was not run.
      const lost = clientFailure(r.stderr);
      if (lost) throw new GuestfsError(name, `the command did not reach the guestfish server (pid ${this.pid}): ${lost}`);
    } catch (e) {
      if (e instanceof CommandError && e.timedOut) {
        const tail = await this.logTail();
        await this.kill();
        throw new GuestfsError(name, `no answer after ${Math.round(timeoutMs / 1000)} s; the appliance was stopped${withTail(tail)}`);
      }
      throw e;
    }
    const newLog = await this.readNewLog();
    const first = newLog.findIndex((l) => l.startsWith("libguestfs: error:"));
    if (first >= 0) {
      // The error is the first line and what follows it (a failing guest command's output).
      const text = newLog
        .slice(first)
        .map((l) => l.replace(/^libguestfs: error: /, ""))
        .filter((l) => !LIBGUESTFS_BOILERPLATE.test(l))
        .join("\n");
      // A launch error alone ("appliance closed the connection") says nothing of why: add what came before.
      throw new GuestfsError(name, text.trim() + (name === "run" ? withTail(tailOf(newLog.slice(0, first))) : ""));
    }
    return stdout.replace(/\n$/, "");
  }

  /** The log's last lines (the appliance's, in a verbose launch), read before the session is removed. */
  private async logTail(): Promise<string[]> {
    const text = await readFile(this.logPath, "utf8").catch(() => "");
    return tailOf(text.split("\n"));
  }

  private async readNewLog(): Promise<string[]> {
    const fh = await open(this.logPath, "r");
    try {
      const { size } = await fh.stat();
      if (size <= this.logOffset) return [];
      const buf = Buffer.alloc(size - this.logOffset);
      await fh.read(buf, 0, buf.length, this.logOffset);
      this.logOffset = size;
      const lines = buf.toString("utf8").split("\n").filter((l) => l.length > 0);
      for (const l of lines) this.opts.onLog?.(l);
      return lines;
    } finally {
      await fh.close();
    }
  }

  /** Unmount, sync, stop the appliance and the server. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.cmd("umount-all").catch(() => undefined);
      await this.cmd("shutdown");
      await runAllowFail(["guestfish", `--remote=${this.pid}`, "--", "exit"], { env: this.env, timeoutMs: 30_000 });
    } finally {
      await this.kill();
    }
  }

  /**
   * Stop the server and everything it started (qemu included) without a clean shutdown, and
   * remove the session directory: for timeouts, failures and interrupts. Safe to call twice.
   */
  async kill(): Promise<void> {
    this.closed = true;
    liveServers.delete(this.pid);
    await this.stopper.run();
  }
}
