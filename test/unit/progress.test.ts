import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { exerciseStatus, progressPath, readProgress, recordResult, resetProgress, writeProgress, emptyProgress } from "../../src/lab/progress.js";
import { LabError } from "../../src/util/errors.js";
import { tempDir } from "../helpers/temp-dir.js";

const tmp = () => path.join(tempDir("progress"), "mesos-lab", "progress.json");

describe("progress file", () => {
  it("lives in $XDG_STATE_HOME/mesos-lab, else ~/.local/state/mesos-lab", () => {
    expect(progressPath({ XDG_STATE_HOME: "/x/state", HOME: "/home/a" })).toBe("/x/state/mesos-lab/progress.json");
    expect(progressPath({ HOME: "/home/a" })).toBe("/home/a/.local/state/mesos-lab/progress.json");
    // the XDG spec: a relative value is invalid and ignored
    expect(progressPath({ XDG_STATE_HOME: "rel", HOME: "/home/a" })).toBe("/home/a/.local/state/mesos-lab/progress.json");
  });

  it("survives a restart: written per lab id, read back, other labs untouched; no temp file left", () => {
    const file = tmp();
    let p = recordResult(emptyProgress(), { exercise: "01", step: "cluster", status: "passed", durationMs: 1200 }, "2026-01-01T00:00:00Z");
    p = { ...p, current: { exercise: "01", step: "run-task" } };
    writeProgress("lab-a", p, file);
    writeProgress("lab-b", recordResult(emptyProgress(), { exercise: "02", step: "x", status: "failed", durationMs: 5 }), file);
    const back = readProgress("lab-a", file);
    expect(back.current).toEqual({ exercise: "01", step: "run-task" });
    expect(back.exercises["01"]).toEqual({
      passed: ["cluster"],
      failed: [],
      last: { step: "cluster", status: "passed", at: "2026-01-01T00:00:00Z", durationMs: 1200 },
    });
    expect(readProgress("lab-b", file).exercises["02"]?.failed).toEqual(["x"]);
    expect(readdirSync(path.dirname(file))).toEqual(["progress.json"]);
    expect(resetProgress("lab-a", {}, file)).toBe(true);
    expect(readProgress("lab-a", file)).toEqual(emptyProgress());
    expect(readProgress("lab-b", file).exercises["02"]).toBeDefined();
  });

  it("a pass clears an earlier failure of that step; status reads passed only when every step passed", () => {
    let p = recordResult(emptyProgress(), { exercise: "01", step: "a", status: "failed", durationMs: 1 });
    const ex = { id: "01", steps: [{ id: "a" }, { id: "b" }] };
    expect(exerciseStatus(p, ex)).toBe("failed");
    p = recordResult(p, { exercise: "01", step: "a", status: "passed", durationMs: 1 });
    expect(p.exercises["01"]).toMatchObject({ passed: ["a"], failed: [] });
    expect(exerciseStatus(p, ex)).toBe("in progress");
    p = recordResult(p, { exercise: "01", step: "b", status: "passed", durationMs: 1 });
    expect(exerciseStatus(p, ex)).toBe("passed");
    expect(exerciseStatus(emptyProgress(), ex)).toBe("not started");
  });

  it("an unreadable file is a clear error naming it and the fix", () => {
    const file = tmp();
    writeProgress("x", emptyProgress(), file);
    writeFileSync(file, "{ not json");
    let err: unknown;
    try {
      readProgress("x", file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).message).toContain(file);
    expect((err as LabError).fix).toContain("mesos-lab progress --reset");
    expect(readFileSync(file, "utf8")).toBe("{ not json");
  });
});
