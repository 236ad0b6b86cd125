/**
 * Mutation testing of the security core (`npm run test:mutation`): Stryker changes one check at a
 * time (a `>` into `>=`, a regex anchor dropped, a condition forced to `true`) and runs the unit
 * tests of that file against it; a mutant that no test notices ("survived") is a check the tests
 * do not guard. Incremental: a rerun only tests mutants whose code or tests changed since the last
 * run (reports/stryker-incremental.json). The HTML report goes to reports/mutation/.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts" },
  coverageAnalysis: "perTest",
  mutate: [
    "lib/resource-server/verify.ts",
    "lib/resource-server/bearer.ts",
    "lib/resource-server/claims.ts",
    "lib/resource-server/errors.ts",
    "lib/resource-server/dpop.ts",
    "lib/backchannel/logout-token.ts",
    "lib/backchannel/logout.ts",
    "lib/auth/return-path.ts",
    "lib/admin/change.ts",
    "lib/http/same-origin.ts",
  ],
  // The machine is small and shared: two test processes at most.
  concurrency: 2,
  incremental: true,
  incrementalFile: "reports/stryker-incremental.json",
  reporters: ["clear-text", "progress", "html"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  thresholds: { high: 95, low: 90, break: 90 },
  // The sandbox needs the sources and tests, not the build output or the browser tests.
  ignorePatterns: [".next", "e2e", "bench", "docs", "test-results", "playwright-report", "reports", ".ci/.node"],
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
};
