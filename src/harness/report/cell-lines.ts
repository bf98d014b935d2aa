// Pure: the lines `npm run matrix` prints as it goes, one when a cell starts and one when it
// ends (status, proof, seconds, and the stages that took them), so a run of many minutes is
// never silent. The summary table comes at the end (matrix-md.ts).
import type { CellResult } from "../matrix/cell-result.js";

const STAGES_SHOWN = ["image", "package", "convert", "static checks", "boot", "negative control"] as const;

/** "[2/4] START debian-12-bios/i-ova/o-local". */
export const cellStartLine = (name: string, index: number, total: number): string => `[${index}/${total}] START ${name}`;

/** "[2/4] PASS (boot) debian-12-bios/i-ova/o-local 312 s: convert 142, static checks 48, boot 72, negative control 44". */
export function cellEndLine(r: CellResult, index: number, total: number): string {
  const status = r.status.toUpperCase();
  const proof = r.status === "pass" && r.proof ? ` (${r.proof})` : "";
  const stages = STAGES_SHOWN.filter((s) => (r.stageSeconds[s] ?? 0) >= 0.5).map((s) => `${s} ${Math.round(r.stageSeconds[s]!)}`);
  const head = `[${index}/${total}] ${status}${proof} ${r.name} ${Math.round(r.seconds)} s${stages.length > 0 ? `: ${stages.join(", ")}` : ""}`;
  const again = r.retriedAfter ? " (2nd run)" : "";
  return r.status === "pass" ? `${head}${again}` : `${head}${again}\n    ${r.reason ?? "(no reason recorded)"}`;
}
