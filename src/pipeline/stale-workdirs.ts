// Work directories left by v2v runs that died without cleaning up (SIGKILL, a crash, power
// loss): found by their owner file, whose process is gone, and removed together with the
// guestfish server and qemu they may still have running. A directory without an owner file is
// left alone: it is not ours, or an older version's.
import { lstat, readFile, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { isRunning, type ProcessIdentity } from "../host/processes.js";
import { stopGuestfishUnder } from "../guest/guestfish.js";

/** In a work dir: the owning run's pid and start time, as JSON. */
export const OWNER_FILE = "owner.json";

/** Pure: the names a run gives its work dirs (mkdtemp's six characters after "v2v-"). */
export const isWorkDirName = (name: string): boolean => /^v2v-[A-Za-z0-9]{6}$/.test(name);

/** Pure: an owner file's identity, or undefined when the text is not one. */
export function parseOwner(text: string): ProcessIdentity | undefined {
  try {
    const { pid, startTime } = JSON.parse(text) as Record<string, unknown>;
    if (Number.isSafeInteger(pid) && (pid as number) > 0 && Number.isSafeInteger(startTime)) {
      return { pid: pid as number, startTime: startTime as number };
    }
  } catch {
    /* not an owner file */
  }
  return undefined;
}

export interface StaleWorkDir {
  readonly path: string;
  readonly owner: ProcessIdentity;
  /** Processes of the dead run that were still running and were stopped (guestfish, qemu). */
  readonly stopped: readonly ProcessIdentity[];
}

/** Remove every stale work dir in `base`; says what it did through `say` (the -v info line). */
export async function sweepStaleWorkDirs(base: string, say: (line: string) => void = () => undefined): Promise<StaleWorkDir[]> {
  const swept: StaleWorkDir[] = [];
  const uid = process.getuid?.();
  for (const entry of await readdir(base, { withFileTypes: true }).catch(() => [])) {
    if (!entry.isDirectory() || !isWorkDirName(entry.name)) continue; // a symlink is not a directory here
    const path = join(base, entry.name);
    const st = await lstat(path).catch(() => undefined);
    if (!st || (uid !== undefined && st.uid !== uid)) continue;
    const owner = parseOwner(await readFile(join(path, OWNER_FILE), "utf8").catch(() => ""));
    if (!owner || (await isRunning(owner))) continue;
    const stopped = await stopGuestfishUnder(path);
    await rm(path, { recursive: true, force: true });
    swept.push({ path, owner, stopped });
    const procs = stopped.length > 0 ? `; stopped its leftover processes (pid ${stopped.map((p) => p.pid).join(", ")})` : "";
    say(`removed ${path}, left by v2v run pid ${owner.pid}, which is no longer running${procs}`);
  }
  return swept;
}
