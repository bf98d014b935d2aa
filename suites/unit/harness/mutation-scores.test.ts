// The per-folder mutation score `npm run mutate` prints, from Stryker's JSON report.
import { expect, test } from "vitest";
import { folderOf, folderScores, renderFolderScores, type MutantStatus, type MutationReport } from "../../../src/harness/report/mutation-scores.js";

const file = (...statuses: MutantStatus[]) => ({ mutants: statuses.map((status) => ({ status })) });

test("files are grouped by their first two path segments", () => {
  expect(folderOf("src/inputs/image/vmdk.ts")).toBe("src/inputs");
  expect(folderOf("src/inputs/ova.ts")).toBe("src/inputs");
  expect(folderOf("./src/target/buses.ts")).toBe("src/target");
  expect(folderOf("src/cli.ts")).toBe("src");
  expect(folderOf("src/outputs/local/local.ts", 3)).toBe("src/outputs/local");
});

test("score: killed and timed out over killed, timed out, survived and uncovered; ignored and errors left out", () => {
  const report: MutationReport = {
    files: {
      "src/outputs/local/local.ts": file("Killed", "Killed", "Survived", "Ignored"),
      "src/inputs/ova.ts": file("Killed", "Timeout", "Survived", "NoCoverage", "CompileError"),
      "src/inputs/image/vmdk.ts": file("Killed", "Killed", "Killed", "Killed", "RuntimeError"),
      "src/target/meta.ts": file("Ignored"),
    },
  };
  expect(folderScores(report)).toEqual([
    { folder: "src/inputs", killed: 5, timeout: 1, survived: 1, noCoverage: 1, notScored: 2, scorePercent: 75 },
    { folder: "src/outputs", killed: 2, timeout: 0, survived: 1, noCoverage: 0, notScored: 1, scorePercent: (2 / 3) * 100 },
    { folder: "src/target", killed: 0, timeout: 0, survived: 0, noCoverage: 0, notScored: 1 },
    { folder: "all", killed: 7, timeout: 1, survived: 2, noCoverage: 1, notScored: 4, scorePercent: (8 / 11) * 100 },
  ]);
});

test("the table: one aligned row per folder, two decimals, n/a without scored mutants", () => {
  const text = renderFolderScores(folderScores({ files: { "src/inputs/ova.ts": file("Killed", "Survived", "Survived"), "src/target/meta.ts": file("Ignored") } }));
  expect(text).toBe([
    "folder      score %  killed  timeout  survived  no cov  not scored",
    "----------  -------  ------  -------  --------  ------  ----------",
    "src/inputs    33.33       1        0         2       0           0",
    "src/target      n/a       0        0         0       0           1",
    "all           33.33       1        0         2       0           1",
    "",
  ].join("\n"));
});
