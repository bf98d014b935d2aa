// Reporters the CLI hands to the pipeline: virt-v2v-style text lines, or JSON lines for --machine-readable.
import { V2vError } from "../pipeline/errors.js";
import type { MessageType, Reporter } from "../pipeline/messages.js";

/** Anything with write(): process.stdout, process.stderr, or a test buffer. */
export interface TextSink {
  write(text: string): unknown;
}

/** A clock in milliseconds since the epoch; tests pass a fake one. */
export type Clock = () => number;

/** "[  12.3] Copying disk 1/1": elapsed seconds, one decimal, right-aligned in 6 columns. */
export function formatStageLine(elapsedSeconds: number, text: string): string {
  return `[${elapsedSeconds.toFixed(1).padStart(6)}] ${text}`;
}

/** ISO 8601 in local time with the UTC offset, e.g. "2024-05-01T14:03:07.120+02:00". */
export function formatTimestamp(date: Date): string {
  const pad = (n: number, w = 2): string => String(n).padStart(w, "0");
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const abs = Math.abs(offset);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const BAR_WIDTH = 40;

/** "[################------------------------]  40%" for a whole percentage 0..100. */
export function renderProgressBar(percent: number): string {
  const filled = Math.round((percent / 100) * BAR_WIDTH);
  return `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${String(percent).padStart(3)}%`;
}

const clampPercent = (p: number): number => Math.floor(Math.min(100, Math.max(0, Number.isFinite(p) ? p : 0)));

export interface TextReporterOptions {
  /** -q: no stage lines and no progress; warnings still print. */
  readonly quiet: boolean;
  /** -v: info lines, and progress lines every 10% when stdout is not a terminal. */
  readonly verbose: boolean;
  /** stdout is a terminal: progress is one bar redrawn in place with "\r". */
  readonly isTTY: boolean;
  readonly now?: Clock;
}

/** Human output: stage lines and progress on stdout, warnings on stderr. */
export class TextReporter implements Reporter {
  private readonly now: Clock;
  private readonly start: number;
  /** Whole percent last shown for the current progress run; undefined before the first. */
  private lastShown: number | undefined;
  /** A bar is drawn on the current line and has no newline yet. */
  private barOpen = false;

  constructor(private readonly out: TextSink, private readonly err: TextSink, private readonly opts: TextReporterOptions) {
    this.now = opts.now ?? Date.now;
    this.start = this.now();
  }

  elapsedSeconds(): number {
    return (this.now() - this.start) / 1000;
  }

  stage(text: string): void {
    if (this.opts.quiet) return;
    this.closeBar();
    this.out.write(`${formatStageLine(this.elapsedSeconds(), text)}\n`);
  }

  info(text: string): void {
    if (!this.opts.verbose) return;
    this.closeBar();
    this.out.write(`v2v: info: ${text}\n`);
  }

  warning(text: string): void {
    // stdout and stderr often share the terminal: end the bar so the warning gets its own line.
    this.closeBar();
    this.err.write(`v2v: warning: ${text}\n`);
  }

  progress(percent: number): void {
    if (this.opts.quiet) return;
    if (!this.opts.isTTY && !this.opts.verbose) return;
    let pct = clampPercent(percent);
    if (!this.opts.isTTY) pct -= pct % 10;
    // Going backwards means a new step (the next disk) started its own progress run.
    if (this.lastShown !== undefined && pct < this.lastShown) {
      this.closeBar();
      this.lastShown = undefined;
    }
    if (pct === this.lastShown) return;
    this.lastShown = pct;
    if (!this.opts.isTTY) {
      this.out.write(`progress: ${pct}%\n`);
      return;
    }
    this.out.write(`\r${renderProgressBar(pct)}`);
    this.barOpen = true;
    if (pct === 100) this.closeBar();
  }

  private closeBar(): void {
    if (!this.barOpen) return;
    this.out.write("\n");
    this.barOpen = false;
  }
}

export interface JsonReporterOptions {
  /** -v: emit "info" objects too. */
  readonly verbose: boolean;
  readonly now?: Clock;
}

/** The JSON object of one message, as virt-v2v's --machine-readable writes it. */
export function formatJsonMessage(type: MessageType, message: string, date: Date): string {
  return JSON.stringify({ message, timestamp: formatTimestamp(date), type });
}

/** --machine-readable: one JSON object per line on stdout, nothing else. */
export class JsonReporter implements Reporter {
  private readonly now: Clock;
  private readonly start: number;
  private lastPercent: number | undefined;

  constructor(private readonly out: TextSink, private readonly opts: JsonReporterOptions) {
    this.now = opts.now ?? Date.now;
    this.start = this.now();
  }

  elapsedSeconds(): number {
    return (this.now() - this.start) / 1000;
  }

  stage(text: string): void { this.emit("message", text); }
  warning(text: string): void { this.emit("warning", text); }
  info(text: string): void {
    if (this.opts.verbose) this.emit("info", text);
  }

  /** Emitted only when the whole percentage changes, so a fast copy does not flood the reader. */
  progress(percent: number): void {
    const pct = clampPercent(percent);
    if (pct === this.lastPercent) return;
    this.lastPercent = pct;
    const line = JSON.stringify({ type: "progress", percent: pct, timestamp: formatTimestamp(new Date(this.now())) });
    this.out.write(`${line}\n`);
  }

  private emit(type: MessageType, text: string): void {
    this.out.write(`${formatJsonMessage(type, text, new Date(this.now()))}\n`);
  }
}

export const BUG_HINT = "If reporting bugs, run v2v with debugging enabled (-v -x) and include the complete output.";

export interface FormatErrorOptions {
  readonly machineReadable: boolean;
  /** -v: add the cause, or the stack of an unexpected (non-V2vError) exception. */
  readonly verbose?: boolean;
  readonly now?: Clock;
}

/**
 * What the CLI prints for an error that ends the run: `stderr` always, and `stdout` (one JSON
 * "error" object) with --machine-readable, else "". Command-line mistakes and interruptions get
 * no bug-report hint: they are not bugs.
 */
export function formatError(e: unknown, opts: FormatErrorOptions): { stderr: string; stdout: string } {
  const message = e instanceof Error ? e.message : String(e);
  let stderr = `v2v: error: ${message}\n`;
  if (opts.verbose) {
    if (e instanceof V2vError && e.cause !== undefined) {
      stderr += `cause: ${e.cause instanceof Error ? e.cause.message : String(e.cause)}\n`;
    } else if (!(e instanceof V2vError) && e instanceof Error && e.stack !== undefined) {
      stderr += `${e.stack}\n`;
    }
  }
  const code = e instanceof V2vError ? e.code : undefined;
  if (code !== "BAD_OPTION" && code !== "INTERRUPTED") stderr += `\n${BUG_HINT}\n`;
  const stdout = opts.machineReadable
    ? `${formatJsonMessage("error", message, new Date((opts.now ?? Date.now)()))}\n`
    : "";
  return { stderr, stdout };
}
