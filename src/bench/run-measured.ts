// Run a conversion command that prints --machine-readable JSON lines (ours or virt-v2v's), and
// measure it: seconds, disk bytes read and written per stage, and the peak memory of the process.
import { CommandError, runAllowFail, spawnDetached } from "../host/exec.js";
import { dropCaches, ioDelta, sampleIo, type IoSample } from "./io-counters.js";
import { watchPeakRss } from "./peak-rss.js";

export interface StageFigures {
  readonly stage: string;
  readonly seconds: number;
  readonly io: IoSample;
}

export interface Measured {
  readonly stages: readonly StageFigures[];
  readonly totalSeconds: number;
  readonly io: IoSample;
  readonly peakRssBytes: number;
  readonly exitCode: number;
  readonly stderrTail: string;
}

/** Pure: the stage text of one JSON line, when it is a stage message ("message" type). */
export function stageOf(line: string): string | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const j = JSON.parse(line) as { type?: string; message?: string };
    return j.type === "message" && typeof j.message === "string" ? j.message : undefined;
  } catch {
    return undefined;
  }
}

export async function runMeasured(argv: readonly string[], env: Record<string, string> = {}): Promise<Measured> {
  await dropCaches();
  const stages: { stage: string; t: number; io: IoSample }[] = [];
  const t0 = performance.now();
  const io0 = await sampleIo();
  let pending: Promise<void> = Promise.resolve();
  const child = spawnDetached(argv, {
    env,
    timeoutMs: 3 * 60 * 60 * 1000,
    onStdoutLine: (line) => {
      const s = stageOf(line);
      if (s === undefined) return;
      const t = performance.now();
      pending = pending.then(async () => void stages.push({ stage: s, t, io: await sampleIo() }));
    },
  });
  const rss = child.pid ? watchPeakRss(child.pid) : { stop: () => 0 };
  let exitCode = 0;
  let stderrTail = "";
  try {
    const r = await child;
    exitCode = r.exitCode ?? 1;
    stderrTail = String(r.stderr ?? "").split("\n").slice(-8).join("\n");
  } catch (e) {
    exitCode = e instanceof CommandError ? (e.exitCode ?? 1) : 1;
  }
  const peakRssBytes = rss.stop();
  await pending;
  const t1 = performance.now();
  // Writes still in the page cache belong to this run: flush them before the last sample.
  await runAllowFail(["sync"], { timeoutMs: 120_000 });
  const io1 = await sampleIo();
  const figures: StageFigures[] = stages.map((s, i) => {
    const next = stages[i + 1] ?? { t: t1, io: io1 };
    return { stage: s.stage, seconds: (next.t - s.t) / 1000, io: ioDelta(s.io, next.io) };
  });
  return { stages: figures, totalSeconds: (t1 - t0) / 1000, io: ioDelta(io0, io1), peakRssBytes, exitCode, stderrTail };
}
