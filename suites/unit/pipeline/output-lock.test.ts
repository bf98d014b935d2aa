// -os DIR/.v2v.lock: created atomically with its owner, lists the run's files, refuses a live
// owner, clears a dead (or pid-reused) owner's files, and only those inside DIR.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { selfIdentity } from "../../../src/host/processes.js";
import { V2vError } from "../../../src/model/errors.js";
import { RecordingReporter } from "../../../src/model/messages.js";
import { createExclusive, publishFile } from "../../../src/outputs/common/output-files.js";
import {
  LOCK_FILE_NAME, acquireOutputLock, parseLock, renderLock, staleFilesToRemove,
} from "../../../src/outputs/common/output-lock.js";

let dir = "";
let outside = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "v2v-lock-"));
  outside = mkdtempSync(join(tmpdir(), "v2v-lock-outside-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const lockPath = (): string => join(dir, LOCK_FILE_NAME);
const readLock = () => parseLock(readFileSync(lockPath(), "utf8"));

async function errorOf(p: Promise<unknown>): Promise<V2vError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!(e instanceof V2vError)) throw new Error(`expected a V2vError, got ${String(e)}`);
  return e;
}

describe("pure parts", () => {
  test("renderLock / parseLock round-trip; anything else is not a lock", () => {
    const c = { pid: 12, startTime: 345, files: ["/o/g-sda.part"] };
    expect(renderLock(c)).toBe('{"pid":12,"startTime":345,"files":["/o/g-sda.part"]}\n');
    expect(parseLock(renderLock(c))).toEqual(c);
    for (const bad of ["", "{", "[]", '{"pid":0,"startTime":1,"files":[]}', '{"pid":1,"startTime":1,"files":[3]}', '{"pid":1,"files":[]}']) {
      expect(parseLock(bad)).toBeUndefined();
    }
  });

  test("staleFilesToRemove keeps only plain files directly inside DIR, never the lock", () => {
    const files = ["/o/g-sda.part", "/o/sub/x", "/etc/passwd", "/o/../etc/shadow", "relative", "/o/.v2v.lock", "/o/g.xml"];
    expect(staleFilesToRemove("/o", { pid: 7, startTime: 1, files })).toEqual(["/o/g-sda.part", "/o/g.xml", "/o/.v2v.lock.7.new"]);
  });
});

describe("acquireOutputLock", () => {
  test("creates DIR/.v2v.lock naming this process, records files before they are created, release keeps them", async () => {
    const me = await selfIdentity();
    const lock = await acquireOutputLock(dir, new RecordingReporter());
    expect(readLock()).toEqual({ ...me, files: [] });
    await createExclusive(join(dir, "g-sda.part"));
    await publishFile(join(dir, "g-sda.part"), join(dir, "g-sda"));
    expect(readLock()?.files).toEqual([join(dir, "g-sda.part"), join(dir, "g-sda")]);
    await lock.release();
    expect(existsSync(lockPath())).toBe(false);
    expect(existsSync(join(dir, "g-sda"))).toBe(true);
  });

  test("abandon removes exactly the files this run created, then the lock", async () => {
    writeFileSync(join(dir, "not-mine"), "x");
    const lock = await acquireOutputLock(dir, new RecordingReporter());
    await createExclusive(join(dir, "a.part"), "data");
    await expect(createExclusive(join(dir, "not-mine"))).rejects.toThrow(/not-mine appeared while v2v was writing/);
    expect(readLock()?.files).toEqual([join(dir, "a.part")]); // a refused name is taken back
    await lock.abandon();
    expect(existsSync(join(dir, "a.part"))).toBe(false);
    expect(existsSync(join(dir, "not-mine"))).toBe(true);
    expect(existsSync(lockPath())).toBe(false);
  });

  test("a live owner: refused with one line naming -os, the pid and the fix", async () => {
    const me = await selfIdentity();
    const lock = await acquireOutputLock(dir, new RecordingReporter());
    const e = await errorOf(acquireOutputLock(dir, new RecordingReporter()));
    expect(e.code).toBe("OUTPUT");
    expect(e.message).toBe(`-os ${dir} is in use by another v2v run (pid ${me.pid}); wait for it or choose another -os`);
    await lock.release();
  });

  test.each([
    ["a dead owner", async () => ({ pid: 99_999_999, startTime: 1 })],
    ["a reused pid (same pid, other start time)", async () => { const me = await selfIdentity(); return { pid: me.pid, startTime: me.startTime + 1 }; }],
  ])("%s: a stale lock; its files inside DIR are removed, nothing else, with a warning", async (_what, owner) => {
    const o = await owner();
    mkdirSync(join(dir, "sub"));
    writeFileSync(join(dir, "sub", "kept"), "");
    writeFileSync(join(outside, "victim"), "");
    writeFileSync(join(dir, "g-sda.part"), "");
    writeFileSync(join(dir, "unrelated"), "");
    symlinkSync(join(outside, "victim"), join(dir, "g.xml")); // removed as a link; its target stays
    const files = [join(dir, "g-sda.part"), join(dir, "g.xml"), join(dir, "gone"), join(dir, "sub", "kept"), join(outside, "victim"), join(dir, "sub")];
    writeFileSync(lockPath(), renderLock({ ...o, files }));
    const r = new RecordingReporter();
    const lock = await acquireOutputLock(dir, r);
    expect(r.lines).toEqual([{
      type: "warning",
      text: `-os ${dir}: removed the stale lock of v2v run pid ${o.pid}, which is no longer running, and the 2 file(s) it left: g-sda.part, g.xml`,
    }]);
    expect(existsSync(join(dir, "g-sda.part"))).toBe(false);
    expect(existsSync(join(dir, "unrelated"))).toBe(true);
    expect(existsSync(join(dir, "sub", "kept"))).toBe(true);
    expect(existsSync(join(outside, "victim"))).toBe(true);
    expect(readLock()?.pid).toBe(process.pid);
    await lock.release();
  });

  test("a lock this version cannot read is refused, naming the file to remove", async () => {
    writeFileSync(lockPath(), "garbage");
    const e = await errorOf(acquireOutputLock(dir, new RecordingReporter()));
    expect(e.message).toBe(`-os ${dir}: .v2v.lock is not a v2v lock this version can read; if no v2v run uses -os ${dir}, remove ${lockPath()}`);
  });

  test("a lock that is a symlink is not followed (refused as unreadable, or cleared as a link)", async () => {
    writeFileSync(join(outside, "target"), "precious");
    symlinkSync(join(outside, "target"), lockPath());
    await expect(acquireOutputLock(dir, new RecordingReporter())).rejects.toThrow(/not a v2v lock/);
    expect(readFileSync(join(outside, "target"), "utf8")).toBe("precious");
  });
});
