import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { leftTempDirs, TEMP_PREFIX } from "../helpers/temp-dir.js";

/**
 * vitest globalSetup: the run gets a temp dir of its own (TMPDIR, inherited by the workers and every CLI they spawn),
 * and fails if it holds a `mesos-lab-*` folder at the end. A private dir rather than a before/after diff of the
 * shared one, because other runs on the same machine create and remove their own `mesos-lab-*` folders meanwhile.
 */
let runDir: string | undefined;

export function setup(): void {
  runDir = mkdtempSync(path.join(os.tmpdir(), `${TEMP_PREFIX}run-`));
  process.env.TMPDIR = runDir;
}

export function teardown(): void {
  if (!runDir) return;
  const left = leftTempDirs(runDir);
  if (!left.length) {
    rmSync(runDir, { recursive: true, force: true });
    return;
  }
  // kept, not removed, so the leftovers can be looked at
  process.stderr.write(
    `\nTemp folders left behind (the run fails): ${left.length} in ${runDir}: ${left.join(", ")}\n` +
      `Fix: create them with tempDir() from test/helpers/temp-dir.ts, or remove them in the test's afterAll/afterEach; then delete ${runDir}.\n`,
  );
  process.exitCode = 1;
}
