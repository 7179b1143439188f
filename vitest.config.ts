import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // test/exclusive/ runs `reset --all`, which would remove the other files' running clusters: it runs alone
    // (LAB_EXCLUSIVE=1, second step of `npm test`)
    include: process.env.LAB_EXCLUSIVE ? ["test/exclusive/**/*.test.ts"] : ["test/**/*.test.ts", "test/**/*.test.tsx"],
    exclude: [...(process.env.LAB_E2E ? [] : ["test/e2e/**"]), ...(process.env.LAB_EXCLUSIVE ? [] : ["test/exclusive/**"])],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Docker-backed files share one engine; two at a time keeps a 2-core machine responsive
    maxWorkers: 2,
    reporters: ["default", "./test/summary-reporter.ts"],
  },
});
