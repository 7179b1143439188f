import { describe, expect, it } from "vitest";
import type { StepResult } from "../../src/engine/events.js";
import { LabBus } from "../../src/engine/events.js";
import { jsonReport } from "../../src/report/json.js";
import { junitXml } from "../../src/report/junit.js";
import { attachPlain } from "../../src/report/plain.js";
import { redactor } from "../../src/report/redact.js";
import { cite } from "../helpers/cite.js";

const SECRET = "Zq8-secret-value-xyz";
const steps: StepResult[] = [
  {
    exercise: "04",
    step: "no-credentials",
    title: "Without credentials",
    status: "passed",
    durationMs: 1200,
    hint: "h",
    timings: { reconcileMs: 1, readyMs: 1, actionsMs: 1, settleMs: 1, created: 3, reused: 0 },
    expectations: [
      {
        id: "a",
        says: "401",
        pattern: "401 Unauthorized",
        negate: false,
        source: "mesos-execute stderr",
        cite,
        status: "passed",
        elapsedMs: 900,
        matched: "x",
      },
    ],
  },
  {
    exercise: "04",
    step: "with-credentials",
    title: "With <credentials> & secret",
    status: "failed",
    durationMs: 3400,
    hint: `pass --principal and --secret=${SECRET}`,
    timings: { reconcileMs: 1, readyMs: 1, actionsMs: 1, settleMs: 1, created: 0, reused: 3 },
    expectations: [
      {
        id: "b",
        says: "the task finishes",
        pattern: "TASK_FINISHED",
        negate: false,
        source: "mesos-execute stdout",
        cite,
        status: "failed",
        elapsedMs: 3000,
        reason: "mesos-execute exited with code 1",
        closest: [`--secret=${SECRET} Received status update TASK_FAILED`],
      },
    ],
    died: [
      {
        role: "agent",
        exitCode: 1,
        stderr: { total: 1, head: ["EXIT with status 1: Master master@1.2.3.4:5050 refused authentication"], tail: [] },
        stdout: { total: 0, head: [], tail: [] },
      },
    ],
  },
];
const redact = redactor([SECRET, "abc"]);

describe("reports", () => {
  it("JUnit has one testcase per step, failures with expected vs closest, XML-escaped, secrets redacted", () => {
    const xml = junitXml(steps, { "04": "Framework authentication" }, redact);
    expect(xml.match(/<testcase /g)).toHaveLength(2);
    expect(xml).toContain('<testsuite name="04 Framework authentication" tests="2" failures="1" errors="0"');
    expect(xml).toContain("With &lt;credentials&gt; &amp; secret");
    expect(xml).toContain(`expected /TASK_FINISHED/ in mesos-execute stdout [${cite.at}]`);
    expect(xml).toContain("agent container exited with code 1 while the step waited");
    expect(xml).not.toContain(SECRET);
    expect(xml).toContain("******");
  });

  it("JSON carries the results without secrets", () => {
    const j = jsonReport(steps, { profile: "1.4", exitCode: 1, durationMs: 5 }, redact);
    expect(j).not.toContain(SECRET);
    expect(JSON.parse(j)).toMatchObject({ passed: 1, failed: 1, exitCode: 1 });
  });

  it("plain output lists passes with timing and citation, failures with the closest lines and the hint", () => {
    const bus = new LabBus();
    let out = "";
    attachPlain(bus, (s) => (out += s), redact);
    bus.emit({ type: "expectation", exercise: "04", step: "no-credentials", result: steps[0]!.expectations[0]! });
    bus.emit({ type: "step:end", result: steps[1]! });
    bus.emit({ type: "run:end", passed: 1, failed: 1, durationMs: 4600, exitCode: 1 });
    expect(out).toContain(`✓ 401 (mesos-execute stderr, 0.9 s) [${cite.at}]`);
    expect(out).toContain("closest actual lines:");
    expect(out).toContain("hint: pass --principal and --secret=******");
    expect(out).toMatch(/\n1 passed, 1 failed/);
    expect(out).not.toContain(SECRET);
  });

  it("the redactor ignores very short values and escapes regex characters", () => {
    const r = redactor(["a.b+c(d)", "ab"]);
    expect(r("x a.b+c(d) ab")).toBe("x ****** ab");
  });
});
