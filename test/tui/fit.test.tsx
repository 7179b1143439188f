import { afterEach, describe, expect, it } from "vitest";
import { loadCatalogue } from "../../src/catalogue/load.js";
import { resolveConfig } from "../../src/config/load.js";
import type { ExpectationResult, LabEvent, StepResult } from "../../src/engine/events.js";
import { describeAction } from "../../src/engine/actions/index.js";
import { renderExercise } from "../../src/engine/render.js";
import { App } from "../../src/tui/App.js";
import { exerciseInfos } from "../../src/tui/catalogue.js";
import { initialState, reducer, type TuiState } from "../../src/tui/state.js";
import { emptyProgress, FakeController, recorded, stepEvents } from "./helpers.js";
import { renderAt, tooWide } from "./screen.js";

/**
 * The step view fits the terminal (issue "The learner's screen…", point 1): from 80×24 to 200×50, after the longest
 * step of every exercise has run, passed or failed, the step's header, its verdict and the footer are on screen and
 * no line is wider than the terminal. The runs are made from each step's own data at its worst: every action,
 * 300 log lines per pane with 600-character lines and ZooKeeper stack traces (tabs), matched lines of 400 characters,
 * a container that died with long stderr lines.
 */

const SIZES = [
  [80, 24],
  [120, 40],
  [200, 50],
] as const;

const config = resolveConfig({}, undefined, "/tmp");
const catalogue = await loadCatalogue();
const infos = exerciseInfos(catalogue, config);
const LONG = `I1205 10:00:00.000000 7 master.cpp:1234] Flags at startup: ${"--flag=value ".repeat(45)}`;
const TRACE = "\tat org.apache.zookeeper.server.NIOServerCnxn.doIO(NIOServerCnxn.java:333)\t(caught)";

function result(e: { id: string; says: string }, status: "passed" | "failed"): ExpectationResult {
  return {
    id: e.id,
    says: e.says,
    pattern: `${e.id} .{0,400}`,
    negate: false,
    source: `HTTP ${e.id}-with-a-long-action-name (status)`,
    cite: { at: "src/slave/http.cpp:4215", ref: "observed-1.11.md" },
    status,
    elapsedMs: 7012,
    matched: status === "passed" ? `${e.id} ${"x".repeat(400)}` : undefined,
    reason: status === "failed" ? `not seen within 60.0 s; ${"the reason goes on ".repeat(12)}` : undefined,
    closest: status === "failed" ? [LONG, `${TRACE} ${LONG}`] : undefined,
  };
}

/** A run of one step at its worst, as the engine would emit it. */
function worstRun(exIndex: number, stepIndex: number, status: "passed" | "failed"): LabEvent[] {
  const ex = catalogue[exIndex]!;
  const info = infos[exIndex]!;
  const st = info.steps[stepIndex]!;
  const rendered = renderExercise(ex, config)[stepIndex]!;
  const events: LabEvent[] = [
    {
      type: "step:start",
      exercise: ex.id,
      step: { id: st.id, title: st.title, text: st.text, hint: st.hint },
      index: stepIndex,
      total: info.steps.length,
      diff: st.diff,
    },
  ];
  for (const role of ["zk", "master", "agent"] as const)
    for (const state of ["created", "started", "ready"] as const) events.push({ type: "container", exercise: ex.id, role, state, name: `mesos-lab-x-${role}` });
  for (const a of rendered.step.actions) {
    const name = a.do === "sleep" ? "sleep" : a.id;
    events.push({ type: "action:start", exercise: ex.id, step: st.id, action: name, detail: describeAction(a) });
    if (a.do === "http")
      for (const text of ["HTTP/1.1 403 Forbidden", `content-length: ${LONG.length}`, LONG])
        events.push({ type: "log", exercise: ex.id, source: `http:${a.id}`, role: a.role, stream: "stdout", text, ts: 0 });
    events.push({ type: "action:end", exercise: ex.id, step: st.id, action: name, detail: describeAction(a), ms: 1234 });
  }
  for (let i = 0; i < 300; i++)
    for (const role of ["master", "agent", "zk", "execute"] as const)
      events.push({
        type: "log",
        exercise: ex.id,
        source: `log:${role}`,
        role,
        stream: i % 3 ? "stdout" : "stderr",
        text: i % 7 ? `${LONG} ${i}` : TRACE,
        ts: i,
      });
  const results = st.expectations.map((e, i) => result(e, status === "failed" && i % 2 ? "failed" : "passed"));
  for (const r of results) events.push({ type: "expectation", exercise: ex.id, step: st.id, result: r });
  const step: StepResult = {
    exercise: ex.id,
    step: st.id,
    title: st.title,
    status,
    durationMs: 7042,
    expectations: results,
    hint: st.hint,
    timings: { reconcileMs: 1, readyMs: 1, actionsMs: 1, settleMs: 1, created: 3, reused: 0 },
    died:
      status === "failed"
        ? [{ role: "agent", exitCode: 1, stderr: { total: 40, head: [LONG, TRACE], tail: [LONG] }, stdout: { total: 1, head: [LONG], tail: [] } }]
        : undefined,
  };
  events.push({ type: "step:end", result: step }, { type: "exercise:end", exercise: ex.id, passed: status === "passed", durationMs: 7100 });
  return events;
}

