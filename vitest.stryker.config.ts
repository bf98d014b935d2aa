// The unit project of vitest.config.ts, alone, for Stryker (npm run mutate): Stryker's vitest
// runner takes a config file, not a project name, and the JUnit/Allure reporters of the main
// config would only slow every mutant run down. Same files as `--project unit`.
import { defineConfig } from "vitest/config";
import base from "./vitest.config.js";

const projects = (base.test?.projects ?? []) as readonly { test?: { name?: string; include?: string[]; testTimeout?: number } }[];
const unit = projects.find((p) => p.test?.name === "unit")?.test;
if (!unit?.include) throw new Error("vitest.config.ts has no 'unit' project with an include list");

/**
 * Instrumented code counts coverage per test and runs 2-3 times slower, more on a loaded machine
 * (a 1M-line manifest: 4 s -> 10 s; 100 000 OVF elements past 30 s once): test timeouts, and the
 * tests with a wall-clock budget (V2V_TEST_TIME_FACTOR), allow this many times longer.
 */
const TIME_FACTOR = 5;

export default defineConfig({
  test: {
    include: unit.include,
    testTimeout: (unit.testTimeout ?? 5000) * TIME_FACTOR,
    env: { V2V_TEST_TIME_FACTOR: String(TIME_FACTOR) },
  },
});
