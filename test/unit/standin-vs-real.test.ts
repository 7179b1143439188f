import { describe, expect, it } from "vitest";
import type { ExpectationResult, StepResult } from "../../src/engine/events.js";
import { disagreements } from "../catalogue/standin-vs-real.js";
import type { Recording } from "../real/recording.js";

const exp = (id: string, status: ExpectationResult["status"]): ExpectationResult => ({
  id,
  says: id,
  pattern: "x",
  negate: false,
  source: "master log",
  cite: { at: "a.cpp:1", ref: "r" },
  status,
  elapsedMs: 1,
});
const step = (s: string, status: StepResult["status"], e: ExpectationResult[]): StepResult => ({
  exercise: "03",
  step: s,
  title: s,
  status,
  durationMs: 1,
  expectations: e,
  hint: "h",
  timings: { reconcileMs: 0, readyMs: 0, actionsMs: 0, settleMs: 0, created: 0, reused: 0 },
});
const real: Recording = {
  source: "test",
  recordedAt: "2026-11-29T00:00:00Z",
  steps: {
    "03:agent-credential": { status: "passed", expectations: { registered: { status: "passed", matched: "Registered with master" } } },
    "03:wrong-secret": { status: "passed", expectations: { "master-refuses": { status: "passed" } } },
  },
};

describe("the stand-in compared with a recorded real run", () => {
  it("agrees when every step and expectation has the recorded outcome", () => {
    expect(
      disagreements(
        [step("agent-credential", "passed", [exp("registered", "passed")]), step("wrong-secret", "passed", [exp("master-refuses", "passed")])],
        real,
      ),
    ).toEqual([]);
  });

  it("names a step whose outcome differs, with the line real Mesos printed", () => {
    const d = disagreements(
      [step("agent-credential", "failed", [exp("registered", "failed")]), step("wrong-secret", "passed", [exp("master-refuses", "passed")])],
      real,
    );
    expect(d).toEqual([
      "03:agent-credential: stand-in failed, real Mesos passed",
      "03:agent-credential registered: stand-in failed, real Mesos passed ('Registered with master')",
    ]);
  });

  it("names steps and expectations only one side has", () => {
    const d = disagreements([step("agent-credential", "passed", [exp("registered", "passed"), exp("extra", "passed")]), step("new-step", "passed", [])], real);
    expect(d).toContain("03:wrong-secret: real Mesos ran it, the stand-in did not");
    expect(d).toContain("03:agent-credential extra: not in the recording");
    expect(d.some((l) => l.startsWith("03:new-step: the stand-in ran it, the recording has no such step"))).toBe(true);
  });
});
