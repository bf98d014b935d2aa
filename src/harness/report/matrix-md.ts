// Pure: render cell results as reports/matrix.md: a guests x (input/output) table of PASS/FAIL/SKIP
// with seconds, stage timings, then one section per failed or skipped cell with its reason.
// Plain Markdown with padded columns, so it reads as well in a terminal as on GitHub.
import type { CellResult } from "../matrix/cell-result.js";

export interface ReportOptions {
  readonly title?: string;
  /** A line under the title (matrix name, shard, commit); omitted when undefined. */
  readonly subtitle?: string;
}

const STATUS_TEXT: Readonly<Record<CellResult["status"], string>> = { pass: "PASS", fail: "FAIL", skip: "SKIP", broken: "BROKEN" };

/** "debian-12-bios/i-ova/o-local/qcow2" -> column "i-ova/o-local/qcow2". */
const columnOf = (r: CellResult): string => r.name.slice(r.guest.length + 1);

const secs = (s: number | undefined): string => (s === undefined ? "-" : s >= 100 ? s.toFixed(0) : s.toFixed(1));

/** Rows padded to equal column widths, GitHub-flavoured. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length), 3));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

/** Distinct values in order of first appearance, after sorting `items` by `key`. */
const ordered = <T>(items: readonly T[], key: (t: T) => string): string[] => [...new Set(items.map(key))];

/** What "(boot)", "(static)" and "(refusal)" after a status mean. */
export const PROOF_LEGEND =
  "Proof: (boot) the converted guest booted on its target bus and its unconverted twin did not; " +
  "(static) the converted disk and metadata were read back, the guest was not booted (built Windows guests have no Windows kernel); " +
  "(refusal) the guest was refused in one line and nothing was written.";

function statusLine(results: readonly CellResult[]): string {
  const n = (s: CellResult["status"]): number => results.filter((r) => r.status === s).length;
  const broken = n("broken") > 0 ? `, ${n("broken")} broken (infrastructure, not the product)` : "";
  const retried = results.filter((r) => r.retriedAfter).length;
  const again = retried > 0 ? `; ${retried} run twice after infrastructure trouble` : "";
  return `${results.length} cell${results.length === 1 ? "" : "s"}: ${n("pass")} passed, ${n("fail")} failed${broken}, ${n("skip")} skipped${again}`;
}

function matrixTable(results: readonly CellResult[]): string {
  const columns = ordered([...results].sort((a, b) => columnOf(a).localeCompare(columnOf(b))), columnOf);
  const guests = ordered([...results].sort((a, b) => a.guest.localeCompare(b.guest)), (r) => r.guest);
  const byKey = new Map(results.map((r) => [`${r.guest} ${columnOf(r)}`, r]));
  const rows = guests.map((g) => [
    g,
    ...columns.map((c) => {
      const r = byKey.get(`${g} ${c}`);
      if (!r) return "";
      if (r.status === "skip") return "SKIP";
      const proof = r.proof && r.status !== "broken" ? ` (${r.proof})` : "";
      return `${STATUS_TEXT[r.status]}${proof} ${secs(r.seconds)}s${r.retriedAfter ? " (2nd run)" : ""}`;
    }),
  ]);
  return renderTable(["guest", ...columns], rows);
}

const STAGE_COLUMNS = ["image", "package", "convert", "static checks", "boot", "negative control"] as const;

function timingsTable(results: readonly CellResult[]): string {
  const ran = results.filter((r) => r.status !== "skip");
  const rows = ran.map((r) => [r.name, ...STAGE_COLUMNS.map((s) => secs(r.stageSeconds[s])), secs(r.seconds)]);
  return renderTable(["cell", ...STAGE_COLUMNS, "total"], rows);
}

function cellSection(r: CellResult): string {
  const said = r.status === "pass" ? "Passed at its second run." : r.reason ?? "(no reason recorded)";
  const lines = [`### ${r.name}: ${STATUS_TEXT[r.status]}`, "", said];
  if (r.retriedAfter) lines.push("", `First run (${secs(r.retriedAfter.seconds)} s): ${r.retriedAfter.reason}`);
  const failed = r.checks.filter((c) => !c.ok);
  if (failed.length > 0) {
    lines.push("", "Failed checks:", ...failed.map((c) => `- ${c.name}: ${c.detail}`));
  }
  const boots = [
    ...(r.bootReport ? [`Boot: ${r.bootReport.outcome} after ${secs(r.bootReport.seconds)} s${r.bootReport.failureLine ? ` (${r.bootReport.failureLine})` : ""}`] : []),
    ...(r.negativeControl ? [`Negative control: ${r.negativeControl.outcome} after ${secs(r.negativeControl.seconds)} s`] : []),
  ];
  // Separate paragraphs: a line right under a list would join its last item in Markdown.
  for (const b of boots) lines.push("", b);
  const logs = [...r.files, ...r.serialLogs];
  if (logs.length > 0) lines.push("", "Logs:", ...logs.map((f) => `- ${f}`));
  return lines.join("\n");
}

/** The whole report. Cells are sorted by name, so shard order never changes the text. */
export function renderMatrixReport(results: readonly CellResult[], o: ReportOptions = {}): string {
  const sorted = [...results].sort((a, b) => a.name.localeCompare(b.name));
  const out = [`# ${o.title ?? "v2v conversion matrix"}`, ""];
  if (o.subtitle) out.push(o.subtitle, "");
  if (sorted.length === 0) return [...out, "No cell results were found.", ""].join("\n");
  out.push(statusLine(sorted), "", matrixTable(sorted), "", PROOF_LEGEND, "");
  const ran = sorted.filter((r) => r.status !== "skip");
  if (ran.length > 0) out.push("## Stage timings (seconds)", "", timingsTable(sorted), "");
  // Cells that did not pass, then passes that needed a second run (so no retry is silent).
  const shown = [
    ...(["fail", "broken", "skip"] as const).flatMap((s) => sorted.filter((r) => r.status === s)),
    ...sorted.filter((r) => r.status === "pass" && r.retriedAfter),
  ];
  if (shown.length > 0) {
    out.push("## Failed, broken, skipped and retried cells", "");
    for (const r of shown) out.push(cellSection(r), "");
  }
  return out.join("\n");
}
