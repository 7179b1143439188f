import type { PullProgress } from "../runtime/types.js";
import type { ExpectationResult, LabEvent, StepResult } from "../engine/events.js";
import type { EnvChange } from "../engine/render.js";
import type { Action } from "../model/exercise.js";
import type { DoctorCheck } from "../lab/doctor-check.js";
import { clearExercise, recordExploit, recordResult, type LabProgress } from "../lab/progress.js";
import { perRole, type Role } from "../model/roles.js";
import type { AuditReport } from "../audit/types.js";

/**
 * Everything the TUI shows, as one pure reducer: engine events (batched) and key intents go in, a new state comes
 * out. Components only read it, so the whole experience is testable from recorded LabEvent sequences.
 */

export const LOG_ROLES = ["master", "agent", "zk", "execute"] as const satisfies readonly Role[];
/**
 * A log pane: a role's output, or `answers`, the step's HTTP requests each with the answer it got. Answers sat in the
 * master and agent panes among their logs, without saying which request they answered (issue 19).
 */
export type PaneId = Role | "answers";
/** The attacker's pane holds its commands' output and its relay's recording; an HTTP action's answer has its own. */
export const paneOf = (ev: { role: Role; source: string }): PaneId => (ev.source.startsWith("http:") ? "answers" : ev.role === "relay" ? "attacker" : ev.role);
/** Lines kept per role: enough to scroll back through a step, bounded for a GLOG_v=2 stream. */
export const LOG_CAP = 500;

export interface StepInfo {
  id: string;
  title: string;
  text: string;
  hint: string;
  solution?: string;
  diff: Record<Role, EnvChange[]>;
  expectations: Array<{ id: string; says: string }>;
  /** An attack step: its attack, what the step expects of it, and which expectations are the attack's evidence. */
  attack?: { id: string; title: string; expect: "works" | "blocked"; evidence: string[]; actions: Action[] };
}

export interface ExerciseInfo {
  id: string;
  slug: string;
  title: string;
  summary: string;
  text: string;
  steps: StepInfo[];
}

export interface LogEntry {
  text: string;
  stream: "stdout" | "stderr";
  source: string;
  /** The request an answer pane's following lines answer (`→ GET master/state as viewer-principal`). */
  request?: boolean;
}

export interface RunView {
  exercise: string;
  step: string;
  running: boolean;
  /** When the attendee asked for the run (ties an audit to it). */
  startedAt: number;
  /**
   * When the step itself started (its step:start), the moment the report's time counts from: the spinner counts from
   * here too, not from the key press, which also covers preparing the run (issue 19 saw 7.6 s on the spinner, then
   * "Step passed in 4.6 s").
   */
  stepStartedAt?: number;
  actions: Array<{ action: string; detail: string; ms?: number }>;
  expectations: ExpectationResult[];
  containers: Partial<Record<Role, { state: string; exitCode?: number | null }>>;
  result?: StepResult;
  /** Set when the run could not start or crashed (a LabError's message and fix). */
  error?: string;
}

/** An exercise this host cannot run (src/lab/exercise-verdicts.ts): why, the fix, and when that was checked. */
export interface Unavailable {
  reason: string;
  fix: string;
  /** "(last checked by doctor at …)" for a recorded verdict; unset for the one the TUI checked when it opened. */
  checked?: string;
}

export type Confirm = { kind: "quit" | "reset" | "resetAll" | "solution"; prompt: string };
export type Screen = "list" | "step" | "doctor";

