// The build cache for reference guests: entries keyed by a sha256 of a recipe and the source of
// the code that builds it, built under an exclusive lock file, published by an atomic rename.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, open, readFile, rename, rm, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { V2vError } from "../../model/errors.js";
import { projectRoot } from "../project-root.js";

/** $V2V_CACHE_DIR, else /var/tmp/v2v-ts-cache (outside /tmp: entries are gigabytes and outlive reboots). */
export function cacheDir(): string {
  return process.env["V2V_CACHE_DIR"] || "/var/tmp/v2v-ts-cache";
}

/** JSON with object keys sorted at every level, so key order never changes a hash. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
}

/** Pure: sha256 hex of a recipe plus the texts of the code that turns it into an artefact. */
export function hashRecipe(recipe: unknown, sourceTexts: readonly string[]): string {
  const h = createHash("sha256");
  h.update(stableStringify(recipe));
  for (const text of sourceTexts) {
    h.update("\0");
    h.update(text);
  }
  return h.digest("hex");
}


/**
 * Texts of harness source files by path under src/harness without extension ("guests/build"): the
 * TypeScript source, so that vitest (running src/) and `npm run images` (running dist/) compute
 * the same key. Import lines and paths are left out: moving a module does not change what a guest is.
 */
export async function readHarnessSources(names: readonly string[]): Promise<string[]> {
  const root = projectRoot();
  return Promise.all(
    names.map(async (name) => {
      const ts = join(root, "src", "harness", `${name}.ts`);
      const js = join(root, "dist", "harness", `${name}.js`);
      const path = existsSync(ts) ? ts : js;
      // The text only, not the path: moving or renaming a module does not change what it builds.
      return withoutImports(await readFile(path, "utf8"));
    }),
  );
}

/** Pure: a module's text without its import statements (single- or multi-line). */
export function withoutImports(text: string): string {
  return text.replace(/^import\b[^;]*?\bfrom\s+"[^"]+";[ \t]*\n?/gm, "").replace(/^import\s+"[^"]+";[ \t]*\n?/gm, "");
}

/** Sha256 of a recipe and of the named harness modules' sources. */
export async function cacheKey(recipe: unknown, sourceModules: readonly string[]): Promise<string> {
  return hashRecipe(recipe, await readHarnessSources(sourceModules));
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
};

/** Pure: is the lock written as "pid host" held by a process that no longer exists? */
export function isStaleLock(content: string, thisHost: string, alive: (pid: number) => boolean): boolean {
  const [pidText, host] = content.trim().split(/\s+/);
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return true; // torn or empty: the writer died mid-write
  if (host !== undefined && host !== thisHost) return false; // another machine's lock: cannot tell, wait
  return !alive(pid);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Hold `lockPath` (created with O_EXCL, holding "pid hostname") while fn runs. A lock whose
 * process is gone is removed; a live one is waited for, up to waitMs.
 */
export async function withLock<T>(lockPath: string, fn: () => Promise<T>, waitMs = 6 * 60 * 60_000): Promise<T> {
  const deadline = Date.now() + waitMs;
  await mkdir(dirname(lockPath), { recursive: true });
  for (;;) {
    try {
      const fh = await open(lockPath, "wx");
      await fh.writeFile(`${process.pid} ${hostname()}\n`);
      await fh.close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const content = await readFile(lockPath, "utf8").catch(() => undefined);
    if (content === undefined) continue; // released between our open and read
    if (isStaleLock(content, hostname(), isAlive)) {
      // Only remove what we judged stale: another waiter may already have replaced it.
      const again = await readFile(lockPath, "utf8").catch(() => undefined);
      if (again === content) await unlink(lockPath).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new V2vError("COMMAND", `the cache lock ${lockPath} is held by process ${content.trim()}; wait for that build to finish, or remove the file if that process is not a builder`);
    }
    await sleep(1000);
  }
  try {
    return await fn();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

/** Where an entry lives: <cache>/<kind>/<name>-<first 16 hex of key>/. */
export function entryDir(kind: string, name: string, key: string): string {
  return join(cacheDir(), kind, `${name}-${key.slice(0, 16)}`);
}

/**
 * The directory of a cache entry, building it first when absent. `build` fills a private
 * temporary directory, which is renamed into place only when build succeeded, so a published
 * entry is always complete and parallel builders of the same key build it once.
 */
export async function ensureCached(
  kind: string,
  name: string,
  key: string,
  build: (tmpDir: string) => Promise<void>,
): Promise<{ dir: string; built: boolean }> {
  const dir = entryDir(kind, name, key);
  if (existsSync(dir)) return { dir, built: false };
  return withLock(`${dir}.lock`, async () => {
    if (existsSync(dir)) return { dir, built: false }; // another builder published it while we waited
    const tmp = `${dir}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    try {
      await build(tmp);
      await writeKeyFile(tmp, key);
      await rename(tmp, dir);
    } catch (e) {
      await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
      throw e;
    }
    return { dir, built: true };
  });
}

async function writeKeyFile(dir: string, key: string): Promise<void> {
  const fh = await open(join(dir, "KEY"), "w");
  await fh.writeFile(`${key}\n`);
  await fh.close();
}
