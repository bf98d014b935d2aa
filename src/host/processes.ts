// Processes seen through /proc: who a pid is (pid + start time, so a reused pid is not mistaken
// for the process that once had it), which processes carry a marker in their environment, and
// stopping them with a deadline. Reads only; the one spawn point stays src/host/exec.ts.
import { readFile, readdir, readlink } from "node:fs/promises";

/** A process, told apart from a later one with the same pid by its start time. */
export interface ProcessIdentity {
  readonly pid: number;
  /** Field 22 of /proc/PID/stat: clock ticks after boot at which the process started. */
  readonly startTime: number;
}

/**
 * Pure: the start time in a /proc/PID/stat line. The command name (field 2) is in parentheses
 * and may itself hold spaces or ")", so fields are counted after the last ")".
 */
export function parseStatStartTime(stat: string): number | undefined {
  const close = stat.lastIndexOf(")");
  if (close < 0) return undefined;
  // After ")": field 3 (state) is the first; field 22 is the 20th.
  const v = Number(stat.slice(close + 1).trim().split(/\s+/)[19]);
  return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

/** Pure: the parent pid (field 4) in a /proc/PID/stat line. */
export function parseStatParent(stat: string): number | undefined {
  const close = stat.lastIndexOf(")");
  const v = Number(stat.slice(close + 1).trim().split(/\s+/)[1]);
  return close >= 0 && Number.isSafeInteger(v) ? v : undefined;
}

const readStat = (pid: number): Promise<string | undefined> =>
  readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);

/** The identity of a running process, or undefined when no process has this pid. */
export async function identifyProcess(pid: number): Promise<ProcessIdentity | undefined> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  const stat = await readStat(pid);
  const startTime = stat === undefined ? undefined : parseStatStartTime(stat);
  if (startTime === undefined) return undefined;
  // A zombie has exited: it only waits for its parent to reap it.
  if (/\)\s+Z\s/.test(stat ?? "")) return undefined;
  return { pid, startTime };
}

/** This process's own identity (written into owner and lock files). */
export async function selfIdentity(): Promise<ProcessIdentity> {
  const me = await identifyProcess(process.pid);
  if (!me) throw new Error(`cannot read /proc/${process.pid}/stat`);
  return me;
}

/** True while the very process described still runs (same pid and same start time). */
export async function isRunning(id: ProcessIdentity): Promise<boolean> {
  const now = await identifyProcess(id.pid);
  return now !== undefined && now.startTime === id.startTime;
}

/** Every pid in /proc. */
async function listPids(): Promise<number[]> {
  const names = await readdir("/proc").catch(() => [] as string[]);
  return names.filter((n) => /^\d+$/.test(n)).map(Number);
}

/** Pure: the value of NAME in a /proc/PID/environ text (NUL-separated), if set. */
export function envValue(environ: string, name: string): string | undefined {
  const prefix = `${name}=`;
  for (const entry of environ.split("\0")) if (entry.startsWith(prefix)) return entry.slice(prefix.length);
  return undefined;
}

/**
 * Running processes whose environment has NAME set to a value that `matches` accepts. Child
 * processes inherit the environment, so a variable set for one program also marks what it starts
 * (guestfish's qemu and its recovery process).
 */
export async function findProcessesByEnv(name: string, matches: (value: string) => boolean): Promise<ProcessIdentity[]> {
  const found: ProcessIdentity[] = [];
  for (const pid of await listPids()) {
    if (pid === process.pid) continue;
    const environ = await readFile(`/proc/${pid}/environ`, "utf8").catch(() => undefined);
    const value = environ === undefined ? undefined : envValue(environ, name);
    if (value === undefined || !matches(value)) continue;
    const id = await identifyProcess(pid);
    if (id) found.push(id);
  }
  return found;
}

/** The command name (/proc/PID/comm) of every running process, by pid. */
export async function listProcessNames(): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (const pid of await listPids()) {
    const comm = await readFile(`/proc/${pid}/comm`, "utf8").catch(() => undefined);
    if (comm !== undefined) out.set(pid, comm.trim());
  }
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const signal = (id: ProcessIdentity, sig: NodeJS.Signals): void => {
  try {
    process.kill(id.pid, sig);
  } catch {
    /* gone already */
  }
};

/** Wait until none of these processes runs any more; false when some still run after timeoutMs. */
export async function waitGone(ids: readonly ProcessIdentity[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = [];
    for (const id of ids) if (await isRunning(id)) alive.push(id);
    if (alive.length === 0) return true;
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
}

/**
 * SIGTERM these processes (only while they are still the same processes), wait up to graceMs,
 * then SIGKILL what is left and wait for it. Returns the ones that had to be killed.
 */
export async function terminateProcesses(ids: readonly ProcessIdentity[], graceMs = 3000): Promise<ProcessIdentity[]> {
  const targets = [];
  for (const id of ids) if (await isRunning(id)) targets.push(id);
  for (const id of targets) signal(id, "SIGTERM");
  if (await waitGone(targets, graceMs)) return [];
  const left = [];
  for (const id of targets) if (await isRunning(id)) left.push(id);
  for (const id of left) signal(id, "SIGKILL");
  await waitGone(left, 2000);
  return left;
}

/** The argv of a running process ([] when it is gone). */
export async function readCommandLine(pid: number): Promise<string[]> {
  const text = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  return text.split("\0").filter((a) => a.length > 0);
}

/** Pure: socket inode -> path, from the text of /proc/net/unix (unnamed sockets left out). */
export function parseUnixSockets(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 8 && f[7]!.startsWith("/")) out.set(Number(f[6]), f.slice(7).join(" "));
  }
  return out;
}

/** Paths of the named unix sockets a process holds open (those it bound: a listener's path). */
export async function unixSocketPaths(pid: number): Promise<string[]> {
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  const inodes = new Set<number>();
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (m) inodes.add(Number(m[1]));
  }
  if (inodes.size === 0) return [];
  const table = parseUnixSockets(await readFile("/proc/net/unix", "utf8").catch(() => ""));
  return [...inodes].map((i) => table.get(i)).filter((p): p is string => p !== undefined);
}
