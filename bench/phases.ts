import type { LabBus, LabEvent, StepResult } from "../src/engine/events.js";

/**
 * Where a step's time goes, from the events of a run (each stamped when the bench received it): the phases issue
 * "Fast enough to wait for…" names, summed over the steps they occur in, with how many steps had them.
 *
 * - container start: a step's containers created and started (its reconcile, less ZooKeeper's readiness);
 * - ZooKeeper readiness: a new ZooKeeper started → it answers (`srvr`);
 * - master election: a new master started → it leads, its registry recovered;
 * - agent registration: a new agent started → `Registered with master` (its backoff included);
 * - framework registration: `mesos-execute` started → `Subscribed with ID`;
 * - task launch: `Subscribed` → the task's first status update;
 * - negative windows: a step's positives all settled → its last negative passed (each deadline waited out);
 * - rest: everything else of the step's wall time (attacks, HTTP calls, a task's run, waits for exits).
 *
 * Phases of one step may overlap (a new master's election and a new agent's start run side by side), so they do not
 * add up to the wall time; `rest` is what none of them covers.
 */
export const PHASES = [
  "container start",
  "ZooKeeper readiness",
  "master election",
  "agent registration",
  "framework registration",
  "task launch",
  "negative windows",
  "rest",
] as const;
export type Phase = (typeof PHASES)[number];

export interface Breakdown {
  steps: number;
  totalMs: number;
  medianStepMs: number;
  phases: Record<Phase, { ms: number; steps: number }>;
}

interface Stamped {
  t: number;
  ev: LabEvent;
}

/** Records a bus's events with their arrival times; `breakdown()` reads them. */
export function recordPhases(bus: LabBus): { breakdown: (results: StepResult[]) => Breakdown } {
  const events: Stamped[] = [];
  bus.on((ev) => events.push({ t: Date.now(), ev }));
  return { breakdown: (results) => breakdown(events, results) };
}

function breakdown(events: Stamped[], results: StepResult[]): Breakdown {
  const phases = Object.fromEntries(PHASES.map((p) => [p, { ms: 0, steps: 0 }])) as Breakdown["phases"];
  const add = (p: Phase, ms: number) => {
    if (ms <= 0) return;
    phases[p].ms += ms;
    phases[p].steps++;
  };
  // the events of one step: from its step:start to its step:end, of its exercise (exercises may run side by side)
  for (const r of results) {
    const start = events.findIndex((s) => s.ev.type === "step:start" && s.ev.exercise === r.exercise && s.ev.step.id === r.step);
    const end = events.findIndex((s, i) => i > start && s.ev.type === "step:end" && s.ev.result.exercise === r.exercise && s.ev.result.step === r.step);
    if (start < 0 || end < 0) continue;
    const own = events.slice(start, end + 1).filter((s) => ("exercise" in s.ev ? s.ev.exercise === r.exercise : s.ev.type === "step:end"));
    const at = (pred: (ev: LabEvent) => boolean) => own.find((s) => pred(s.ev))?.t;
    const container = (role: string, state: string) => at((ev) => ev.type === "container" && ev.role === role && ev.state === state);
    const logLine = (role: string, re: RegExp) => at((ev) => ev.type === "log" && ev.role === role && re.test(ev.text));
    const spent: Partial<Record<Phase, number>> = {};
    const span = (p: Phase, from: number | undefined, to: number | undefined) => {
      if (from !== undefined && to !== undefined && to > from) spent[p] = (spent[p] ?? 0) + (to - from);
    };
    span("ZooKeeper readiness", container("zk", "started"), container("zk", "ready"));
    span("master election", container("master", "started"), container("master", "ready"));
    span("agent registration", container("agent", "started"), logLine("agent", /Registered with master/));
    const execStart = at((ev) => ev.type === "action:start" && ev.detail.startsWith("mesos-execute"));
    const subscribed = logLine("execute", /^Subscribed with ID/);
    span("framework registration", execStart, subscribed);
    span("task launch", subscribed, logLine("execute", /^Received status update TASK_/));
    spent["container start"] = Math.max(0, r.timings.reconcileMs - (spent["ZooKeeper readiness"] ?? 0));
    // positives settled → the last negative passed: what the step waited out on lines that must not appear
    const results_ = own.filter((s): s is Stamped & { ev: Extract<LabEvent, { type: "expectation" }> } => s.ev.type === "expectation");
    const positives = results_.filter((s) => !s.ev.result.negate).map((s) => s.t);
    const negatives = results_.filter((s) => s.ev.result.negate && s.ev.result.status === "passed").map((s) => s.t);
    if (negatives.length) span("negative windows", Math.max(own[0]!.t, ...positives), Math.max(...negatives));
    const counted = Object.values(spent).reduce((a, b) => a + (b ?? 0), 0);
    spent.rest = Math.max(0, r.durationMs - counted);
    for (const p of PHASES) add(p, spent[p] ?? 0);
  }
  const durations = results.map((r) => r.durationMs).sort((a, b) => a - b);
  return {
    steps: results.length,
    totalMs: durations.reduce((a, b) => a + b, 0),
    medianStepMs: durations.length ? durations[Math.floor(durations.length / 2)]! : 0,
    phases,
  };
}
