// One v2v run per output directory: -os DIR holds DIR/.v2v.lock while a run writes there. The
// lock names its owner (pid and start time, so a reused pid does not look alive) and every file
// the run created, so that a run killed outright (SIGKILL, power loss) can be cleaned up by the
// next one: only those files, only inside DIR.
import { link, lstat, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { isShuttingDown } from "../../host/cleanup.js";
import { isRunning, selfIdentity, type ProcessIdentity } from "../../host/processes.js";
import { V2vError } from "../../model/errors.js";
import type { Reporter } from "../../model/messages.js";

export const LOCK_FILE_NAME = ".v2v.lock";

/** What .v2v.lock holds, as JSON. */
export interface LockContent extends ProcessIdentity {
  /** Absolute paths of the files this run created (or was about to create) in the directory. */
  readonly files: readonly string[];
}

/** Pure: the lock's JSON text. */
export const renderLock = (c: LockContent): string =>
  `${JSON.stringify({ pid: c.pid, startTime: c.startTime, files: c.files })}\n`;

/** Pure: a lock's content, or undefined when the text is not a lock this version wrote. */
export function parseLock(text: string): LockContent | undefined {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof j !== "object" || j === null) return undefined;
  const { pid, startTime, files } = j as Record<string, unknown>;
  if (!Number.isSafeInteger(pid) || (pid as number) <= 0 || !Number.isSafeInteger(startTime)) return undefined;
  if (!Array.isArray(files) || !files.every((f) => typeof f === "string")) return undefined;
  return { pid: pid as number, startTime: startTime as number, files: files as string[] };
}

/** The temporary name a lock is written under before it is linked or renamed into place. */
const newLockName = (dir: string, pid: number): string => join(dir, `${LOCK_FILE_NAME}.${pid}.new`);

/**
 * Pure: which files of a stale lock may be removed: absolute paths directly inside `dir`
 * (never a subdirectory, never outside, never the lock itself), plus the lock's own temporary.
 */
export function staleFilesToRemove(dir: string, lock: LockContent): string[] {
  const inside = lock.files.filter((f) => {
    const p = resolve(f);
    return p === f && dirname(p) === dir && basename(p) !== LOCK_FILE_NAME && basename(p) !== "..";
  });
  return [...new Set([...inside, newLockName(dir, lock.pid)])];
}

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | undefined)?.code;

const removeIfThere = async (path: string): Promise<boolean> =>
  unlink(path).then(() => true, (e: unknown) => {
    if (errno(e) === "ENOENT") return false;
    throw e;
  });

/** The lock this run holds on one output directory. */
export class OutputLock {
  private readonly files: string[] = [];
  private writes: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(readonly dir: string, private readonly owner: ProcessIdentity) {}

  get path(): string {
    return join(this.dir, LOCK_FILE_NAME);
  }

  /** The files recorded so far. */
  get created(): readonly string[] {
    return this.files;
  }

  /**
   * Record `path` before it is created, so that a run killed right after creating it still
   * lists it. Refused once the run is stopping: nothing new may appear after the removers ran.
   */
  note(path: string): Promise<void> {
    if (this.closed || isShuttingDown()) {
      return Promise.reject(new V2vError("INTERRUPTED", `not creating ${path}: this v2v run is stopping`));
    }
    this.files.push(path);
    return this.save();
  }

  /** Take back a note: the file could not be created because something else is there (not ours). */
  forget(path: string): Promise<void> {
    const i = this.files.lastIndexOf(path);
    if (i < 0) return Promise.resolve();
    this.files.splice(i, 1);
    return this.closed ? Promise.resolve() : this.save();
  }

  private save(): Promise<void> {
    const content = renderLock({ ...this.owner, files: this.files });
    const next = this.writes.then(() => this.rewrite(content));
    this.writes = next.catch(() => undefined);
    return next;
  }

  /** Success: the files stay, the lock goes. */
  async release(): Promise<void> {
    this.closed = true;
    await this.writes;
    held.delete(this.dir);
    await removeIfThere(this.path);
  }

  /** Failure or interrupt: remove every file this run created, newest first, then the lock. */
  async abandon(): Promise<void> {
    this.closed = true;
    await this.writes;
    for (const f of [...this.files].reverse()) await removeIfThere(f);
    await removeIfThere(newLockName(this.dir, this.owner.pid));
    held.delete(this.dir);
    await removeIfThere(this.path);
  }

