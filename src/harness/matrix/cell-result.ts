// The record one matrix cell leaves in reports/cells/<file>.json, and how it is named and read
// back. The report is rendered from these files only, so shards can be merged by copying them.
import { z } from "zod";
import type { BootResult } from "../boot/boot.js";

const checkSchema = z.object({ name: z.string(), ok: z.boolean(), detail: z.string() });

const bootSchema = z.object({
  outcome: z.enum(["reported", "failed", "timeout"]),
  reportLine: z.string().optional(),
  failureLine: z.string().optional(),
  fields: z.record(z.string(), z.string()).optional(),
  seconds: z.number(),
  serialLogPath: z.string(),
});

export const cellResultSchema = z.object({
  name: z.string().min(1),
  guest: z.string(),
  input: z.string(),
  output: z.string(),
  /** "broken": failed on infrastructure trouble only (matrix/infrastructure.ts), not on the product. */
  status: z.enum(["pass", "fail", "skip", "broken"]),
  /** The cell was BROKEN once and run again: the first attempt's reason and seconds. */
  retriedAfter: z.object({ reason: z.string(), seconds: z.number() }).optional(),
  /**
   * What the cell's pass proves: "boot" (the converted guest booted on its target bus and the
   * unconverted one did not), "static" (read back, never booted: built Windows guests, -o null,
   * cells that skip the boot), "refusal" (the guest was refused as it must be).
   */
  proof: z.enum(["boot", "static", "refusal"]).optional(),
  /** Why it failed or was skipped; absent on pass. */
  reason: z.string().optional(),
  /** Harness stages in order ("image", "package", "convert", ...) -> seconds. */
  stageSeconds: z.record(z.string(), z.number()),
  /** The CLI's own stages, from --machine-readable. */
  cliStages: z.array(z.object({ message: z.string(), seconds: z.number() })),
  checks: z.array(checkSchema),
  bootReport: bootSchema.optional(),
  negativeControl: bootSchema.optional(),
  serialLogs: z.array(z.string()),
  /** Logs and metadata kept for the report (paths relative to the project root when inside it). */
  files: z.array(z.string()),
  startedAt: z.string(),
  seconds: z.number(),
});

export type CellResult = z.infer<typeof cellResultSchema>;
export type BootRecord = z.infer<typeof bootSchema>;

/** Pure: the record of a boot (the serial log's path as the report shows it is set by the caller). */
export const toRecord = (b: BootResult): BootRecord => ({
  outcome: b.outcome,
  ...(b.reportLine ? { reportLine: b.reportLine } : {}),
  ...(b.failureLine ? { failureLine: b.failureLine } : {}),
  ...(b.report ? { fields: { ...b.report.fields } } : {}),
  seconds: b.seconds,
  serialLogPath: b.serialLogPath,
});

/** "debian-12-bios/i-ova/o-local" -> "debian-12-bios__i-ova__o-local": flat, so a glob finds them all. */
export const cellFileStem = (name: string): string => name.replace(/\//g, "__");

/** Parse one cell file; throws a sentence naming the file and the first bad field. */
export function parseCellResult(text: string, file: string): CellResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not JSON (${(e as Error).message}); delete it or rerun the cell`);
  }
  const r = cellResultSchema.safeParse(data);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`${file}: ${i.path.join(".") || "the document"}: ${i.message}; delete it or rerun the cell`);
  }
  return r.data;
}

/** A skipped cell's record: written before the test runner skips it, so no skip is silent. */
export function skippedCell(c: { name: string; guest: string; input: string; output: string }, reason: string, now: Date): CellResult {
  return {
    name: c.name, guest: c.guest, input: c.input, output: c.output,
    status: "skip", reason, stageSeconds: {}, cliStages: [], checks: [], serialLogs: [], files: [],
    startedAt: now.toISOString(), seconds: 0,
  };
}
