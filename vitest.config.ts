import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    exclude: process.env.LAB_E2E ? [] : ["test/e2e/**"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Docker-backed files share one engine; two at a time keeps a 2-core machine responsive
    maxWorkers: 2,
    reporters: ["default", "./test/summary-reporter.ts"],
  },
});