  private async rewrite(content: string): Promise<void> {
    const tmp = newLockName(this.dir, this.owner.pid);
    try {
      await writeFile(tmp, content, { flag: "wx", mode: 0o644 });
      await rename(tmp, this.path); // our own lock: replacing it is the point
    } catch (e) {
      await removeIfThere(tmp).catch(() => undefined);
      if (errno(e) === "ENOSPC") {
        throw new V2vError("NO_SPACE", `no space left in -os ${this.dir} to update ${LOCK_FILE_NAME}; free space there or choose another -os`, { cause: e });
      }
      throw new V2vError("OUTPUT", `could not update the lock ${this.path}: ${(e as Error).message}; check the -os directory`, { cause: e });
    }
  }
}

/** Locks held by this process, by directory, so that file-creating code finds its lock. */
const held = new Map<string, OutputLock>();

/** Record a file about to be created in a directory this run has locked (a no-op elsewhere). */
export async function noteCreating(path: string): Promise<void> {
  const p = resolve(path);
  const lock = held.get(dirname(p));
  if (lock) await lock.note(p);
  else if (isShuttingDown()) throw new V2vError("INTERRUPTED", `not creating ${p}: this v2v run is stopping`);
}

/** Undo noteCreating: the file turned out to exist already, so it is not this run's to remove. */
export async function forgetCreating(path: string): Promise<void> {
  const p = resolve(path);
  await held.get(dirname(p))?.forget(p);
}

const inUse = (dir: string, pid: number): V2vError =>
  new V2vError("OUTPUT", `-os ${dir} is in use by another v2v run (pid ${pid}); wait for it or choose another -os`);

/** Create the lock file atomically, already holding its content; false when one exists. */
async function tryCreate(dir: string, me: ProcessIdentity): Promise<boolean> {
  const tmp = newLockName(dir, me.pid);
  // Only a dead process that had our pid can have left this name.
  await removeIfThere(tmp).catch(() => undefined);
  try {
    await writeFile(tmp, renderLock({ ...me, files: [] }), { flag: "wx", mode: 0o644 });
    return await link(tmp, join(dir, LOCK_FILE_NAME)).then(() => true, (e: unknown) => {
      if (errno(e) === "EEXIST") return false;
      throw e;
    });
  } catch (e) {
    throw new V2vError(
      errno(e) === "ENOSPC" ? "NO_SPACE" : "OUTPUT",
      `-os ${dir}: cannot create ${LOCK_FILE_NAME} (${(e as Error).message}); make -os a writable directory with free space`,
      { cause: e },
    );
  } finally {
    await removeIfThere(tmp).catch(() => undefined);
  }
}

/** Remove a dead run's files and lock; returns the files that were there. */
async function clearStale(dir: string, lock: LockContent, text: string): Promise<string[]> {
  // Someone else may have cleared it and locked the directory since we read it.
  const again = await readFile(join(dir, LOCK_FILE_NAME), "utf8").catch(() => undefined);
  if (again !== text) return [];
  const removed: string[] = [];
  for (const f of staleFilesToRemove(dir, lock)) {
    // A run only creates plain files (and nothing else may be removed on a lock's word).
    const st = await lstat(f).catch(() => undefined);
    if (st && (st.isFile() || st.isSymbolicLink()) && (await removeIfThere(f))) removed.push(f);
  }
  await removeIfThere(join(dir, LOCK_FILE_NAME));
  return removed;
}

/**
 * Lock -os DIR for this run. A lock whose owner still runs is refused (OUTPUT); one whose owner
 * is gone is stale: its files are removed, with a warning, and the directory is locked.
 */
export async function acquireOutputLock(storage: string, reporter: Reporter): Promise<OutputLock> {
  const dir = resolve(storage);
  const me = await selfIdentity();
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await tryCreate(dir, me)) {
      const lock = new OutputLock(dir, me);
      held.set(dir, lock);
      return lock;
    }
    const text = await readFile(join(dir, LOCK_FILE_NAME), "utf8").catch(() => undefined);
    if (text === undefined) continue; // released meanwhile: try again
    const old = parseLock(text);
    if (!old) {
      throw new V2vError("OUTPUT", `-os ${dir}: ${LOCK_FILE_NAME} is not a v2v lock this version can read; if no v2v run uses -os ${dir}, remove ${join(dir, LOCK_FILE_NAME)}`);
    }
    if (await isRunning(old)) throw inUse(dir, old.pid);
    const removed = await clearStale(dir, old, text);
    reporter.warning(
      `-os ${dir}: removed the stale lock of v2v run pid ${old.pid}, which is no longer running` +
        (removed.length > 0 ? `, and the ${removed.length} file(s) it left: ${removed.map((f) => basename(f)).join(", ")}` : ""),
    );
  }
  throw new V2vError("OUTPUT", `-os ${dir}: could not lock it: other v2v runs keep locking it; wait for them or choose another -os`);
}
