import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { processAlive } from "../../src/util/process-alive.js";
import { leftTempDirs, TEMP_PREFIX } from "../helpers/temp-dir.js";

/**
 * vitest globalSetup: the run gets a temp dir of its own (TMPDIR, inherited by the workers and every CLI they spawn),
 * and fails if it holds a `mesos-lab-*` folder at the end. A private dir rather than a before/after diff of the
 * shared one, because other runs on the same machine create and remove their own `mesos-lab-*` folders meanwhile.
 */
const RUN_PREFIX = `${TEMP_PREFIX}run-`;
const OWNER = ".vitest-pid";
let runDir: string | undefined;

export function setup(): void {
  sweepEndedRuns(os.tmpdir());
  const dir = mkdtempSync(path.join(os.tmpdir(), RUN_PREFIX));
  writeFileSync(path.join(dir, OWNER), String(process.pid));
  runDir = dir;
  process.env.TMPDIR = dir;
  // and a start memo of its own (src/util/memo.ts): the CLIs a run spawns keep nothing in the user's ~/.cache
  process.env.XDG_CACHE_HOME = path.join(dir, "cache");
  // and a state folder of its own: progress and verdicts of the labs the run makes, in process or in a spawned CLI,
  // stay out of the user's ~/.local/state (646 temp labs' verdicts had piled up there)
  process.env.XDG_STATE_HOME = path.join(dir, "state");
  // vitest exits on SIGINT/SIGTERM without a teardown: what an interrupted run leaves is no leak
  process.once("exit", () => removeIfInterrupted(dir));
}

/** Removes the run's dir when the run ended without its teardown. */
export function removeIfInterrupted(dir: string): void {
  if (runDir !== dir) return;
  runDir = undefined;
  removeRunDir(dir);
}

export function teardown(): void {
  const dir = runDir;
  runDir = undefined;
  if (!dir) return;
  const left = leftTempDirs(dir);
  if (!left.length) {
    removeRunDir(dir);
    return;
  }
  process.stderr.write(
    `\nTemp folders left behind (the run fails): ${left.length} in ${dir}: ${left.join(", ")}\n` +
      `Fix: create them with tempDir() from test/helpers/temp-dir.ts, or remove them in the test's afterAll/afterEach. ${dir} stays until the next test run, to look at.\n`,
  );
  process.exitCode = 1;
}

/**
 * Earlier runs' dirs whose vitest is gone: a failed run's, kept to look at, and an interrupted run's, whose workers
 * or CLIs were still writing when it exited.
 */
export function sweepEndedRuns(tmp: string): void {
  for (const name of readdirSync(tmp)) {
    if (!name.startsWith(RUN_PREFIX)) continue;
    const dir = path.join(tmp, name);
    let pid = 0;
    try {
      pid = Number(readFileSync(path.join(dir, OWNER), "utf8"));
    } catch {
      continue; // not made by this setup, or being made right now
    }
    if (!(pid > 0 && processAlive(pid))) removeRunDir(dir);
  }
}

function removeRunDir(dir: string): void {
  // a build that died with something mounted below (debootstrap mounts /proc and /sys) must not be removed through it
  const mounts = readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[1] ?? "");
  if (mounts.some((m) => m.startsWith(dir + path.sep))) return;
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}
