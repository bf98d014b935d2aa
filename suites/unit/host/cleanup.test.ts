// runCleanups: newest first, waits for removers already running, and once it has started nothing
// new may be spawned or created. (Its own file: the stopping state is per process.)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { isShuttingDown, onCleanup, runCleanups } from "../../../src/host/cleanup.js";
import { run } from "../../../src/host/exec.js";
import { acquireOutputLock } from "../../../src/outputs/common/output-lock.js";
import { createExclusive } from "../../../src/outputs/common/output-files.js";
import { RecordingReporter } from "../../../src/model/messages.js";

test("removers run newest first, a half-run one is awaited, and then nothing new starts", async () => {
  const dir = mkdtempSync(join(tmpdir(), "v2v-cleanup-"));
  try {
    const lock = await acquireOutputLock(dir, new RecordingReporter());
    const order: string[] = [];
    onCleanup("first", () => void order.push("first"));
    onCleanup("second", () => void order.push("second"));
    const slow = onCleanup("slow", async () => {
      await new Promise((r) => setTimeout(r, 200));
      order.push("slow");
    });
    const started = slow.run(); // the run's own catch started it
    const failures = await runCleanups();
    await started;
    expect(failures).toEqual([]);
    expect(order).toEqual(["slow", "second", "first"]);
    expect(isShuttingDown()).toBe(true);
    await expect(run(["true"])).rejects.toThrow(/not started: v2v is stopping/);
    await expect(createExclusive(join(dir, "late.part"))).rejects.toThrow(/this v2v run is stopping/);
    await lock.abandon();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
