// How stages talk to the user: stage lines "[  12.3] Copying disk 1/1", warnings, progress.
// Library code receives a Reporter; the CLI decides whether it prints text or JSON lines.

export type MessageType = "message" | "warning" | "info" | "error";

export interface Reporter {
  /** A stage line, printed as "[ elapsed] text" (or one JSON object with --machine-readable). */
  stage(text: string): void;
  /** An informational line shown with -v (e.g. what a converter changed). */
  info(text: string): void;
  /** "v2v: warning: ..." on stderr; conversion carries on. */
  warning(text: string): void;
  /** Progress of a long step, 0..100. Renders a bar on a TTY, JSON with --machine-readable. */
  progress(percent: number): void;
  /** Seconds since the run started. */
  elapsedSeconds(): number;
}

/** A Reporter that records everything; for unit tests and for library callers that want silence. */
export class RecordingReporter implements Reporter {
  readonly lines: { type: MessageType | "stage" | "progress"; text: string }[] = [];
  private readonly start = Date.now();
  stage(text: string): void { this.lines.push({ type: "stage", text }); }
  info(text: string): void { this.lines.push({ type: "info", text }); }
  warning(text: string): void { this.lines.push({ type: "warning", text }); }
  progress(percent: number): void { this.lines.push({ type: "progress", text: String(percent) }); }
  elapsedSeconds(): number { return (Date.now() - this.start) / 1000; }
}
