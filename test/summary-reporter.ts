import type { Reporter, TestModule } from "vitest/node";

/**
 * Prints the plain closing line CI reads ("Tests: N passed, N failed, N skipped"), next to vitest's own summary.
 * Unhandled errors fail the run even when every test passed, so the line names them too.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown> = []): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const m of testModules) {
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
      // a file that failed outside its tests (an import, a beforeAll) shows its tests as skipped: count the file
      if (m.state() === "failed" && ![...m.children.allTests()].some((t) => t.result().state === "failed")) failed++;
    }
    const errors = unhandledErrors.length ? `, ${unhandledErrors.length} unhandled error${unhandledErrors.length === 1 ? "" : "s"} (the run fails)` : "";
    process.stdout.write(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped${errors}\n`);
  }
}
