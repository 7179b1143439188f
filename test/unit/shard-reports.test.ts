import { describe, expect, it } from "vitest";
import type { StepResult } from "../../src/engine/events.js";
import { LabBus } from "../../src/engine/events.js";
import { junitXml } from "../../src/report/junit.js";
import { mergeJunit, parseJunit } from "../../src/report/junit-merge.js";
import { builtinReporters } from "../../src/report/reporters.js";
import { LabError } from "../../src/util/errors.js";

const step = (exercise: string, id: string, status: StepResult["status"] = "passed", durationMs = 1500): StepResult => ({
  exercise,
  step: id,
  title: `Step <${id}> & "more"`,
  status,
  durationMs,
  hint: "h",
  timings: { reconcileMs: 1, readyMs: 1, actionsMs: 1, settleMs: 1, created: 3, reused: 0 },
  expectations: [],
  ...(status === "error" ? { error: "the agent never registered" } : {}),
});
const titles = { "01": "Cluster", "02": "TLS", "03": "Auth" };
const all = [
  step("01", "cluster"),
  step("01", "run-task", "failed"),
  step("02", "eavesdrop"),
  step("02", "master-tls", "error"),
  step("03", "agent-credential"),
];
const only = (...ids: string[]) => all.filter((s) => ids.includes(s.exercise));
const part = (index: number, total: number, ...ids: string[]) => ({ index, total, xml: junitXml(only(...ids), titles, undefined, { index, total }) });
const parsed = (...parts: Array<{ index: number; total: number; xml: string }>) => parts.map((p, i) => parseJunit(`${String.fromCharCode(97 + i)}.xml`, p.xml));
const caseSet = (xml: string) => [...xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"/g)].map((m) => `${m[1]} ${m[2]}`).sort();

function usageError(f: () => unknown): LabError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LabError);
    expect((e as LabError).exitCode).toBe(2);
    return e as LabError;
  }
  throw new Error("expected a usage error");
}

describe("junit-merge", () => {
  it("the parts of a run merge into the report of the whole run: the same suites, cases and totals", () => {
    const whole = junitXml(all, titles);
    const merged = mergeJunit(parsed(part(2, 3, "02"), part(1, 3, "01", "03"), part(3, 3)));
    expect(caseSet(merged)).toEqual(caseSet(whole));
    // the unsharded run's suites are in catalogue order, as the merge puts them: the reports are the same text
    expect(merged).toBe(whole);
    expect(merged).toContain('<testsuites name="mesos-lab" tests="5" failures="1" errors="1" time="7.500">');
  });

  it("names each part in its root, and the merge reads it back", () => {
    const p = part(2, 3, "02");
    expect(p.xml).toContain('<testsuites name="mesos-lab shard 2/3" tests="2"');
    expect(parseJunit("p.xml", p.xml).shard).toEqual({ index: 2, total: 3 });
    expect(parseJunit("w.xml", junitXml(all, titles)).shard).toBeUndefined();
  });

  it("an empty part is a report too, and merges", () => {
    const empty = part(2, 2);
    expect(parseJunit("e.xml", empty.xml).suites).toEqual([]);
    expect(mergeJunit(parsed(empty, part(1, 2, "01", "02", "03")))).toBe(junitXml(all, titles));
  });

  it("reads CRLF line ends (a report that went through a Windows checkout)", () => {
    expect(parseJunit("crlf.xml", part(1, 1, "01").xml.replace(/\n/g, "\r\n")).suites).toHaveLength(1);
  });

  it("refuses a merge with a part missing, naming it", () => {
    const err = usageError(() => mergeJunit(parsed(part(1, 3, "01"), part(3, 3, "03"))));
    expect(err.message).toBe("shard 2/3 is missing");
    expect(err.fix).toContain("1/3 to 3/3");
  });

  it("refuses a part given twice, parts of different runs, a whole run among parts", () => {
    expect(usageError(() => mergeJunit(parsed(part(1, 2, "01"), part(1, 2, "02")))).message).toBe("a.xml and b.xml are both shard 1/2");
    expect(usageError(() => mergeJunit(parsed(part(1, 2, "01"), part(2, 3, "02")))).message).toBe("a.xml is part of 2 but b.xml is part 2/3");
    const whole = parseJunit("whole.xml", junitXml(only("02"), titles));
    expect(usageError(() => mergeJunit([whole, ...parsed(part(1, 1, "01"))])).message).toContain("whole.xml is a whole run");
  });

  it("refuses an exercise in two reports", () => {
    const a = parseJunit("a.xml", junitXml(only("01"), titles));
    const b = parseJunit("b.xml", junitXml(only("01", "02"), titles));
    expect(usageError(() => mergeJunit([a, b])).message).toBe("a.xml and b.xml both hold the steps of '01 Cluster'");
  });

  it.each([
    ["not XML", "hello"],
    ["another tool's JUnit", '<?xml version="1.0"?>\n<testsuites name="vitest" tests="0">\n</testsuites>\n'],
    ["a report cut short", junitXml(all, titles).slice(0, -40)],
  ])("refuses %s as not a report of mesos-lab verify", (_what, text) => {
    const err = usageError(() => parseJunit("x.xml", text));
    expect(err.message).toBe("x.xml is not a JUnit report of mesos-lab verify");
    expect(err.fix).toContain("--reporter junit --output");
  });

  it.each([
    ["a testcase removed", (x: string) => x.replace(/\n {4}<testcase classname="mesos-lab.03"[^\n]*/, "")],
    ["a failure edited away", (x: string) => x.replace(/<failure message=/, "<skipped message=")],
    ["a root total changed", (x: string) => x.replace('tests="5"', 'tests="6"')],
    ["a stray element between suites", (x: string) => x.replace("\n  <testsuite ", "\n  <foo/>\n  <testsuite ")],
  ])("refuses a report with %s: its counts do not add up", (_what, edit) => {
    expect(usageError(() => parseJunit("x.xml", edit(junitXml(all, titles)))).message).toContain("counts do not add up");
  });
});

describe("a part's reports say which part it is", () => {
  const run = (write: (t: string) => void, shard?: { index: number; total: number; exercises: number }, exercises = ["02", "05"]) => {
    const bus = new LabBus();
    const reporter = builtinReporters().get("plain")!.create({ write, shard });
    bus.on((ev) => reporter.event(ev));
    bus.emit({ type: "run:start", runId: "r", profile: "1.11", exercises: exercises.map((id) => ({ id, title: id, steps: 1 })) });
    reporter.close();
  };

  it("the plain report's first line names the part and its exercises", () => {
    let out = "";
    run((t) => (out += t), { index: 2, total: 3, exercises: 12 });
    expect(out.split("\n")[0]).toBe("mesos-lab verify — profile 1.11, 2 exercises · shard 2/3: 02 05");
  });

  it("a part with nothing to run says so", () => {
    let out = "";
    run((t) => (out += t), { index: 3, total: 3, exercises: 2 }, []);
    expect(out.split("\n")[0]).toBe("mesos-lab verify — profile 1.11 · shard 3/3: nothing to run (all 2 exercises are in the other parts)");
  });

  it("without --shard the first line is as before", () => {
    let out = "";
    run((t) => (out += t));
    expect(out.split("\n")[0]).toBe("mesos-lab verify — profile 1.11, 2 exercises");
  });
});
