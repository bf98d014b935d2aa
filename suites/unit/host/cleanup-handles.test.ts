// Cleanup handles and runCleanups' bookkeeping: run once, dismiss, newest first, failures
// collected without stopping the others, late registrations. Each test loads a fresh copy of the
// module (its state is per process; cleanup.test.ts covers the stopping state with spawns and files).
import { beforeEach, expect, test, vi } from "vitest";

type CleanupModule = typeof import("../../../src/host/cleanup.js");
let m: CleanupModule;
beforeEach(async () => {
  vi.resetModules();
  m = await import("../../../src/host/cleanup.js");
});

test("nothing registered: no failures, and the process is stopping afterwards (not before)", async () => {
  expect(m.isShuttingDown()).toBe(false);
  expect(await m.runCleanups()).toEqual([]);
  expect(m.isShuttingDown()).toBe(true);
});

test("a handle's run() runs its remover once and unregisters it", async () => {
  const calls: string[] = [];
  const h = m.onCleanup("overlay", () => void calls.push("overlay"));
  await h.run();
  await h.run();
  expect(await m.runCleanups()).toEqual([]);
  expect(calls).toEqual(["overlay"]);
});

test("a dismissed remover never runs, through the handle or at the end", async () => {
  const calls: string[] = [];
  const kept = m.onCleanup("finished disk", () => void calls.push("kept"));
  m.onCleanup("temp", () => void calls.push("temp"));
  kept.dismiss();
  await kept.run();
  await m.runCleanups();
  expect(calls).toEqual(["temp"]);
});

test("removers run newest first; one that fails is reported as 'what: message' and the rest still run", async () => {
  const calls: string[] = [];
  m.onCleanup("work dir", () => void calls.push("work dir"));
  m.onCleanup("appliance", () => { calls.push("appliance"); throw new Error("kill: no such process"); });
  m.onCleanup("lock", async () => { calls.push("lock"); throw "EACCES"; });
  m.onCleanup("overlay", () => void calls.push("overlay"));
  expect(await m.runCleanups()).toEqual(["lock: EACCES", "appliance: kill: no such process"]);
  expect(calls).toEqual(["overlay", "lock", "appliance", "work dir"]);
});

test("a remover registered while the removers run (a stage still finishing) runs too", async () => {
  const calls: string[] = [];
  m.onCleanup("first", () => {
    calls.push("first");
    m.onCleanup("late", () => void calls.push("late"));
  });
  expect(await m.runCleanups()).toEqual([]);
  expect(calls).toEqual(["first", "late"]);
});

test("run() passes its remover's failure to the caller and still unregisters it", async () => {
  let n = 0;
  const h = m.onCleanup("socket dir", () => { n++; throw new Error("busy"); });
  await expect(h.run()).rejects.toThrow("busy");
  expect(await m.runCleanups()).toEqual([]);
  expect(n).toBe(1);
});

test("runCleanups waits for a remover the run started itself before returning", async () => {
  let done = false;
  const h = m.onCleanup("slow", async () => {
    await new Promise((r) => setTimeout(r, 100));
    done = true;
  });
  const started = h.run();
  await m.runCleanups();
  expect(done).toBe(true);
  await started;
});
