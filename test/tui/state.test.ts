import { describe, expect, it } from "vitest";
import type { LabEvent } from "../../src/engine/events.js";
import { emptyProgress } from "../../src/lab/progress.js";
import { keyIntent } from "../../src/tui/keys.js";
import { initialState, LOG_CAP, reducer, type TuiState } from "../../src/tui/state.js";
import { infos, recorded, stepEvents } from "./helpers.js";

const base = async () => initialState(await infos(), emptyProgress());
const open = (s: TuiState) => reducer(s, { type: "open" });
/** `n` master log lines, `line <from>` on. */
const burst = (n: number, from: number): LabEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    type: "log",
    exercise: "01",
    source: "log:master",
    role: "master",
    stream: "stderr",
    text: `line ${from + i}`,
    ts: 0,
  }));

describe("TUI reducer", () => {
  it("starts on the list at the exercise and step the progress says", async () => {
    const s = initialState(await infos(), { exercises: {}, current: { exercise: "01", step: "run-task" } });
    expect(s.screen).toBe("list");
    expect(s.exIndex).toBe(0);
    expect(s.stepIndex).toBe(1);
  });

  it("a recorded passing step fills the checklist, the logs and the progress", async () => {
    let s = reducer(open(await base()), { type: "runRequested", now: 0 });
    expect(s.run?.running).toBe(true);
    s = reducer(s, { type: "events", events: stepEvents(recorded("01-pass"), "cluster") });
    expect(s.run?.running).toBe(false);
    expect(s.run?.expectations.map((e) => [e.id, e.status])).toEqual([
      ["elected", "passed"],
      ["agents-open", "passed"],
      ["registered", "passed"],
    ]);
    expect(s.logs.master.some((l) => l.text.includes("Elected as the leading master"))).toBe(true);
    expect(s.progress.exercises["01"]?.passed).toEqual(["cluster"]);
    expect(s.progress.current).toEqual({ exercise: "01", step: "cluster" });
  });

  it("scroll-back in a focused pane stays on the same lines while new ones arrive; f or scrolling down follows again", async () => {
    let s = reducer(open(await base()), { type: "runRequested", now: 0 });
    const key = (input: string, k = {}) => {
      const i = keyIntent(s, input, k);
      if (i && "type" in i) s = reducer(s, i);
    };
    s = reducer(s, { type: "events", events: burst(100, 0) });
    key("", { pageUp: true });
    expect(s.scroll).toBeUndefined(); // the four-pane grid does not scroll: focus a pane first
    key("l"); // the first pane, the master's
    expect(s.logFocus).toBe("master");
    key("", { pageUp: true });
    key("", { upArrow: true });
    expect(s.scroll).toEqual({ anchor: 100, back: 11 });
    s = reducer(s, { type: "events", events: burst(50, 100) });
    expect(s.scroll).toEqual({ anchor: 100, back: 11 }); // new lines do not move the view
    key("", { downArrow: true });
    expect(s.scroll?.back).toBe(10);
    for (let i = 0; i < 30; i++) key("", { pageUp: true });
    expect(s.scroll?.back).toBe(99); // line 1 stays in view at the top of the history
    key("f");
    expect(s.scroll).toBeUndefined();
    key("", { pageUp: true });
    expect(s.scroll).toEqual({ anchor: 150, back: 10 });
    key("", { pageDown: true });
    expect(s.scroll).toBeUndefined();
    key("", { pageUp: true });
    key("l"); // another pane starts at its end
    expect(s.scroll).toBeUndefined();
  });

  it("an HTTP action's answer goes to the answers pane, under the request it answers, not among the master's logs", async () => {
    let s = reducer(open(await base()), { type: "runRequested", now: 0 });
    const ev = (over: Partial<Extract<LabEvent, { type: "log" }>>): LabEvent => ({
      type: "log",
      exercise: "01",
      source: "log:master",
      role: "master",
      stream: "stdout",
      text: "",
      ts: 0,
      ...over,
    });
    const start = (action: string, detail: string): LabEvent => ({ type: "action:start", exercise: "01", step: "cluster", action, detail });
    s = reducer(s, {
      type: "events",
      events: [
        start("state-anonymous", "GET /master/state on the master"),
        ev({ text: "I1207 master.cpp:1] Elected" }),
        ev({ source: "http:state-anonymous", text: "HTTP/1.1 401 Unauthorized" }),
        ev({ source: "http:state-anonymous", text: 'www-authenticate: Basic realm="mesos-master-readonly"' }),
        start("state-viewer", "GET /master/state on the master as viewer-principal"),
      ],
    });
    s = reducer(s, { type: "events", events: [ev({ source: "http:state-viewer", text: "HTTP/1.1 200 OK" })] });
    expect(s.logs.master.map((l) => l.text)).toEqual(["I1207 master.cpp:1] Elected"]);
    expect(s.logs.answers.map((l) => [l.request ?? false, l.text])).toEqual([
      [true, "→ GET /master/state on the master"],
      [false, "HTTP/1.1 401 Unauthorized"],
      [false, 'www-authenticate: Basic realm="mesos-master-readonly"'],
      [true, "→ GET /master/state on the master as viewer-principal"],
      [false, "HTTP/1.1 200 OK"],
    ]);
    // l cycles through it once it holds answers
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      s = reducer(s, { type: "cycleLogs" });
      seen.push(s.logFocus);
    }
    expect(seen).toEqual(["master", "agent", "zk", "execute", "answers", "all"]);
  });

  it("keeps at most LOG_CAP lines per role and counts the dropped ones", async () => {
    let s = reducer(open(await base()), { type: "runRequested", now: 0 });
    s = reducer(s, { type: "events", events: burst(400, 0) });
    s = reducer(s, { type: "events", events: burst(400, 400) });
    expect(s.logs.master).toHaveLength(LOG_CAP);
    expect(s.logs.master.at(-1)?.text).toBe("line 799");
    expect(s.logs.master[0]?.text).toBe(`line ${800 - LOG_CAP}`);
    expect(s.dropped.master).toBe(800 - LOG_CAP);
    expect(s.logs.agent).toHaveLength(0);
  });

  it("a failed step records the failure; navigating while running is refused", async () => {
    let s = initialState(await infos(), emptyProgress());
    s = reducer(s, { type: "open", exIndex: 1 });
    s = reducer(s, { type: "runRequested", now: 0 });
    expect(reducer(s, { type: "step", delta: 1 })).toBe(s);
    expect(reducer(s, { type: "runRequested", now: 1 })).toBe(s);
    s = reducer(s, { type: "events", events: recorded("90-fail") });
    expect(s.run?.result?.status).toBe("failed");
    expect(s.progress.exercises["90"]).toMatchObject({ passed: [], failed: ["never"], last: { step: "never", status: "failed" } });
  });

  it("reset forgets the exercise's progress and goes back to its first step", async () => {
    let s = reducer(open(await base()), { type: "runRequested", now: 0 });
    s = reducer(s, { type: "events", events: stepEvents(recorded("01-pass"), "cluster") });
    s = reducer(s, { type: "step", delta: 1 });
    expect(s.stepIndex).toBe(1);
    s = reducer(s, { type: "resetExercise" });
    expect(s.stepIndex).toBe(0);
    expect(s.progress.exercises["01"]).toBeUndefined();
    expect(s.run).toBeUndefined();
  });
});

