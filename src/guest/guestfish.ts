// A libguestfs appliance driven through `guestfish --listen` / `guestfish --remote`. This is the
// only file that speaks guestfish. Every command runs with guestfish's "-" prefix so that a
// failing command does not end the server; the server's stderr goes to a log file, and any
// "libguestfs: error:" line a command adds there is turned into a GuestfsError.
import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { detectAccel } from "../host/accel.js";
import { CommandError, run, runAllowFail } from "../host/exec.js";
import { V2vError } from "../pipeline/errors.js";

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
export async function libguestfsEnv(): Promise<Record<string, string>> {
  const accel = await detectAccel();
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
  ) {}

  get logPath(): string {
    return join(this.dir, "guestfish.log");
  }

  /** Start the server, add the drives and launch the appliance (~20 s under TCG). */
  static async start(drives: readonly DriveSpec[], opts: SessionOptions = {}): Promise<GuestfishSession> {
    const env = await libguestfsEnv();
    const dir = await mkdtemp(join(process.env["VIRT_V2V_TMPDIR"] ?? tmpdir(), "v2v-guestfish-"));
    const argv = ["guestfish", "--listen", ...(opts.trace ? ["-x"] : [])];
    const out = join(dir, "listen.out");
    try {
      await run(argv, { env, timeoutMs: 60_000, stdoutFile: out, stderrFile: join(dir, "guestfish.log") });
    } catch (e) {
      const log = await readFile(join(dir, "guestfish.log"), "utf8").catch(() => "");
      await rm(dir, { recursive: true, force: true });
      throw new GuestfsError("start", log.trim() || String(e));
    }
    const m = /GUESTFISH_PID=(\d+)/.exec(await readFile(out, "utf8"));
    if (!m) throw new GuestfsError("start", "guestfish --listen did not print its PID");
    const s = new GuestfishSession(Number(m[1]), dir, env, opts);
    liveServers.add(s.pid);
    try {
      for (const d of drives) await s.cmd("add-drive", d.path, ...driveOptions(d));
      if (opts.memoryMiB) await s.cmd("set-memsize", String(opts.memoryMiB));
      if (opts.smp) await s.cmd("set-smp", String(opts.smp));
      await s.cmd("run");
    } catch (e) {
      await s.kill();
      throw e;
    }
    return s;
  }

  /**
   * Run one guestfish command and return its stdout (trailing newline removed).
   * Commands are serialised: the log offset tells which errors belong to which command.
   */
  cmd(name: string, ...args: string[]): Promise<string> {
    const next = this.queue.then(() => this.runCmd(name, args, 30 * 60_000));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Like cmd, with an explicit timeout in milliseconds. */
  cmdWithTimeout(timeoutMs: number, name: string, ...args: string[]): Promise<string> {
    const next = this.queue.then(() => this.runCmd(name, args, timeoutMs));
    this.queue = next.catch(() => undefined);
    return next;
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
    } catch (e) {
      if (e instanceof CommandError && e.timedOut) {
        await this.kill();
        throw new GuestfsError(name, `no answer after ${Math.round(timeoutMs / 1000)} s; the appliance was stopped`);
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
      throw new GuestfsError(name, text.trim());
    }
    return stdout.replace(/\n$/, "");
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
      this.closed = true;
      await this.kill();
      await rm(this.dir, { recursive: true, force: true });
    }
  }

  /** Kill the server (and with it qemu) without a clean shutdown: for timeouts and interrupts. */
  async kill(): Promise<void> {
    this.closed = true;
    liveServers.delete(this.pid);
    try {
      process.kill(this.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