/** The step a screen has the least room for: the most text, flags and expectations. */
function longestStep(exIndex: number): number {
  const steps = infos[exIndex]!.steps;
  const size = (i: number) => steps[i]!.text.length + 80 * (steps[i]!.expectations.length + Object.values(steps[i]!.diff).flat().length);
  return steps.reduce((best, _, i) => (size(i) > size(best) ? i : best), 0);
}

function stateAfter(exIndex: number, stepIndex: number, events: LabEvent[], extra: Partial<TuiState> = {}): TuiState {
  let s = reducer(initialState(infos, emptyProgress()), { type: "open", exIndex });
  s = reducer(s, { type: "step", delta: stepIndex });
  s = reducer(s, { type: "runRequested", now: Date.now() - 7100 });
  return { ...reducer(s, { type: "events", events }), ...extra };
}

const mounted: Array<{ unmount: () => void }> = [];
afterEach(() => mounted.splice(0).forEach((m) => m.unmount()));

function screen(state: TuiState, columns: number, rows: number) {
  const r = renderAt(
    <App initial={state} controller={new FakeController()} onExit={() => undefined} header="profile 1.11 · 12 exercises · guided" />,
    columns,
    rows,
  );
  mounted.push(r);
  return r;
}

function expectFits(lines: string[], columns: number, rows: number, must: string[]) {
  expect(lines.length, lines.join("\n")).toBeLessThanOrEqual(rows);
  expect(tooWide(lines, columns), lines.join("\n")).toEqual([]);
  const text = lines.join("\n");
  for (const m of must) expect(text, text).toContain(m);
}

