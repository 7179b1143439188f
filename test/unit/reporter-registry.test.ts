import { describe, expect, it } from "vitest";
import { verifyCommand } from "../../src/cli/commands/verify.js";
import type { LabEvent, StepResult } from "../../src/engine/events.js";
import { redactEvent, redactor } from "../../src/report/redact.js";
import { builtinReporters, reporters } from "../../src/report/reporters.js";
import { cite } from "../helpers/cite.js";

const SECRET = "Zq8-secret-value-xyz";
const step = (exercise: string, id: string): StepResult => ({
  exercise,
  step: id,
  title: `step ${id}`,
  status: "passed",
  durationMs: 10,
  hint: `--secret=${SECRET}`,
  timings: { reconcileMs: 1, readyMs: 1, actionsMs: 1, settleMs: 1, created: 1, reused: 0 },
  expectations: [{ id: "e", says: "ok", pattern: "x", negate: false, source: "master log", cite, status: "passed", elapsedMs: 1, matched: `token ${SECRET}` }],
});

describe("reporters by name, on one redacted stream", () => {
  it("the registry names plain, json and junit for --reporter, and the TUI's screen reporter apart", () => {
    expect(reporters().streamNames()).toEqual(["plain", "json", "junit"]);
    expect(reporters().get("tui")?.kind).toBe("screen");
  });

  it("an unknown reporter is the usage error it was, before anything runs", async () => {
    await expect(verifyCommand({}, ["01"], { reporter: "xml", jobs: "1" })).rejects.toMatchObject({
      kind: "usage",
      message: "unknown reporter 'xml'",
      fix: "Use --reporter plain, json or junit.",
    });
  });

  it("the redacting layer replaces a secret in every string of an event, at any depth", () => {
    const redact = redactor([SECRET]);
    const ev: LabEvent = {
      type: "step:start",
      exercise: "04",
      index: 0,
      total: 1,
      step: { id: "s", title: "t", text: `use ${SECRET}`, hint: "h" },
      diff: { zk: [], master: [{ op: "+", key: "K", value: SECRET }], agent: [], execute: [], registry: [], tokens: [], attacker: [], relay: [] },
    };
    expect(JSON.stringify(redactEvent(ev, redact))).not.toContain(SECRET);
    expect(JSON.stringify(redactEvent({ type: "step:end", result: step("04", "a") }, redact))).not.toContain(SECRET);
    const quiet: LabEvent = { type: "warning", message: "nothing secret" };
    expect(redactEvent(quiet, redact)).toBe(quiet);
  });

  it("JSON and JUnit collect the steps from the stream and write once at run:end, in the run's exercise order", () => {
    const written: Record<string, string[]> = { json: [], junit: [] };
    const json = builtinReporters()
      .get("json")!
      .create({ write: (t) => written.json!.push(t) });
    const junit = builtinReporters()
      .get("junit")!
      .create({ write: (t) => written.junit!.push(t) });
    const events: LabEvent[] = [
      {
        type: "run:start",
        runId: "r",
        profile: "1.11",
        exercises: [
          { id: "01", title: "One", steps: 1 },
          { id: "02", title: "Two", steps: 1 },
        ],
      },
      // with --jobs 2 exercise 02 may end first
      { type: "step:end", result: step("02", "b") },
      { type: "step:end", result: step("01", "a") },
      { type: "run:end", passed: 2, failed: 0, durationMs: 42, exitCode: 0 },
    ];
    for (const ev of events) {
      json.event(ev);
      junit.event(ev);
      if (ev.type !== "run:end") expect(written.json).toEqual([]);
    }
    expect(written.json).toHaveLength(1);
    const j = JSON.parse(written.json![0]!);
    expect(j).toMatchObject({ profile: "1.11", exitCode: 0, durationMs: 42, passed: 2, failed: 0 });
    expect(j.steps.map((s: StepResult) => s.exercise)).toEqual(["01", "02"]);
    expect(written.junit).toHaveLength(1);
    expect(written.junit![0]).toMatch(/<testsuite name="01 One"[\s\S]*<testsuite name="02 Two"/);
  });
});
