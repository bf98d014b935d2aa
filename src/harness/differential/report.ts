// Pure: the differential report (markdown) and the exit decision of `npm run differential`.
import type { ExplainedRow } from "./explain.js";

export interface GuestResult {
  readonly guest: string;
  readonly rows: readonly ExplainedRow[];
  /** Stage name -> seconds ("ours: convert", "virt-v2v 2.2: convert", "collect source" …). */
  readonly seconds: ReadonlyArray<readonly [string, number]>;
  /** Set when this guest could not be compared (a conversion failed); the text says why. */
  readonly failure?: string;
}

export interface Summary {
  readonly rows: number;
  readonly explained: number;
  readonly unexplained: number;
  readonly bootCriticalUnexplained: number;
  readonly failedGuests: number;
}

export function summarise(results: readonly GuestResult[]): Summary {
  const rows = results.flatMap((r) => r.rows);
  const unexplained = rows.filter((r) => !r.explanation.explained);
  return {
    rows: rows.length,
    explained: rows.length - unexplained.length,
    unexplained: unexplained.length,
    bootCriticalUnexplained: unexplained.filter((r) => r.bootCritical).length,
    failedGuests: results.filter((r) => r.failure !== undefined).length,
  };
}

/** The one summary line. */
export function summaryLine(s: Summary): string {
  const failed = s.failedGuests > 0 ? `, ${s.failedGuests} guest(s) not compared` : "";
  return `${s.rows} differences: ${s.explained} explained, ${s.unexplained} unexplained${failed}; boot-critical unexplained: ${s.bootCriticalUnexplained}`;
}

/** 1 when a boot-critical difference is unexplained or a guest could not be compared, else 0. */
export function exitDecision(s: Summary): 0 | 1 {
  return s.bootCriticalUnexplained > 0 || s.failedGuests > 0 ? 1 : 0;
}

/** Table cells: no pipes or newlines, long text cut. */
export function cell(s: string, max = 160): string {
  const t = s.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function why(r: ExplainedRow): string {
  const tag = r.bootCritical ? "**boot-critical** " : "";
  return r.explanation.explained ? `${tag}explained (${r.explanation.id}): ${r.explanation.reason}` : `${tag}**UNEXPLAINED**`;
}

/** The whole report: per guest, the seconds and the table; the summary line last. */
export function renderReport(results: readonly GuestResult[], header = "# Differential: our Windows conversion vs virt-v2v 2.2"): string {
  const out: string[] = [header, ""];
  for (const g of results) {
    out.push(`## ${g.guest}`, "");
    if (g.seconds.length > 0) {
      out.push("| stage | seconds |", "|---|---|");
      for (const [stage, s] of g.seconds) out.push(`| ${cell(stage)} | ${s.toFixed(1)} |`);
      out.push("");
    }
    if (g.failure !== undefined) {
      out.push(`Not compared: ${cell(g.failure, 1000)}`, "");
      continue;
    }
    if (g.rows.length === 0) {
      out.push("No differences.", "");
      continue;
    }
    // Unexplained and boot-critical rows first, so the ones that matter are on top.
    const rank = (r: ExplainedRow): number => (r.explanation.explained ? 2 : 0) + (r.bootCritical ? 0 : 1);
    const rows = [...g.rows].sort((a, b) => rank(a) - rank(b));
    out.push("| area | key | ours | theirs | why |", "|---|---|---|---|---|");
    for (const r of rows) out.push(`| ${r.area} | ${cell(r.key)} | ${cell(r.ours)} | ${cell(r.theirs)} | ${cell(why(r), 400)} |`);
    out.push("");
  }
  out.push(summaryLine(summarise(results)), "");
  return out.join("\n");
}
