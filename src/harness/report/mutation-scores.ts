// Pure: Stryker's JSON report (mutation-testing-elements schema, reports/mutation/mutation.json)
// summed per top folder ("src/inputs", "src/converters", ...), as `npm run mutate` prints it.

/** A mutant's status as Stryker writes it. */
export type MutantStatus = "Killed" | "Survived" | "NoCoverage" | "Timeout" | "CompileError" | "RuntimeError" | "Ignored" | "Pending";

/** The parts of the report this module reads. */
export interface MutationReport {
  readonly files: Readonly<Record<string, { readonly mutants: readonly { readonly status: MutantStatus }[] }>>;
}

export interface FolderScore {
  readonly folder: string;
  readonly killed: number;
  readonly timeout: number;
  readonly survived: number;
  readonly noCoverage: number;
  /** Ignored (static mutants, ignoreStatic), errors and pending: out of the score. */
  readonly notScored: number;
  /**
   * Stryker's mutation score: detected (killed + timed out) / (detected + survived + no coverage),
   * in percent; undefined when the folder has no scored mutant.
   */
  readonly scorePercent?: number;
}

/** The first `depth` segments of a report path ("src/inputs/image/vmdk.ts" -> "src/inputs"). */
export function folderOf(file: string, depth = 2): string {
  const parts = file.replace(/\\/g, "/").replace(/^\.\//, "").split("/");
  return parts.length <= depth ? parts.slice(0, -1).join("/") || "." : parts.slice(0, depth).join("/");
}

function score(folder: string, statuses: readonly MutantStatus[]): FolderScore {
  const count = (s: MutantStatus): number => statuses.filter((x) => x === s).length;
  const killed = count("Killed");
  const timeout = count("Timeout");
  const survived = count("Survived");
  const noCoverage = count("NoCoverage");
  const scored = killed + timeout + survived + noCoverage;
  return {
    folder, killed, timeout, survived, noCoverage, notScored: statuses.length - scored,
    ...(scored > 0 ? { scorePercent: ((killed + timeout) / scored) * 100 } : {}),
  };
}

/** One row per top folder (sorted), then the total as "all". */
export function folderScores(report: MutationReport, depth = 2): FolderScore[] {
  const byFolder = new Map<string, MutantStatus[]>();
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const folder = folderOf(file, depth);
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), ...mutants.map((m) => m.status)]);
  }
  const rows = [...byFolder.keys()].sort().map((f) => score(f, byFolder.get(f)!));
  return [...rows, score("all", [...byFolder.values()].flat())];
}

/** A plain-text table: folder, score, and the counts behind it. */
export function renderFolderScores(rows: readonly FolderScore[]): string {
  const header = ["folder", "score %", "killed", "timeout", "survived", "no cov", "not scored"];
  const cells = rows.map((r) => [
    r.folder, r.scorePercent === undefined ? "n/a" : r.scorePercent.toFixed(2),
    String(r.killed), String(r.timeout), String(r.survived), String(r.noCoverage), String(r.notScored),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]): string => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n") + "\n";
}