export interface TuiState {
  exercises: ExerciseInfo[];
  progress: LabProgress;
  screen: Screen;
  cursor: number;
  exIndex: number;
  stepIndex: number;
  showHint: boolean;
  showSolution: boolean;
  logFocus: PaneId | "all";
  /**
   * Scroll-back in the focused pane: the view ends `back` lines before line number `anchor` (counted since the step
   * started, dropped lines included), so lines arriving meanwhile do not move what the attendee is reading.
   */
  scroll?: { anchor: number; back: number };
  /** The step body's first line when the attendee scrolled it (↑/↓ with every log pane shown); unset: follow the run. */
  bodyScroll?: number;
  /** Long flag values in full (the `e` key) instead of cut with an ellipsis. */
  expandFlags: boolean;
  filter: string;
  filterEditing: boolean;
  confirm?: Confirm;
  run?: RunView;
  logs: Record<PaneId, LogEntry[]>;
  /** Lines dropped from the ring since the step started (shown so a truncated pane is not mistaken for silence). */
  dropped: Record<PaneId, number>;
  pulls: Record<string, PullProgress>;
  doctor?: { loading: boolean; checks: DoctorCheck[]; error?: string };
  message?: string;
  mode: "guided" | "hands-on";
  tick: number;
  /** Where this machine reaches the cluster the last step left (its UIs, an attendee's own attack), and its containers' names. */
  published?: Extract<LabEvent, { type: "published" }>;
  /** The attendee's own exploit of the current step's attack, as the lab saw it. */
  exploit?: Extract<LabEvent, { type: "exploit" }>;
  names: Partial<Record<Role, string>>;
  /** The exercises that cannot run here, by id: marked in the list, and their steps refuse to run. */
  unavailable: Record<string, Unavailable>;
  /** The audit of the lab's own cluster once an exercise's last step has run (audit-panel.ts). */
  audit?: AuditView;
}

export type TuiAction =
  | { type: "events"; events: LabEvent[]; now?: number }
  | { type: "cursor"; delta: number }
  | { type: "open"; exIndex?: number }
  | { type: "back" }
  | { type: "step"; delta: number }
  | { type: "toggleHint" }
  | { type: "showSolution" }
  | { type: "cycleLogs" }
  | { type: "scroll"; delta: number }
  | { type: "follow" }
  | { type: "bodyScroll"; top: number }
  | { type: "toggleFlags" }
  | { type: "filterStart" }
  | { type: "filterText"; text: string }
  | { type: "filterEnd"; keep: boolean }
  | { type: "confirm"; confirm: Confirm }
  | { type: "cancel" }
  | { type: "runRequested"; now: number }
  | { type: "runError"; error: string }
  | { type: "resetExercise" }
  | { type: "doctorStart" }
  | { type: "doctorDone"; checks: DoctorCheck[]; error?: string }
  | { type: "message"; text?: string }
  /** What the TUI found when it opened (or later): the exercises that cannot run here, replacing what it knew. */
  | { type: "availability"; unavailable: Record<string, Unavailable> }
  | { type: "auditStart"; due: AuditDue }
  /** The audit's answer: kept only when it is for the run the screen still shows. */
  | { type: "auditEnd"; key: string; report: AuditReport }
  | { type: "auditEnd"; key: string; reason: string }
  | { type: "tick" };

const emptyLogs = (): Record<PaneId, LogEntry[]> => ({ ...perRole((): LogEntry[] => []), answers: [] });
const zeroDropped = (): Record<PaneId, number> => ({ ...perRole(() => 0), answers: 0 });

export function initialState(
  exercises: ExerciseInfo[],
  progress: LabProgress,
  mode: TuiState["mode"] = "guided",
  unavailable: Record<string, Unavailable> = {},
): TuiState {
  // resume where the attendee left off
  const exIndex = Math.max(
    0,
    exercises.findIndex((e) => e.id === progress.current?.exercise),
  );
  const stepIndex = Math.max(0, exercises[exIndex]?.steps.findIndex((s) => s.id === progress.current?.step) ?? 0);
  return {
    exercises,
    progress,
    screen: "list",
    cursor: exIndex,
    exIndex,
    stepIndex,
    showHint: false,
    showSolution: false,
    logFocus: "all",
    expandFlags: false,
    filter: "",
    filterEditing: false,
    logs: emptyLogs(),
    dropped: zeroDropped(),
    pulls: {},
    mode,
    tick: 0,
    names: {},
    unavailable,
  };
}

/** Why the current exercise cannot run here, or undefined. */
export const unavailableHere = (s: TuiState): Unavailable | undefined => {
  const ex = currentExercise(s);
  return ex ? s.unavailable[ex.id] : undefined;
};

