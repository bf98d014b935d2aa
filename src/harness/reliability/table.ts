// The reliability report: one row per case (corpus or fault), and the table `npm run reliability` prints.

export interface ReliabilityRow {
  readonly case: string;
  readonly group: string;
  /** "exit 1: checksum ... does not match" */
  readonly expected: string;
  readonly got: string;
  /** Exit status and words as expected. */
  readonly handled: boolean;
  /** Nothing left behind (-os, temporary files, processes), source unchanged, no secret leaked. */
  readonly cleanupOk: boolean;
  readonly seconds: number;
  readonly detail: string;
}

const cut = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** A plain-text table and the totals; a row is mishandled when it is not handled or not clean. */
export function renderTable(rows: readonly ReliabilityRow[]): string {
  const head = ["case", "expected", "got", "cleanup ok", "s"];
  const body = rows.map((r) => [cut(r.case, 58), cut(r.expected, 40), cut(r.got, 60), r.cleanupOk ? "yes" : "NO", r.seconds.toFixed(1)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  const bad = rows.filter((r) => !r.handled || !r.cleanupOk);
  const skipped = rows.filter((r) => r.got.startsWith("skipped")).length;
  const out = [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line), ""];
  out.push(`${rows.length} cases: ${rows.length - bad.length - skipped} handled, ${bad.length} mishandled${skipped ? `, ${skipped} skipped (reason in the row)` : ""}`);
  for (const r of bad) out.push(`  MISHANDLED ${r.case}: ${r.detail}`);
  return `${out.join("\n")}\n`;
}
