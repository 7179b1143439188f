import { describe, expect, it } from "vitest";
import type { DiedProcess, StepResult } from "../../src/engine/events.js";
import { LabBus } from "../../src/engine/events.js";
import { HeadTail } from "../../src/engine/ring.js";
import { failureLines, streamExcerpt } from "../../src/report/format.js";
import { jsonReport } from "../../src/report/json.js";
import { junitXml } from "../../src/report/junit.js";
import { attachPlain } from "../../src/report/plain.js";
import { redactor } from "../../src/report/redact.js";
import { redactEvent } from "../../src/report/redact.js";
import { cite } from "../helpers/cite.js";

/**
 * A process that ends explains itself: the failure block of a step starts with what ended (mesos-execute or a role's
 * container), its exit code, and its last stderr and stdout lines kept apart; secrets are redacted as everywhere.
 */

const SECRET = "Qw7-execute-secret-5511";
const redact = redactor([SECRET]);

/** What `mesos-execute --task=<JSON without agent_id>` prints on real Mesos 1.11: the reason, then stout's usage text. */
const FLAGS = Array.from({ length: 94 }, (_, i) => `  --flag_${String(i).padStart(2, "0")}=VALUE   what flag ${i} does`);
function usageError(): DiedProcess {
  const t = new HeadTail(8, 10);
  for (const l of [
    `Failed to load flag 'task': Failed to load value '{"name":"x","command":{"user":"nobody"}}': Missing required fields: agent_id`,
    "",
    "Usage: mesos-execute [options]",
    "",
    ...FLAGS,
  ])
    t.push(l);
  return {
    role: "execute",
    action: "as-nobody",
    command: `mesos-execute --task={…} --principal=analytics --secret=${SECRET}`,
    exitCode: 1,
    stderr: t.snapshot(),
    stdout: { total: 0, head: [], tail: [] },
  };
}

function failedStep(died: DiedProcess[]): StepResult {
  return {
    exercise: "10",
    step: "as-nobody",
    title: "Tasks as nobody",
    status: "failed",
    durationMs: 2100,
    hint: "h",
    timings: { reconcileMs: 1, readyMs: 1, actionsMs: 1, settleMs: 1, created: 0, reused: 3 },
    expectations: [
      {
        id: "finished",
        says: "the task finishes",
        pattern: "TASK_FINISHED",
        negate: false,
        source: "mesos-execute stdout",
        cite,
        status: "failed",
        elapsedMs: 300,
        reason: "mesos-execute exited with code 1",
        closest: [],
      },
    ],
    died,
  };
}

