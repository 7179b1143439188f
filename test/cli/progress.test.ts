import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { labIdOf } from "../../src/lab/identity.js";
import { writeProgress } from "../../src/lab/progress.js";
import { cli, tempLab } from "../helpers/cli.js";
import { realpathSync } from "node:fs";
import { tempDir } from "../helpers/temp-dir.js";

describe("progress and solve (the real binary)", () => {
  it("progress prints this lab's state from $XDG_STATE_HOME; --reset clears it", async () => {
    const state = tempDir("state");
    const dir = realpathSync(tempLab("{}"));
    const file = path.join(state, "mesos-lab", "progress.json");
    writeProgress(
      labIdOf({ root: dir }),
      {
        current: { exercise: "01", step: "run-task" },
        exercises: {
          "01": { passed: ["cluster"], failed: ["run-task"], last: { step: "run-task", status: "failed", at: "2026-01-01T00:00:00.000Z", durationMs: 4200 } },
        },
      },
      file,
    );
    const env = { XDG_STATE_HOME: state };
    const r = await cli(["progress"], { cwd: dir, env });
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toContain(`file: ${file}`);
    expect(r.stdout).toContain("current: 01:run-task");
    expect(r.stdout).toMatch(/01 The default configuration \(insecure\)\s+failed\s+1\/3 steps\s+last: run-task failed \(4\.2 s\)/);
    const j = await cli(["progress", "--json"], { cwd: dir, env });
    expect(JSON.parse(j.stdout)).toMatchObject({ lab: labIdOf({ root: dir }), current: { exercise: "01", step: "run-task" } });
    const reset = await cli(["progress", "--reset"], { cwd: dir, env });
    expect(reset.stdout).toContain("progress cleared");
    expect(JSON.parse(readFileSync(file, "utf8")).labs).toEqual({});
    const after = await cli(["progress"], { cwd: dir, env });
    expect(after.stdout).toContain("current: —");
  });

  it("solve writes the step's flags to workspace/NN-slug.env; an unknown step is a usage error", async () => {
    const dir = realpathSync(tempLab("{}"));
    const env = { XDG_STATE_HOME: tempDir("state") };
    const r = await cli(["solve", "01:run-task"], { cwd: dir, env });
    expect(r.exitCode, r.all).toBe(0);
    const file = path.join(dir, "workspace", "01-insecure.env");
    expect(r.stdout).toContain(`wrote the solution of 01:run-task to ${file}`);
    const text = readFileSync(file, "utf8");
    expect(text).toMatch(/^\[master\]$/m);
    expect(text).toContain("mesos-lab solve 01:run-task");
    const bad = await cli(["solve", "01:nope"], { cwd: dir, env });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("exercise 01 has no step 'nope'");
  });

  it("tui without a terminal is a usage error, and no-args without a TTY falls back to the list", async () => {
    const r = await cli(["tui"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("the TUI needs a terminal");
    const plain = await cli([], { env: { CI: "" } });
    expect(plain.exitCode).toBe(0);
    expect(plain.stdout).toContain("Exercises (profile 1.11: checked against real Mesos 1.11.1 in CI)");
    // global options alone are still "no command" (issue 19 point 6): the lab that file names, not the usage and exit 2
    const dir = tempLab(`{ profile: "1.4" }`);
    const withConfig = await cli(["--config", path.join(dir, "lab.config.ts")], { env: { CI: "" } });
    expect(withConfig.exitCode, withConfig.all).toBe(0);
    expect(withConfig.stdout).toContain("Exercises (profile 1.4");
    const stray = await cli(["--config", path.join(dir, "lab.config.ts"), "lsit"]);
    expect(stray.exitCode).toBe(2);
  });
});
