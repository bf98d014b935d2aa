// Wraps a Reporter to record how long each stage took: a stage lasts from its own stage line
// to the next one (or to finish()). The bench and the harness read these figures.
import type { Reporter } from "../model/messages.js";

export interface StageTiming {
  readonly stage: string;
  readonly seconds: number;
}

export class StageTimer implements Reporter {
  private readonly done: StageTiming[] = [];
  private current: { stage: string; startMs: number } | undefined;

  constructor(private readonly inner: Reporter, private readonly now: () => number = () => performance.now()) {}

  stage(text: string): void {
    this.close();
    this.current = { stage: text, startMs: this.now() };
    this.inner.stage(text);
  }
  info(text: string): void { this.inner.info(text); }
  warning(text: string): void { this.inner.warning(text); }
  progress(percent: number): void { this.inner.progress(percent); }
  elapsedSeconds(): number { return this.inner.elapsedSeconds(); }

  /** Close the running stage and return every stage's duration, in order. */
  finish(): readonly StageTiming[] {
    this.close();
    return this.done;
  }

  private close(): void {
    if (!this.current) return;
    this.done.push({ stage: this.current.stage, seconds: (this.now() - this.current.startMs) / 1000 });
    this.current = undefined;
  }
}
