import { describe, expect, it } from "vitest";
import type { StepResult } from "../../src/engine/events.js";
import { junitXml } from "../../src/report/junit.js";
import { mergeJunit, parseJunit } from "../../src/report/junit-merge.js";
import { type ReportEvent, ReportBus } from "../../src/report/reporter.js";
import { builtinReporters, type ExerciseSkipped } from "../../src/report/reporters.js";

/**
 * `verify --all` on a host where an exercise cannot run: every reporter says it was skipped, with the reason (and the
 * fix), and it counts neither as passed nor as failed. JUnit: `<skipped message="cannot run here: …">` per step, and
 * junit-merge keeps the counts of the parts that skipped something.
 */

const REASON =
  "it needs the agent capabilities mode (Mesos' Linux launcher, for container image support), not available here: the engine's host runs cgroup v2, and Mesos 1.11's Linux launcher needs the cgroup-v1 freezer hierarchy";
const FIX = "Use a Linux host or VM whose Docker engine runs on cgroup v1 & <so on>.";

const passed = (exercise: string, step: string): StepResult => ({
  exercise,
  step,
  title: `Step ${step}`,
  status: "passed",
  durationMs: 1000,
  hint: "h",
  timings: { reconcileMs: 1, readyMs: 1, actionsMs: 1, settleMs: 1, created: 3, reused: 0 },
  expectations: [],
});
const skipped12: ExerciseSkipped = {
  type: "exercise:skipped",
  exercise: { id: "12", title: "Registry credentials" },
  steps: [
    { id: "agent-credential-is-everyones", title: "Attack" },
    { id: "least-credential", title: "Least" },
  ],
  reason: REASON,
  fix: FIX,
};

/** A run of 01 (one step, passed) with 12 skipped, through the reporter `name`. */
function report(name: string): string {
  const out: string[] = [];
  const bus = new ReportBus();
  const r = builtinReporters()
    .get(name)!
    .create({ write: (t) => out.push(t) });
  bus.on((ev) => r.event(ev));
  const events: ReportEvent[] = [
    {
      type: "run:start",
      runId: "r",
      profile: "1.11",
      exercises: [
        { id: "01", title: "Default", steps: 1 },
        { id: "12", title: "Registry credentials", steps: 2 },
      ],
    },
    skipped12,
    { type: "exercise:start", exercise: { id: "01", title: "Default", slug: "insecure" }, steps: 1 },
    { type: "step:end", result: passed("01", "cluster") },
    { type: "exercise:end", exercise: "01", passed: true, durationMs: 1000 },
    { type: "run:end", passed: 1, failed: 0, durationMs: 1000, exitCode: 0 },
  ];
  for (const ev of events) bus.emit(ev);
  r.close();
  return out.join("");
}

describe("an exercise that cannot run here, in every reporter", () => {
  it("plain: under its title, skipped with the reason and the fix; the summary names it", () => {
    const text = report("plain");
    expect(text).toContain(`\n12 Registry credentials\n  skipped: cannot run here: ${REASON}\n    fix: ${FIX}\n`);
    expect(text).toMatch(/\n1 passed, 0 failed, exercise 12 skipped \(cannot run here\) \(1\.0 s\)\n$/);
  });

  it("json: in `skipped` with its steps, the reason and the fix; not in passed or failed", () => {
    const j = JSON.parse(report("json"));
    expect(j).toMatchObject({ exitCode: 0, passed: 1, failed: 0 });
    expect(j.steps).toHaveLength(1);
    expect(j.skipped).toEqual([
      { exercise: "12", title: "Registry credentials", steps: ["agent-credential-is-everyones", "least-credential"], reason: REASON, fix: FIX },
    ]);
  });

  it("json of a run with nothing skipped has an empty `skipped`", () => {
    const out: string[] = [];
    const r = builtinReporters()
      .get("json")!
      .create({ write: (t) => out.push(t) });
    r.event({ type: "run:start", runId: "r", profile: "1.11", exercises: [] });
    r.event({ type: "run:end", passed: 0, failed: 0, durationMs: 0, exitCode: 1 });
    expect(JSON.parse(out.join("")).skipped).toEqual([]);
  });

  it('junit: a suite for 12 whose steps are each <skipped message="cannot run here: …">, counted as skipped, not failed', () => {
    const xml = report("junit");
    expect(xml).toContain('<testsuites name="mesos-lab" tests="3" failures="0" errors="0" skipped="2" time="1.000">');
    expect(xml).toContain('<testsuite name="12 Registry credentials" tests="2" failures="0" errors="0" skipped="2" time="0.000">');
    const message = `cannot run here: ${REASON}`;
    expect(xml).toContain(
      `    <testcase classname="mesos-lab.12" name="agent-credential-is-everyones: Attack" time="0.000">\n      <skipped message="${message}">fix: Use a Linux host or VM whose Docker engine runs on cgroup v1 &amp; &lt;so on&gt;.</skipped>\n    </testcase>`,
    );
    expect(xml.match(/<skipped message=/g)).toHaveLength(2);
    expect(xml).not.toMatch(/<failure|<error/);
    // a run without skips writes no skipped attribute: its report is as before
    expect(junitXml([passed("01", "cluster")], { "01": "Default" })).toContain('<testsuites name="mesos-lab" tests="1" failures="0" errors="0" time="1.000">');
  });

  it("junit-merge: a part that skipped 12 merges with the other, and the counts add up", () => {
    const one = junitXml([passed("01", "cluster")], { "01": "Default" }, undefined, { index: 1, total: 2 });
    const two = junitXml([], {}, undefined, { index: 2, total: 2 }, [skipped12]);
    const merged = mergeJunit([parseJunit("1.xml", one), parseJunit("2.xml", two)]);
    expect(merged).toContain('<testsuites name="mesos-lab" tests="3" failures="0" errors="0" skipped="2" time="1.000">');
    expect(merged.match(/<skipped message=/g)).toHaveLength(2);
    // a skip edited away no longer adds up
    expect(() => parseJunit("2.xml", two.replace("<skipped message=", "<skipped-not message="))).toThrow(/counts do not add up/);
  });
});
