// Collects the changes and warnings of a conversion while telling the user about each one.
import type { Reporter } from "../model/messages.js";

export class StepLog {
  readonly changes: string[] = [];
  readonly warnings: string[] = [];
  constructor(private readonly reporter: Reporter) {}

  /** Something was changed in the guest (shown with -v, kept for the json output). */
  change(text: string): void {
    this.changes.push(text);
    this.reporter.info(text);
  }

  /** Conversion carries on, but the user should know. */
  warn(text: string): void {
    this.warnings.push(text);
    this.reporter.warning(text);
  }

  /** Worth showing with -v, but not a change. */
  note(text: string): void {
    this.reporter.info(text);
  }
}