describe("TUI keys", () => {
  it("list: arrows move, enter opens, digits jump; q quits at once before any container started, and asks after", async () => {
    const s = await base();
    expect(keyIntent(s, "q", {})).toEqual({ effect: "quit", stopCluster: false });
    const started = reducer(s, {
      type: "events",
      events: [{ type: "container", exercise: "01", role: "master", state: "reused", name: "mesos-lab-x-master" }],
    });
    expect(keyIntent(started, "q", {})).toMatchObject({ type: "confirm", confirm: { kind: "quit" } });
    expect(keyIntent(s, "", { downArrow: true })).toEqual({ type: "cursor", delta: 1 });
    expect(keyIntent(s, "", { return: true })).toEqual({ type: "open" });
    expect(keyIntent(s, "1", {})).toEqual({ type: "open", exIndex: 0 });
    expect(keyIntent(s, "d", {})).toEqual({ effect: "doctor" });
  });

  it("step view: r runs (not twice), s asks before an unpassed solution, x asks before reset", async () => {
    const s = open(await base());
    expect(keyIntent(s, "r", {})).toEqual({ effect: "run" });
    expect(keyIntent(reducer(s, { type: "runRequested", now: 0 }), "r", {})).toBeUndefined();
    expect(keyIntent(s, "s", {})).toMatchObject({ type: "confirm", confirm: { kind: "solution" } });
    expect(keyIntent(s, "x", {})).toMatchObject({ type: "confirm", confirm: { kind: "reset" } });
    const passed = reducer(reducer(s, { type: "runRequested", now: 0 }), { type: "events", events: stepEvents(recorded("01-pass"), "cluster") });
    expect(keyIntent(passed, "s", {})).toEqual({ type: "showSolution" });
  });

  it("confirms: quit y stops the cluster, n leaves it; Ctrl-C always interrupts", async () => {
    const s = reducer(await base(), { type: "confirm", confirm: { kind: "quit", prompt: "?" } });
    expect(keyIntent(s, "y", {})).toEqual({ effect: "quit", stopCluster: true });
    expect(keyIntent(s, "n", {})).toEqual({ effect: "quit", stopCluster: false });
    expect(keyIntent(s, "", { escape: true })).toEqual({ type: "cancel" });
    expect(keyIntent(s, "c", { ctrl: true })).toEqual({ effect: "interrupt" });
  });

  it("an Enter that arrived as a newline (typed before the terminal went raw) opens the exercise as Enter does", async () => {
    const s = await base();
    expect(keyIntent(s, "\n", {})).toEqual(keyIntent(s, "", { return: true }));
    expect(keyIntent(s, "\n", {})).toEqual({ type: "open" });
  });

  it("the filter takes typed text until enter or esc", async () => {
    let s = reducer(open(await base()), { type: "filterStart" });
    for (const ch of "slave") {
      const i = keyIntent(s, ch, {});
      expect(i).toMatchObject({ type: "filterText" });
      s = reducer(s, i as { type: "filterText"; text: string });
    }
    expect(s.filter).toBe("slave");
    expect(keyIntent(s, "q", {})).toEqual({ type: "filterText", text: "slaveq" });
    s = reducer(s, keyIntent(s, "", { return: true }) as { type: "filterEnd"; keep: boolean });
    expect(s).toMatchObject({ filter: "slave", filterEditing: false });
  });
});
