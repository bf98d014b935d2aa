// Four projects: unit (fast, fakes allowed), images (real libguestfs: build, convert, inspect),
// boot (real qemu in containers), reliability (hostile inputs, fuzzing, fault injection, against
// the real CLI). Select one with `vitest run --project unit`.
import { defineConfig } from "vitest/config";

const allure = ["allure-vitest/reporter", { resultsDir: "allure-results" }] as const;

export default defineConfig({
  test: {
    // One JUnit file per run: scripts/test.sh runs the projects one after another.
    reporters: ["default", ["junit", { outputFile: process.env["V2V_JUNIT"] ?? "reports/junit.xml" }], allure as never],
    setupFiles: ["allure-vitest/setup"],
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["suites/unit/**/*.test.ts"], testTimeout: 30_000 },
      },
      {
        extends: true,
        test: {
          name: "images",
          include: ["suites/images/**/*.test.ts"],
          testTimeout: 60 * 60_000,
          hookTimeout: 60 * 60_000,
          fileParallelism: false,
          maxWorkers: 1,
        },
      },
      {
        extends: true,
        test: {
          name: "boot",
          include: ["suites/boot/**/*.test.ts"],
          testTimeout: 60 * 60_000,
          hookTimeout: 60 * 60_000,
          fileParallelism: false,
          maxWorkers: 1,
        },
      },
      {
        extends: true,
        test: {
          name: "reliability",
          include: ["suites/reliability/**/*.test.ts"],
          testTimeout: 60 * 60_000,
          hookTimeout: 60 * 60_000,
          fileParallelism: false,
          maxWorkers: 1,
        },
      },
    ],
  },
});