/** "cannot run here: <reason> · fix: <fix>": what the TUI says when a step of it is asked to run. */
export const unavailableText = (u: Unavailable) => `cannot run here: ${u.reason}${u.checked ? ` ${u.checked}` : ""} · fix: ${u.fix}`;

export const currentExercise = (s: TuiState): ExerciseInfo | undefined => s.exercises[s.exIndex];
export const currentStep = (s: TuiState): StepInfo | undefined => currentExercise(s)?.steps[s.stepIndex];
export const stepPassed = (s: TuiState): boolean => {
  const ex = currentExercise(s);
  const st = currentStep(s);
  return !!ex && !!st && !!s.progress.exercises[ex.id]?.passed.includes(st.id);
};
export const isRunning = (s: TuiState): boolean => !!s.run?.running;

/** The audit of one finished run: `key` ties it to that run, so a late answer never lands on a newer one. */
export type AuditView = { key: string; exercise: string; step: string } & (
  | { status: "running" }
  | { status: "done"; report: AuditReport }
  | { status: "failed"; reason: string }
);

/** An audit of the lab the screen owes: which run it is for, and where that run's cluster is published. */
export interface AuditDue {
  key: string;
  exercise: string;
  step: string;
  urls: Partial<Record<"master" | "agent", string>>;
}

/**
 * The last step of an exercise ran to its end on a cluster that published its master, and that run has no audit yet.
 * A step that could not run (status error) may have left no cluster to audit, so it is not asked for.
 */
export function auditDue(s: TuiState): AuditDue | undefined {
  const run = s.run;
  if (!run || run.running || !run.result || run.result.status === "error") return undefined;
  const ex = s.exercises.find((e) => e.id === run.exercise);
  if (!ex || ex.steps.at(-1)?.id !== run.step) return undefined;
  const urls = s.published?.exercise === run.exercise ? s.published.urls : undefined;
  if (!urls?.master) return undefined;
  const key = `${run.exercise}:${run.step}:${run.startedAt}`;
  return s.audit?.key === key ? undefined : { key, exercise: run.exercise, step: run.step, urls };
}

function withCurrent(s: TuiState): TuiState {
  const ex = currentExercise(s);
  const st = currentStep(s);
  if (!ex || !st) return s;
  return { ...s, progress: { ...s.progress, current: { exercise: ex.id, step: st.id } } };
}

/**
 * Appends a batch of log lines to the per-pane rings: one copy per batch, never per line. The first line of an HTTP
 * action's answer comes under a line naming its request (the action's description from its action:start).
 */
function appendLogs(s: TuiState, logs: Array<Extract<LabEvent, { type: "log" }>>): Pick<TuiState, "logs" | "dropped"> {
  if (logs.length === 0) return { logs: s.logs, dropped: s.dropped };
  const byPane = emptyLogs();
  let lastAnswer = s.logs.answers.at(-1)?.source;
  for (const l of logs) {
    const pane = paneOf(l);
    if (pane === "answers" && l.source !== lastAnswer) {
      const id = l.source.slice("http:".length);
      const detail = s.run?.actions.findLast((a) => a.action === id)?.detail ?? id;
      byPane.answers.push({ text: `→ ${detail}`, stream: "stdout", source: l.source, request: true });
      lastAnswer = l.source;
    }
    byPane[pane].push({ text: l.text, stream: l.stream, source: l.source });
  }
  const out = { ...s.logs };
  const dropped = { ...s.dropped };
  for (const pane of Object.keys(byPane) as PaneId[]) {
    const add = byPane[pane];
    if (add.length === 0) continue;
    const merged = s.logs[pane].length + add.length > LOG_CAP ? [...s.logs[pane], ...add].slice(-LOG_CAP) : [...s.logs[pane], ...add];
    dropped[pane] += s.logs[pane].length + add.length - merged.length;
    out[pane] = merged;
  }
  return { logs: out, dropped };
}