describe("the step view fits the terminal", () => {
  for (const [columns, rows] of SIZES)
    for (const status of ["passed", "failed"] as const)
      it(`${columns}×${rows}: the longest step of every exercise, ${status}: header, verdict and footer on screen, no line too wide`, () => {
        infos.forEach((info, exIndex) => {
          const stepIndex = longestStep(exIndex);
          const st = info.steps[stepIndex]!;
          const r = screen(stateAfter(exIndex, stepIndex, worstRun(exIndex, stepIndex, status)), columns, rows);
          // the header may be cut at 80 columns, never the step's position and id
          expectFits(r.lines(), columns, rows, [
            `step ${stepIndex + 1}/${info.steps.length}: ${st.id.slice(0, 8)}`,
            status === "passed" ? "Step passed" : "Step failed",
            "quit",
          ]);
          r.unmount();
        });
      });

  it("with a hint, the solution and the flags in full, it still fits at 80×24", () => {
    const exIndex = infos.findIndex((e) => e.id === "11");
    const stepIndex = infos[exIndex]!.steps.length - 1;
    const st = infos[exIndex]!.steps[stepIndex]!;
    const r = screen(stateAfter(exIndex, stepIndex, worstRun(exIndex, stepIndex, "failed"), { showSolution: true, expandFlags: true }), 80, 24);
    expectFits(r.lines(), 80, 24, [`step ${stepIndex + 1}/${stepIndex + 1}: ${st.id.slice(0, 8)}`, "Step failed", "quit"]);
  });

  it("a resize re-lays the screen at once: 200×50 to 80×24 and back", async () => {
    const exIndex = infos.findIndex((e) => e.id === "11");
    const acls = infos[exIndex]!.steps.findIndex((s) => s.id === "session-acls");
    const at = `step ${acls + 1}/${infos[exIndex]!.steps.length}`;
    const r = screen(stateAfter(exIndex, acls, worstRun(exIndex, acls, "passed")), 200, 50);
    expectFits(r.lines(), 200, 50, [at, "Step passed"]);
    r.resize(80, 24);
    await new Promise((res) => setTimeout(res, 50));
    expectFits(r.lines(), 80, 24, [at, "Step passed", "quit"]);
    r.resize(120, 40);
    await new Promise((res) => setTimeout(res, 50));
    expectFits(r.lines(), 120, 40, [at, "Step passed", "quit"]);
  });

  it("a recorded run of exercise 01 fits at every size, and the line that proved a step stays highlighted", () => {
    const exIndex = infos.findIndex((e) => e.id === "01");
    for (const [columns, rows] of SIZES) {
      const r = screen(stateAfter(exIndex, 0, stepEvents(recorded("01-pass"), "cluster")), columns, rows);
      expectFits(r.lines(), columns, rows, [`step 1/${infos[exIndex]!.steps.length}: cluster`, "Step passed", "quit"]);
      if (rows >= 40) expect(r.frame()).toMatch(/▶ I\d+/);
      r.unmount();
    }
  });

  it("cuts a long flag with an ellipsis, and `e` shows it whole", () => {
    const exIndex = infos.findIndex((e) => e.id === "11");
    const acls = infos[exIndex]!.steps.findIndex((s) =>
      Object.values(s.diff)
        .flat()
        .some((c) => c.key === "MESOS_ACLS"),
    );
    let s = reducer(initialState(infos, emptyProgress()), { type: "open", exIndex });
    s = reducer(s, { type: "step", delta: acls });
    const value = Object.values(infos[exIndex]!.steps[acls]!.diff)
      .flat()
      .find((c) => c.key === "MESOS_ACLS")!.value!;
    const cut = screen(s, 120, 100);
    const flag = cut.lines().find((l) => l.includes("+ MESOS_ACLS="))!;
    expect(flag.trimEnd().endsWith("…"), flag).toBe(true);
    const whole = screen(reducer(s, { type: "toggleFlags" }), 120, 100).lines();
    const first = whole.findIndex((l) => l.includes("+ MESOS_ACLS="));
    const rest = whole.slice(first + 1).filter((_, i, a) => a.slice(0, i + 1).every((l) => l.startsWith("         ") && l.trim()));
    expect([whole[first]!.split("+ MESOS_ACLS=")[1], ...rest].map((l) => l!.trim()).join("")).toBe(value);
  });

  it("HTTP answers have a pane of their own, each under the request it answers; the master's pane keeps its logs", () => {
    const exIndex = infos.findIndex((e) => e.id === "11");
    const acls = infos[exIndex]!.steps.findIndex((s) => s.id === "session-acls");
    const http = renderExercise(catalogue[exIndex]!, config)[acls]!.step.actions.filter((a) => a.do === "http");
    expect(http.length).toBeGreaterThan(0);
    const lines = screen(stateAfter(exIndex, acls, worstRun(exIndex, acls, "passed")), 200, 60).lines();
    expectFits(lines, 200, 60, ["HTTP answers, each under its request"]);
    const pane = lines.slice(lines.findIndex((l) => l.includes("HTTP answers, each under its request")));
    const last = describeAction(http.at(-1)!);
    const request = pane.findIndex((l) => l.trimStart().startsWith(`→ ${last}`.slice(0, 60)));
    expect(request, pane.join("\n")).toBeGreaterThan(0);
    // the newest lines, under the request they answer even when its own line scrolled past: it keeps the top row
    expect(request, pane.join("\n")).toBe(1);
    expect(pane[2]).toMatch(/^\s{4}(HTTP\/1\.1 403 Forbidden|content-length: \d+|I1205 )/);
    expect(lines.filter((l) => l.includes("HTTP/1.1 403 Forbidden")).length).toBeLessThanOrEqual(http.length);
    expect(
      lines
        .slice(
          0,
          lines.findIndex((l) => l.includes("── master")),
        )
        .join("\n"),
    ).not.toContain("HTTP/1.1 403");
  });

  it("a run that could not start shows its whole message and fix in the body at 80×24, not only the start on the verdict line", () => {
    const exIndex = infos.findIndex((e) => e.id === "06");
    let s = reducer(initialState(infos, emptyProgress(), "hands-on"), { type: "open", exIndex });
    s = reducer(s, { type: "runRequested", now: Date.now() });
    const error =
      "workspace/06-http-authentication.env: MESOS_CREDENTIALS is a flag of the master, not the agent (move it under [master]): the agent would ignore it";
    s = reducer(s, { type: "runError", error: `${error}  fix: Edit workspace/06-http-authentication.env and run the step again` });
    const lines = screen(s, 80, 24).lines();
    expectFits(lines, 80, 24, ["✗ could not run", "Step could not run", "quit"]);
    const body = lines
      .slice(lines.findIndex((l) => l.includes("Step could not run")) + 1)
      .map((l) => l.replace(/^┃\s*/, "").trim())
      .filter((l) => l);
    const fix = body.findIndex((l) => l.startsWith("fix: Edit workspace/06-http-authentication.env"));
    expect(fix, body.join("\n")).toBeGreaterThan(0);
    expect(body.slice(0, fix).join(" ")).toBe(error);
  });
});