describe("a process's last lines", () => {
  it("HeadTail keeps the first lines, the last lines after them, and the count", () => {
    const t = new HeadTail(3, 4);
    for (let i = 1; i <= 20; i++) t.push(`l${i}`);
    expect(t.snapshot()).toEqual({ total: 20, head: ["l1", "l2", "l3"], tail: ["l17", "l18", "l19", "l20"] });
    const few = new HeadTail(3, 4);
    for (let i = 1; i <= 5; i++) few.push(`l${i}`);
    expect(few.snapshot()).toEqual({ total: 5, head: ["l1", "l2", "l3"], tail: ["l4", "l5"] });
  });

  it("the excerpt: every line when few, the reason before a usage text, else the last lines", () => {
    expect(streamExcerpt("stdout", { total: 0, head: [], tail: [] })).toEqual({ label: "stdout: nothing", lines: [] });
    expect(streamExcerpt("stderr", { total: 2, head: ["a", "b"], tail: [] })).toEqual({ label: "stderr, 2 lines:", lines: ["a", "b"] });
    const u = streamExcerpt("stderr", usageError().stderr);
    expect(u.label).toBe("stderr, 98 lines (what it said before its usage text):");
    expect(u.lines[0]).toMatch(/^Failed to load flag 'task': .*Missing required fields: agent_id$/);
    expect(u.lines.at(-2)).toBe("Usage: mesos-execute [options]");
    expect(u.lines.at(-1)).toBe("… 95 more lines of usage text");
    const t = new HeadTail(8, 10);
    for (let i = 1; i <= 50; i++) t.push(`glog ${i}`);
    const crash = streamExcerpt("stderr", t.snapshot());
    expect(crash.label).toBe("stderr, last 10 of 50 lines:");
    expect(crash.lines).toEqual(Array.from({ length: 10 }, (_, i) => `glog ${41 + i}`));
    expect(streamExcerpt("stderr", t.snapshot(), 4).lines).toEqual(["glog 47", "glog 48", "glog 49", "glog 50"]);
  });

  it("plain: the failure block starts with mesos-execute's exit code, command and stderr, before the expectations", () => {
    const bus = new LabBus();
    let out = "";
    attachPlain(bus, (s) => (out += s), redact);
    bus.emit({ type: "step:end", result: failedStep([usageError()]) });
    const lines = out.split("\n");
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    // the line that explains it leads (issue 19), then what ended
    expect(lines[0]).toMatch(/^ {4}cause: Failed to load flag 'task': .*Missing required fields: agent_id {2}\(mesos-execute \(as-nobody\) stderr\)$/);
    expect(lines[1]).toBe("      → Mesos could not read the value of --task: the text after the flag name says what is wrong with it.");
    expect(lines[2]).toBe("    mesos-execute (action as-nobody) exited with code 1");
    expect(out).toContain("      $ mesos-execute --task={…} --principal=analytics --secret=******\n");
    expect(out).toContain("      stderr, 98 lines (what it said before its usage text):\n        | Failed to load flag 'task': Failed to load value");
    expect(out).toContain(
      "Missing required fields: agent_id\n        |\n        | Usage: mesos-execute [options]\n        | … 95 more lines of usage text\n      stdout: nothing\n",
    );
    expect(at(/Missing required fields: agent_id/)).toBeLessThan(at(/✗ the task finishes/));
    expect(out).not.toContain(SECRET);
  });

  it("plain: a role's container shows its last stderr and stdout lines apart", () => {
    const t = new HeadTail(8, 10);
    for (let i = 1; i <= 30; i++) t.push(`I0101 slave.cpp:${i}] line ${i}`);
    t.push(`EXIT with status 1: refused authentication (secret ${SECRET})`);
    const lines = failureLines(
      failedStep([{ role: "agent", instance: 2, exitCode: 1, stderr: t.snapshot(), stdout: { total: 1, head: ["Received SIGTERM"], tail: [] } }]),
    ).map(redact);
    expect(lines.slice(0, 5)).toEqual([
      "cause: EXIT with status 1: refused authentication (secret ******)  (agent stderr)",
      "  → The agent stopped itself: the text after 'EXIT with status' is Mesos' reason.",
      "agent-2 container exited with code 1 while the step waited",
      "  stderr, last 10 of 31 lines:",
      "    | I0101 slave.cpp:22] line 22",
    ]);
    expect(lines).toContain("    | EXIT with status 1: refused authentication (secret ******)");
    expect(lines.slice(14, 16)).toEqual(["  stdout, 1 line:", "    | Received SIGTERM"]);
  });

  it("JUnit: the failure message names the exit and its reason, the body has the excerpt, system-err the kept stderr", () => {
    const xml = junitXml([failedStep([usageError()])], { "10": "Least privilege" }, redact);
    expect(xml).toContain(
      `<failure message="the task finishes — mesos-execute (action as-nobody) exited with code 1: Failed to load flag 'task': Failed to load value`,
    );
    const failure = /<failure [^>]*>([\s\S]*?)<\/failure>/.exec(xml)![1]!;
    // a long reason (the task JSON is in it) keeps its end in the message
    const long = usageError();
    long.stderr.head[0] = `Failed to load flag 'task': Failed to load value '${JSON.stringify({ name: "x".repeat(300) })}': Missing required fields: agent_id`;
    const message = /<failure message="([^"]*)"/.exec(junitXml([failedStep([long])], {}, redact))![1]!;
    expect(message).toMatch(
      /^the task finishes — mesos-execute \(action as-nobody\) exited with code 1: Failed to load flag 'task': Failed to load value .* … x+&quot;}': Missing required fields: agent_id$/,
    );
    expect(message.length).toBeLessThan(320);
    expect(failure.indexOf("mesos-execute (action as-nobody) exited with code 1")).toBeLessThan(failure.indexOf("✗ the task finishes"));
    expect(failure).toContain("Missing required fields: agent_id");
    const err = /<system-err>([\s\S]*?)<\/system-err>/.exec(xml)![1]!;
    expect(err).toContain("── mesos-execute (action as-nobody) exited with code 1: stderr of mesos-execute --task={…} --principal=analytics --secret=******");
    expect(err).toContain("Usage: mesos-execute [options]");
    expect(err).toContain("… 80 lines not kept …");
    expect(err).toContain("--flag_93=VALUE");
    expect(xml).not.toContain("<system-out>"); // it printed nothing on stdout
    expect(xml).not.toContain(SECRET);
  });

  it("JSON: died carries stderr and stdout apart, redacted", () => {
    const j = JSON.parse(jsonReport([failedStep([usageError()])], { profile: "1.11", exitCode: 1, durationMs: 1 }, redact));
    expect(j.steps[0].died[0]).toMatchObject({ role: "execute", action: "as-nobody", exitCode: 1, stderr: { total: 98 }, stdout: { total: 0 } });
    expect(j.steps[0].died[0].stderr.head[0]).toMatch(/Missing required fields: agent_id/);
    expect(j.steps[0].died[0].command).toContain("--secret=******");
  });

  it("the TUI's redaction covers the command and both streams", () => {
    const d = usageError();
    d.stdout = { total: 1, head: [`token ${SECRET}`], tail: [] };
    d.stderr.tail.push(`tail ${SECRET}`);
    const ev = redactEvent({ type: "step:end", result: failedStep([d]) }, redact);
    expect(JSON.stringify(ev)).not.toContain(SECRET);
  });
});