function applyEvent(s: TuiState, ev: LabEvent, now: number): TuiState {
  switch (ev.type) {
    case "image:pull": {
      const key = `${ev.progress.image} ${ev.progress.layer ?? ""}`;
      return { ...s, pulls: { ...s.pulls, [key]: ev.progress } };
    }
    case "step:start": {
      if (!s.run) return s;
      return {
        ...s,
        run: { ...s.run, step: ev.step.id, stepStartedAt: now, actions: [], expectations: [], result: undefined },
        logs: emptyLogs(),
        dropped: zeroDropped(),
        pulls: {},
        scroll: undefined,
      };
    }
    case "container": {
      const names = ev.name && (ev.state === "created" || ev.state === "reused") ? { ...s.names, [ev.role]: ev.name } : s.names;
      if (!s.run) return { ...s, names };
      return { ...s, names, run: { ...s.run, containers: { ...s.run.containers, [ev.role]: { state: ev.state, exitCode: ev.exitCode } } } };
    }
    case "published":
      return { ...s, published: ev };
    case "exploit":
      return {
        ...s,
        exploit: ev,
        progress: recordExploit(s.progress, ev.exercise, ev.attack),
        message: `☠ you exploited it yourself (from ${ev.from}): the lab saw it`,
      };
    case "action:start":
      return s.run ? { ...s, run: { ...s.run, actions: [...s.run.actions, { action: ev.action, detail: ev.detail }] } } : s;
    case "action:end": {
      if (!s.run) return s;
      const actions = s.run.actions.map((a) => (a.action === ev.action && a.ms === undefined ? { ...a, ms: ev.ms } : a));
      return { ...s, run: { ...s.run, actions } };
    }
    case "expectation": {
      if (!s.run) return s;
      const others = s.run.expectations.filter((e) => e.id !== ev.result.id);
      const order = currentStep(s)?.expectations.map((e) => e.id) ?? [];
      const expectations = [...others, ev.result].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
      return { ...s, run: { ...s.run, expectations } };
    }
    case "step:end": {
      const r = ev.result;
      const progress = recordResult(s.progress, r, new Date(now).toISOString());
      return { ...s, progress, run: s.run ? { ...s.run, result: r, expectations: r.expectations } : s.run };
    }
    case "exercise:end":
      return s.run ? { ...s, run: { ...s.run, running: false } } : s;
    case "warning":
      return { ...s, message: ev.message };
    default:
      return s;
  }
}

