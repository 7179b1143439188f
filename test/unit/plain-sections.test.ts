import { describe, expect, it } from "vitest";
import { stepSections } from "../helpers/plain-sections.js";

const PLAIN = `mesos-lab verify — profile 1.11, 2 exercises

01 The default configuration (insecure)
  step 1/2 cluster: Start the cluster
    ✓ the master is elected leader (master log, 1.5 s) [src/master/master.cpp:2176]
    passed in 2.4 s (containers: 3 started, 0 reused)
  step 2/2 run-task: Run a task with mesos-execute
    ✗ mesos-execute exits 0 (execute exit code) exited with code 139
    failed in 1.5 s

02 Encrypt everything with TLS
  step 1/1 executor-plain: The executor without TLS
    ✓ the task finishes (mesos-execute stdout, 1.4 s) [src/cli/execute.cpp:702]
    passed in 1.5 s
`;

describe("stepSections: the plain report's lines of the failing steps", () => {
  it("gives each step's block under its exercise's header, and nothing of the other steps", () => {
    const s = stepSections(PLAIN, ["01:run-task"]);
    expect(s.split("\n")).toEqual([
      "01 The default configuration (insecure)",
      "  step 2/2 run-task: Run a task with mesos-execute",
      "    ✗ mesos-execute exits 0 (execute exit code) exited with code 139",
      "    failed in 1.5 s",
      "",
    ]);
  });

  it("finds a step of the right exercise when another exercise has one of the same id", () => {
    const twice = `${PLAIN}\n03 Other\n  step 1/1 run-task: Another\n    ✓ other\n`;
    expect(stepSections(twice, ["03:run-task"])).toBe("03 Other\n  step 1/1 run-task: Another\n    ✓ other\n");
  });

  it("says so when a step is not in the report", () => {
    expect(stepSections(PLAIN, ["05:nothing"])).toBe("05:nothing: not in the plain report");
  });
});
