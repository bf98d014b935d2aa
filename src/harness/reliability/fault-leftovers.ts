// What a fault case checks after the run: files left in -os and in the temporary directory,
// processes left running, sources changed. Each check returns problems, one sentence each.
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { socketDirsOf } from "../../guest/guestfish.js";
import { findProcessesByEnv, identifyProcess, listProcessNames, waitGone, type ProcessIdentity } from "../../host/processes.js";

/** Every path under `dir`, relative, directories included, symlinks not followed; [] when absent. */
export async function listTree(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, prefix), { withFileTypes: true }).catch(() => [])) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    out.push(e.isDirectory() ? `${rel}/` : rel);
    if (e.isDirectory()) out.push(...(await listTree(dir, rel)));
  }
  return out.sort();
}

/** Problems when `dir` holds anything but `allowed` (relative names). */
export async function checkDirHolds(what: string, dir: string, allowed: readonly string[] = []): Promise<string[]> {
  const got = await listTree(dir);
  const extra = got.filter((f) => !allowed.includes(f));
  const missing = allowed.filter((f) => !got.includes(f));
  return [
    ...(extra.length > 0 ? [`${what} ${dir} still holds: ${extra.join(", ")}`] : []),
    ...(missing.length > 0 ? [`${what} ${dir} lacks: ${missing.join(", ")}`] : []),
  ];
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })) h.update(chunk as Buffer);
  return h.digest("hex");
}

/** Problems when a source's sha256 is no longer the one recorded before the case. */
export async function checkSourcesUnchanged(before: ReadonlyMap<string, string>, paths: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const p of paths) {
    const now = await sha256File(p);
    if (now !== before.get(p)) problems.push(`source ${p} changed (sha256 ${now}, was ${before.get(p) ?? "not recorded"})`);
  }
  return problems;
}

/** The libguestfs and qemu processes: what a run must not leave behind. */
const TOOL_NAMES = /^(guestfish|qemu-system-.*)$/;

/** Running guestfish and qemu-system processes, keyed "pid:startTime", with their names. */
export async function snapshotTools(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [pid, name] of await listProcessNames()) {
    if (!TOOL_NAMES.test(name)) continue;
    const id = await identifyProcess(pid);
    if (id) out.set(`${id.pid}:${id.startTime}`, name);
  }
  return out;
}

/**
 * Problems when processes of the case are still running after graceMs. A process is the case's
 * when it carries the case's VIRT_V2V_TMPDIR in its environment (the CLI sets nothing else, and
 * everything it starts inherits it: guestfish, qemu, qemu-img). Every guestfish or qemu-system
 * that appeared since `before` is looked at too, so one started with a scrubbed environment is
 * not missed; one that names another VIRT_V2V_TMPDIR, or none, belongs to someone else on this
 * machine and is left out. libguestfs's recovery process needs a moment to stop qemu after
 * guestfish ends, hence the grace.
 */
export async function checkNoProcessesLeft(tmpDir: string, before: ReadonlyMap<string, string>, graceMs = 5000): Promise<string[]> {
  const ours = (v: string): boolean => v === tmpDir || v.startsWith(`${tmpDir}/`);
  const marked = [
    ...(await findProcessesByEnv("VIRT_V2V_TMPDIR", ours)),
    ...(await findProcessesByEnv("LIBGUESTFS_TMPDIR", ours)),
  ];
  const unattributed: ProcessIdentity[] = [];
  for (const key of (await snapshotTools()).keys()) {
    if (before.has(key)) continue;
    const [pid, startTime] = key.split(":").map(Number) as [number, number];
    // Readable: it is in `marked` when ours, or someone else's. Unreadable: cannot tell, count it.
    const environ = await readFile(`/proc/${pid}/environ`, "utf8").catch(() => undefined);
    if (environ === undefined) unattributed.push({ pid, startTime });
  }
  const all = new Map([...marked, ...unattributed].map((p) => [p.pid, p]));
  const ids = [...all.values()];
  if (await waitGone(ids, graceMs)) return [];
  const names = await listProcessNames();
  const left = [];
  for (const id of ids) if ((await identifyProcess(id.pid))?.startTime === id.startTime) left.push(`${names.get(id.pid) ?? "?"} (pid ${id.pid})`);
  return left.length > 0 ? [`processes left running ${graceMs / 1000} s after the run: ${left.join(", ")}`] : [];
}

export interface SocketDirWatch {
  /** Stop watching; the socket directories the case's processes were seen using. */
  stop(): Promise<ReadonlySet<string>>;
}

/**
 * Note, every half second while a case runs, the libguestfs socket directories its processes
 * use (root's are always in /tmp, outside LIBGUESTFS_TMPDIR): the ones still there afterwards
 * were left by a guestfish server that was killed without its directory being removed. Watching
 * the case's own processes, rather than comparing /tmp before and after, keeps other libguestfs
 * users on the machine out of it.
 */
export function watchSocketDirs(tmpDir: string): SocketDirWatch {
  const seen = new Set<string>();
  const ours = (v: string): boolean => v === tmpDir || v.startsWith(`${tmpDir}/`);
  const sample = async (): Promise<void> => {
    const ids = await findProcessesByEnv("VIRT_V2V_TMPDIR", ours);
    for (const d of await socketDirsOf(ids)) seen.add(d);
  };
  let running = true;
  const loop = (async () => {
    while (running) {
      await sample();
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return seen;
    },
  };
}

/** Problems when a socket directory the case's processes used is still there. */
export function checkSocketDirsGone(dirs: ReadonlySet<string>): string[] {
  const left = [...dirs].filter((d) => existsSync(d));
  return left.length > 0 ? [`libguestfs socket directories left: ${left.join(", ")}`] : [];
}
