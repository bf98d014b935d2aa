// The conversion matrix: one test per cell of matrices/$V2V_MATRIX.yaml (default smoke), narrowed by
// $V2V_FILTER (a regex on cell names) and $V2V_SHARD (i/n). Each test converts a reference guest
// with the real CLI, checks the result statically, boots it, and writes reports/cells/<cell>.json.
// Run through `npm run matrix`, which also renders reports/matrix.md and the Allure report.
import { mkdirSync, writeFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import * as allure from "allure-js-commons";
import { describe, test } from "vitest";
import { cellFileStem, skippedCell, type CellResult } from "../../src/harness/matrix/cell-result.js";
import { filterCells, loadMatrix, parseShard, selectShard } from "../../src/harness/matrix/load.js";
import type { MatrixCell } from "../../src/harness/matrix/schema.js";
import { defaultCellPaths, runCell, type CellHooks } from "../../src/harness/matrix/run-cell.js";
import { projectRoot } from "../../src/harness/project-root.js";
import { cellEndLine, cellStartLine } from "../../src/harness/report/cell-lines.js";

const env = process.env;
const matrixName = env["V2V_MATRIX"] || "smoke";
const matrix = await loadMatrix(matrixName, projectRoot());
const filtered = filterCells(matrix.cells, env["V2V_FILTER"]);
const shard = env["V2V_SHARD"] ? parseShard(env["V2V_SHARD"]) : undefined;
const cells = selectShard(filtered, shard);
const jobs = Math.max(1, Number(env["V2V_JOBS"] ?? "1") || 1);
const cellsDir = join(env["V2V_REPORTS_DIR"] || join(projectRoot(), "reports"), "cells");

function writeCellResult(r: CellResult): string {
  mkdirSync(cellsDir, { recursive: true });
  const path = join(cellsDir, `${cellFileStem(r.name)}.json`);
  writeFileSync(path, `${JSON.stringify(r, null, 2)}\n`);
  return path;
}

/** Attach a file to the Allure result, with a type from its name. */
async function attachFile(path: string): Promise<void> {
  const name = path.split("/").pop() ?? path;
  const type = name.endsWith(".xml") ? "application/xml" : name.endsWith(".json") || name.endsWith(".jsonl") ? "application/json" : "text/plain";
  await allure.attachmentPath(name, isAbsolute(path) ? path : join(projectRoot(), path), type);
}

/** One line on stderr (vitest passes it through at once), so a long run shows where it is. */
const say = (line: string): void => void process.stderr.write(`matrix: ${line}\n`);

async function runAndReport(cell: MatrixCell, index: number): Promise<void> {
  say(cellStartLine(cell.name, index, cells.length));
  await allure.suite(cell.guest);
  await allure.subSuite(`i-${cell.input}/o-${cell.output}`);
  await allure.parameter("guest", cell.guest);
  await allure.parameter("input", cell.input);
  await allure.parameter("output", cell.output);
  if (cell.options.length > 0) await allure.parameter("options", cell.options.join(" "));
  await allure.description(`Defined at ${cell.origin}. Expects: ${JSON.stringify(cell.expect)}; negative control: ${cell.negativeControl}.`);

  const hooks: CellHooks = {
    // Each stage becomes an Allure step named with its duration.
    step: (name, body) => allure.step(name, async (ctx) => {
      const t0 = Date.now();
      try {
        return await body();
      } finally {
        await ctx.displayName(`${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      }
    }),
    progress: (message) => {
      say(`    ${message}`);
      void allure.logStep(message);
    },
  };
  let result = await runCell(cell, defaultCellPaths(cell.name), hooks);
  if (result.status === "broken") {
    // Infrastructure trouble, not the product: run the cell once more, and say so everywhere.
    const first = result;
    const note = `${cell.name}: ${first.reason ?? "BROKEN"}; running the cell once more`;
    say(note);
    await allure.logStep(note, allure.Status.BROKEN);
    result = { ...(await runCell(cell, defaultCellPaths(cell.name), hooks)), retriedAfter: { reason: first.reason ?? "BROKEN", seconds: first.seconds } };
  }
  say(cellEndLine(result, index, cells.length));
  const recordPath = writeCellResult(result);
  if (result.proof) {
    await allure.parameter("proof", result.proof);
    await allure.label("tag", `proof:${result.proof}`);
  }
  for (const c of result.checks) await allure.logStep(`${c.ok ? "ok" : "FAILED"}: ${c.name}: ${c.detail}`, c.ok ? allure.Status.PASSED : allure.Status.FAILED);
  for (const f of [...result.files, ...result.serialLogs]) await attachFile(f);
  await allure.attachmentPath("cell result", recordPath, "application/json");
  if (result.status !== "pass") throw new Error(`${cell.name}: ${result.reason ?? "failed"}`);
}

describe(`matrix ${matrixName}${shard ? ` shard ${shard.index}/${shard.count}` : ""}`, () => {
  if (filtered.length === 0) {
    test(`V2V_FILTER selects cells of ${matrix.file}`, () => {
      throw new Error(`V2V_FILTER="${env["V2V_FILTER"]}" matches none of the ${matrix.cells.length} cells of ${matrix.file}; check the regex against the cell names`);
    });
    return;
  }
  if (cells.length === 0) {
    test.skip(`shard ${shard?.index}/${shard?.count} holds none of the ${filtered.length} selected cells`, () => undefined);
    return;
  }
  const run = jobs > 1 ? test.concurrent : test;
  for (const cell of cells) {
    if (cell.skip) {
      // Recorded now, at collection, because a skipped test's body never runs: no skip is silent.
      writeCellResult(skippedCell(cell, cell.skip, new Date()));
      test.skip(`${cell.name} [skipped: ${cell.skip}]`, () => undefined);
      continue;
    }
    const index = cells.indexOf(cell) + 1;
    run(cell.name, () => runAndReport(cell, index));
  }
});
