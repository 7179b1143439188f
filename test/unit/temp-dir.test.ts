import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { leftTempDirs, removeTempDirs, tempDir } from "../helpers/temp-dir.js";
import * as privateTmpdir from "../setup/private-tmpdir.js";

describe("temp folders of a test run", () => {
  it("tempDir makes a mesos-lab-<purpose>-* folder in os.tmpdir() and removeTempDirs removes it with its content", () => {
    const dir = tempDir("probe");
    expect(path.dirname(dir)).toBe(os.tmpdir());
    expect(path.basename(dir)).toMatch(/^mesos-lab-probe-.{6}$/);
    mkdirSync(path.join(dir, "deep", "er"), { recursive: true });
    writeFileSync(path.join(dir, "deep", "er", "f"), "x");
    removeTempDirs();
    expect(existsSync(dir)).toBe(false);
  });

  it("leftTempDirs names mesos-lab-* folders only, not files or other folders", () => {
    const root = tempDir("root");
    mkdirSync(path.join(root, "mesos-lab-cli-abc"));
    mkdirSync(path.join(root, "other-dir"));
    writeFileSync(path.join(root, "mesos-lab-standin-1.lock"), "1");
    expect(leftTempDirs(root)).toEqual(["mesos-lab-cli-abc"]);
  });
});

describe("the run's private temp dir (vitest globalSetup)", () => {
  const saved = { tmpdir: process.env.TMPDIR, exitCode: process.exitCode };
  // process.env turns undefined into the string "undefined"
  const restoreTmpdir = () => (saved.tmpdir === undefined ? delete process.env.TMPDIR : (process.env.TMPDIR = saved.tmpdir));
  afterEach(() => {
    restoreTmpdir();
    process.exitCode = saved.exitCode;
    vi.restoreAllMocks();
  });

  it("fails the run and names the folder a test left behind, keeping it to look at", () => {
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    privateTmpdir.setup();
    const runDir = os.tmpdir();
    expect(path.basename(runDir)).toMatch(/^mesos-lab-run-/);
    mkdirSync(path.join(runDir, "mesos-lab-leak-xyz"));
    restoreTmpdir();
    privateTmpdir.teardown();
    expect(process.exitCode).toBe(1);
    expect(stderr.mock.calls.join("")).toContain(`Temp folders left behind (the run fails): 1 in ${runDir}: mesos-lab-leak-xyz`);
    expect(stderr.mock.calls.join("")).toContain(`${runDir} stays until the next test run`);
    expect(existsSync(runDir)).toBe(true);
    rmSync(runDir, { recursive: true });
  });

  it("removes the dir of a run that exits without its teardown (vitest on SIGINT/SIGTERM), leftovers and all", () => {
    privateTmpdir.setup();
    const runDir = os.tmpdir();
    mkdirSync(path.join(runDir, "mesos-lab-cli-inflight"));
    restoreTmpdir();
    privateTmpdir.removeIfInterrupted(runDir);
    expect(existsSync(runDir)).toBe(false);
    privateTmpdir.teardown();
    expect(process.exitCode).toBe(saved.exitCode);
  });

  it("removes earlier runs' dirs whose vitest has ended, and only those", () => {
    const tmp = tempDir("tmp");
    const ended = path.join(tmp, "mesos-lab-run-ended");
    const live = path.join(tmp, "mesos-lab-run-live");
    const foreign = path.join(tmp, "mesos-lab-run-foreign");
    for (const d of [ended, live, foreign]) mkdirSync(path.join(d, "mesos-lab-cli-x"), { recursive: true });
    // a pid above the kernel's limit (pid_max is at most 2^22) belongs to no process
    writeFileSync(path.join(ended, ".vitest-pid"), String(2 ** 22 + 1));
    writeFileSync(path.join(live, ".vitest-pid"), String(process.pid));
    privateTmpdir.sweepEndedRuns(tmp);
    expect([existsSync(ended), existsSync(live), existsSync(foreign)]).toEqual([false, true, true]);
  });

  it("removes its dir and leaves the exit code alone when nothing is left", () => {
    privateTmpdir.setup();
    const runDir = os.tmpdir();
    writeFileSync(path.join(runDir, "mesos-lab-standin-1.lock"), "1");
    restoreTmpdir();
    privateTmpdir.teardown();
    expect(process.exitCode).toBe(saved.exitCode);
    expect(existsSync(runDir)).toBe(false);
  });
});