export function reducer(s: TuiState, a: TuiAction): TuiState {
  switch (a.type) {
    case "events": {
      const now = a.now ?? Date.now();
      // logs of one batch are appended together; a step:start inside the batch clears what came before it
      let next = s;
      let pending: Array<Extract<LabEvent, { type: "log" }>> = [];
      const flush = () => {
        if (pending.length) next = { ...next, ...appendLogs(next, pending) };
        pending = [];
      };
      for (const ev of a.events) {
        if (ev.type === "log") pending.push(ev);
        else {
          if (ev.type === "step:start") pending = [];
          flush();
          next = applyEvent(next, ev, now);
        }
      }
      flush();
      return next;
    }
    case "cursor": {
      const n = s.exercises.length;
      if (n === 0) return s;
      return { ...s, cursor: (s.cursor + a.delta + n) % n };
    }
    case "open": {
      const exIndex = a.exIndex ?? s.cursor;
      if (!s.exercises[exIndex]) return s;
      const ex = s.exercises[exIndex]!;
      // reopening the exercise the attendee was on keeps their step; another one starts at its first unpassed step
      const passed = s.progress.exercises[ex.id]?.passed ?? [];
      const stepIndex =
        exIndex === s.exIndex
          ? s.stepIndex
          : Math.max(
              0,
              ex.steps.findIndex((st) => !passed.includes(st.id)),
            );
      return withCurrent({
        ...s,
        screen: "step",
        exIndex,
        cursor: exIndex,
        stepIndex,
        showHint: false,
        showSolution: false,
        message: undefined,
        bodyScroll: undefined,
      });
    }
    case "back":
      return { ...s, screen: "list", cursor: s.exIndex, confirm: undefined, message: undefined };
    case "step": {
      const ex = currentExercise(s);
      if (!ex || isRunning(s)) return s;
      const stepIndex = Math.min(ex.steps.length - 1, Math.max(0, s.stepIndex + a.delta));
      if (stepIndex === s.stepIndex) return s;
      return withCurrent({ ...s, stepIndex, showHint: false, showSolution: false, message: undefined, bodyScroll: undefined });
    }
    case "toggleHint":
      return { ...s, showHint: !s.showHint };
    case "showSolution":
      return { ...s, showSolution: true, confirm: undefined };
    case "cycleLogs": {
      const order: Array<PaneId | "all"> = [
        "all",
        ...LOG_ROLES,
        ...(currentStep(s)?.attack || s.logs.attacker.length ? (["attacker"] as const) : []),
        ...(s.logs.answers.length ? (["answers"] as const) : []),
      ];
      return { ...s, logFocus: order[(order.indexOf(s.logFocus) + 1) % order.length]!, scroll: undefined };
    }
    case "scroll": {
      if (s.logFocus === "all") return s;
      const role = s.logFocus;
      const anchor = s.scroll?.anchor ?? s.logs[role].length + s.dropped[role];
      // at least one line stays in view; scrolling back down to the end follows the stream again
      const back = Math.min(Math.max(0, (s.scroll?.back ?? 0) + a.delta), Math.max(0, anchor - s.dropped[role] - 1));
      return { ...s, scroll: back === 0 ? undefined : { anchor, back } };
    }
    case "follow":
      return { ...s, scroll: undefined };
    case "bodyScroll":
      return { ...s, bodyScroll: Math.max(0, a.top) };
    case "toggleFlags":
      return { ...s, expandFlags: !s.expandFlags };
    case "filterStart":
      return { ...s, filterEditing: true };
    case "filterText":
      return { ...s, filter: a.text };
    case "filterEnd":
      return { ...s, filterEditing: false, filter: a.keep ? s.filter : "" };
    case "confirm":
      return { ...s, confirm: a.confirm };
    case "cancel":
      return { ...s, confirm: undefined };
    case "runRequested": {
      const ex = currentExercise(s);
      const st = currentStep(s);
      if (!ex || !st || isRunning(s) || s.unavailable[ex.id]) return s;
      return withCurrent({
        ...s,
        screen: "step",
        audit: undefined,
        message: undefined,
        logs: emptyLogs(),
        dropped: zeroDropped(),
        pulls: {},
        scroll: undefined,
        bodyScroll: undefined,
        run: { exercise: ex.id, step: st.id, running: true, startedAt: a.now, actions: [], expectations: [], containers: {} },
      });
    }
    case "runError":
      return { ...s, run: s.run ? { ...s.run, running: false, error: a.error } : s.run };
    case "resetExercise": {
      const ex = currentExercise(s);
      if (!ex) return s;
      return withCurrent({
        ...s,
        progress: clearExercise(s.progress, ex.id),
        stepIndex: 0,
        run: undefined,
        audit: undefined,
        logs: emptyLogs(),
        dropped: zeroDropped(),
        confirm: undefined,
        showHint: false,
        showSolution: false,
        message: `exercise ${ex.id} reset`,
      });
    }
    case "doctorStart":
      return { ...s, screen: "doctor", doctor: { loading: true, checks: [] } };
    case "doctorDone":
      return { ...s, doctor: { loading: false, checks: a.checks, error: a.error } };
    case "message":
      return { ...s, message: a.text };
    case "availability":
      return { ...s, unavailable: a.unavailable };
    case "auditStart":
      return { ...s, audit: { key: a.due.key, exercise: a.due.exercise, step: a.due.step, status: "running" } };
    case "auditEnd": {
      if (s.audit?.key !== a.key) return s;
      const { key, exercise, step } = s.audit;
      return {
        ...s,
        audit: "report" in a ? { key, exercise, step, status: "done", report: a.report } : { key, exercise, step, status: "failed", reason: a.reason },
      };
    }
    case "tick":
      return { ...s, tick: s.tick + 1 };
  }
}
