// Reporters the CLI hands to the pipeline: virt-v2v-style text lines, or JSON lines for --machine-readable.
// Messages carry text from the guest and the OVF: every one is escaped (escapeForTerminal) before
// it is written, so it cannot move the cursor, recolour the terminal or forge a second line.
import { V2vError, type V2vErrorCode } from "../model/errors.js";
import type { MessageType, Reporter } from "../model/messages.js";
import { escapeForTerminal } from "../model/untrusted.js";

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
    this.out.write(`${formatStageLine(this.elapsedSeconds(), escapeForTerminal(text))}\n`);
  }

  info(text: string): void {
    if (!this.opts.verbose) return;
    this.closeBar();
    this.out.write(`v2v: info: ${escapeForTerminal(text)}\n`);
  }

  warning(text: string): void {
    // stdout and stderr often share the terminal: end the bar so the warning gets its own line.
    this.closeBar();
    this.err.write(`v2v: warning: ${escapeForTerminal(text)}\n`);
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

/**
 * The JSON object of one message, as virt-v2v's --machine-readable writes it. The message is
 * escaped like a text line: JSON.stringify alone leaves C1 controls and bidi overrides raw.
 */
export function formatJsonMessage(type: MessageType, message: string, date: Date): string {
  return JSON.stringify({ message: escapeForTerminal(message), timestamp: formatTimestamp(date), type });
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

/** Codes of failures v2v did not foresee (a tool failing in a way no check caught): worth a bug report. */
const INTERNAL_CODES: ReadonlySet<V2vErrorCode> = new Set<V2vErrorCode>(["GUESTFS", "COMMAND"]);

/** An exception that is not a V2vError, or a GUESTFS/COMMAND one: the only errors that get BUG_HINT. */
export const isInternalError = (e: unknown): boolean => !(e instanceof V2vError) || INTERNAL_CODES.has(e.code);

export interface FormatErrorOptions {
  readonly machineReadable: boolean;
  /** -v: add the rest of a multi-line message, the causes, or the stack of an unexpected exception. */
  readonly verbose?: boolean;
  readonly now?: Clock;
}

const textOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const linesOf = (text: string): string[] => text.split(/\r?\n/);

/** The first non-blank line of a message, and the lines after it. */
function splitMessage(message: string): { first: string; rest: string[] } {
  const lines = linesOf(message);
  const at = lines.findIndex((l) => l.trim() !== "");
  if (at === -1) return { first: "", rest: [] };
  return { first: lines[at]!, rest: lines.slice(at + 1).filter((l) => l.trim() !== "") };
}

/** -v details: the rest of the message, then each cause (at most 5 deep), or a stack; every line escaped. */
function detailLines(e: unknown, rest: readonly string[]): string[] {
  const out = [...rest];
  if (!(e instanceof V2vError)) {
    if (e instanceof Error && e.stack !== undefined) out.push(...linesOf(e.stack));
    return out.map(escapeForTerminal);
  }
  let cause: unknown = e.cause;
  for (let depth = 0; cause !== undefined && depth < 5; depth++) {
    const [head = "", ...more] = linesOf(textOf(cause));
    out.push(`cause: ${head}`, ...more);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return out.map(escapeForTerminal);
}

/**
 * What the CLI prints for an error that ends the run: `stderr` always, and `stdout` (one JSON
 * "error" object) with --machine-readable, else "". The error is one line, the message's first,
 * escaped; -v adds the other lines and the causes. BUG_HINT follows internal errors only
 * (isInternalError): a refused input, option or guest is not a bug.
 */
export function formatError(e: unknown, opts: FormatErrorOptions): { stderr: string; stdout: string } {
  const message = textOf(e);
  const { first, rest } = splitMessage(message);
  const line = escapeForTerminal(first);
  let stderr = `v2v: error: ${line}\n`;
  if (opts.verbose) stderr += detailLines(e, rest).map((l) => `${l}\n`).join("");
  if (isInternalError(e)) stderr += `\n${BUG_HINT}\n`;
  const stdout = opts.machineReadable
    ? `${formatJsonMessage("error", line, new Date((opts.now ?? Date.now)()))}\n`
    : "";
  return { stderr, stdout };
}
