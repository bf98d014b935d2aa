// Mutation testing of the conversion code (npm run mutate; issue 7, section 5): Stryker changes
// one operator, condition or constant at a time in src/inputs, src/converters, src/target and
// src/outputs, and runs the unit tests that cover it; a mutant the tests do not notice is a bug
// they would miss. Narrow the run with `npm run mutate -- --mutate 'src/inputs/**/*.ts'`; a run
// re-tests only what changed since the last one (incremental) unless given `--force`.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  // The unit project only (vitest.config.ts also holds the qemu-heavy images/boot/reliability suites).
  vitest: { configFile: "vitest.stryker.config.ts", related: true },
  coverageAnalysis: "perTest",
  // A mutant in a module-level constant ("static": the RT codes, the OVMF table, help text) needs
  // every test of every module that imports it re-run on a fresh load, hours on 2 cores for the
  // few hundred of them (464 on 2026-12-01). They are reported as ignored, and out of the score;
  // the behaviour they stand for is checked by tests that use the constants (e.g. floppy, CD-ROM
  // and DVD counts).
  ignoreStatic: true,
  mutate: [
    "src/inputs/**/*.ts",
    "src/converters/**/*.ts",
    "src/target/**/*.ts",
    "src/outputs/**/*.ts",
  ],
  // Two cores on the project's machines; `--concurrency 1` leaves one to other work.
  concurrency: 2,
  // Unit tests run qemu-img on small files; a loaded machine makes them slower, not wrong.
  timeoutMS: 10_000,
  incremental: true,
  incrementalFile: "reports/mutation/stryker-incremental.json",
  reporters: ["progress", "clear-text", "html", "json"],
  clearTextReporter: { reportMutants: false, reportTests: false, allowColor: false },
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 80, low: 60, break: null },
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
  // Not needed to run the unit tests, and large (test results, the build, reports).
  ignorePatterns: ["dist", "allure-results", "allure-report", "reports", "out", ".vitest-reports"],
};
