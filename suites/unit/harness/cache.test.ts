// The build cache: stable keys, the lock (one builder per key, stale locks broken) and atomic publish.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { run } from "../../../src/host/exec.js";
import { cacheKey, ensureCached, withoutImports, entryDir, hashRecipe, isStaleLock, stableStringify } from "../../../src/harness/guests/cache.js";

describe("keys", () => {
  test("stableStringify ignores key order and undefined members, at every depth", () => {
    expect(stableStringify({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).toBe(stableStringify({ a: { d: [1, { x: 1, y: 2 }] }, b: 1 }));
    expect(stableStringify({ a: [1, 2] })).not.toBe(stableStringify({ a: [2, 1] }));
  });

  test("hashRecipe changes with the recipe and with the builder's source, not with key order", () => {
    const h = hashRecipe({ name: "g", size: 4 }, ["src A"]);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRecipe({ size: 4, name: "g" }, ["src A"])).toBe(h);
    expect(hashRecipe({ name: "g", size: 5 }, ["src A"])).not.toBe(h);
    expect(hashRecipe({ name: "g", size: 4 }, ["src B"])).not.toBe(h);
    // Source texts are separated, so moving text between files changes the key.
    expect(hashRecipe({}, ["ab", "c"])).not.toBe(hashRecipe({}, ["a", "bc"]));
  });

  test("cacheKey reads the harness sources from the checkout (same key twice)", async () => {
    const a = await cacheKey({ x: 1 }, ["guests/cache"]);
    expect(await cacheKey({ x: 1 }, ["guests/cache"])).toBe(a);
    expect(await cacheKey({ x: 1 }, ["guests/cache", "guests/recipes"])).not.toBe(a);
  });
});

test("withoutImports drops single- and multi-line imports and keeps the code", () => {
  const text = 'import { a } from "./a.js";\nimport {\n  b,\n  c,\n} from "../b.js";\nimport "./side.js";\nconst x = 1; // import y from "z";\n';
  expect(withoutImports(text)).toBe('const x = 1; // import y from "z";\n');
});

describe("isStaleLock", () => {
  const alive = (pid: number): boolean => pid === 42;
  test("a live pid on this host holds the lock; a dead one does not", () => {
    expect(isStaleLock("42 node1\n", "node1", alive)).toBe(false);
    expect(isStaleLock("43 node1\n", "node1", alive)).toBe(true);
  });
  test("an empty or torn lock is stale; another host's lock is never judged stale", () => {
    expect(isStaleLock("", "node1", alive)).toBe(true);
    expect(isStaleLock("4x", "node1", alive)).toBe(true);
    expect(isStaleLock("43 node2", "node1", alive)).toBe(false);
  });
});

describe("ensureCached", () => {
  let dir: string;
  const saved = process.env["V2V_CACHE_DIR"];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "v2v-cache-test-"));
    process.env["V2V_CACHE_DIR"] = dir;
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env["V2V_CACHE_DIR"];
    else process.env["V2V_CACHE_DIR"] = saved;
  });

  test("parallel callers build once and all get the published entry", async () => {
    let builds = 0;
    const build = async (tmp: string): Promise<void> => {
      builds++;
      await new Promise((r) => setTimeout(r, 300));
      writeFileSync(join(tmp, "disk.raw"), "bytes");
    };
    const results = await Promise.all([1, 2, 3].map(() => ensureCached("guests", "g", "ab".repeat(32), build)));
    expect(builds).toBe(1);
    expect(results.filter((r) => r.built)).toHaveLength(1);
    expect(new Set(results.map((r) => r.dir)).size).toBe(1);
    expect(readFileSync(join(results[0]!.dir, "disk.raw"), "utf8")).toBe("bytes");
    expect(readFileSync(join(results[0]!.dir, "KEY"), "utf8").trim()).toBe("ab".repeat(32));
    expect(existsSync(`${results[0]!.dir}.lock`)).toBe(false);
  });

  test("a failed build publishes nothing and releases the lock", async () => {
    const key = "cd".repeat(32);
    await expect(ensureCached("guests", "g", key, async (tmp) => {
      writeFileSync(join(tmp, "half"), "x");
      throw new Error("debootstrap failed");
    })).rejects.toThrow("debootstrap failed");
    const target = entryDir("guests", "g", key);
    expect(existsSync(target)).toBe(false);
    expect(existsSync(`${target}.lock`)).toBe(false);
    const again = await ensureCached("guests", "g", key, async (tmp) => writeFileSync(join(tmp, "ok"), "y"));
    expect(again.built).toBe(true);
  });

  test("a lock left by a dead process is broken", async () => {
    const key = "ef".repeat(32);
    const target = entryDir("guests", "g", key);
    // A pid that surely exited: a finished child's.
    const { stdout } = await run(["sh", "-c", "echo $$"], { timeoutMs: 5000 });
    mkdirSync(join(dir, "guests"), { recursive: true });
    writeFileSync(`${target}.lock`, `${stdout.trim()} ${(await import("node:os")).hostname()}\n`);
    const r = await ensureCached("guests", "g", key, async (tmp) => writeFileSync(join(tmp, "ok"), "y"));
    expect(r.built).toBe(true);
  });
});
