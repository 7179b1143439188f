import { EventEmitter } from "node:events";
import type { LabBus, LabEvent, StepResult } from "../engine/events.js";

/**
 * `verify --all` on a host where an exercise cannot run (src/lab/exercise-verdicts.ts): the exercise is reported as
 * skipped, with the reason and the fix, right after `run:start`, and nothing of it runs. The run's own event (the
 * engine never emits it), so it travels on the reporters' stream only.
 */
export interface ExerciseSkipped {
  type: "exercise:skipped";
  exercise: { id: string; title: string };
  /** The steps it would have run (the JUnit report has a skipped test case for each). */
  steps: Array<{ id: string; title: string }>;
  reason: string;
  fix: string;
}

/** What reporters get: the engine's events, redacted, and the run's own. */
export type ReportEvent = LabEvent | ExerciseSkipped;

/** The reporters' stream (LabBus carries the engine's events only). */
export class ReportBus {
  private readonly ee = new EventEmitter();
  constructor() {
    this.ee.setMaxListeners(50);
  }
  emit(ev: ReportEvent): void {
    this.ee.emit("event", ev);
  }
  on(cb: (ev: ReportEvent) => void): () => void {
    this.ee.on("event", cb);
    return () => this.ee.off("event", cb);
  }
}

/**
 * A subscriber to one lab run's event stream (redacted before it gets here). Reporters that write a report at the
 * end collect what they need from the events and write when `run:end` arrives; `close` is the run's end or an
 * interrupt (the plain reporter prints what parallel exercises still hold).
 */
export interface Reporter {
  event(ev: ReportEvent): void;
  close(): void;
}

/** What a reporter is given: where it writes (a stream reporter) or the screen's bus it feeds (the TUI). */
export interface ReporterOptions {
  write?: (text: string) => void;
  verbose?: boolean;
  screen?: LabBus;
  /** `verify --shard`: the part this run is, named in the report so the parts' reports can be told apart and merged. */
  shard?: ShardLabel;
}

/** Part `index` of `total`; `exercises` is how many the parts share among them. */
export interface ShardLabel {
  index: number;
  total: number;
  exercises: number;
}

/** The steps' results of a run as they end, in the order of the run's exercises (not the order `--jobs` ends them). */
export class StepCollector {
  profile = "";
  titles: Record<string, string> = {};
  private order: string[] = [];
  private readonly byExercise = new Map<string, StepResult[]>();
  /** The exercises the run skipped, in the order it said so. */
  readonly skipped: ExerciseSkipped[] = [];

  event(ev: ReportEvent): void {
    if (ev.type === "exercise:skipped") this.skipped.push(ev);
    if (ev.type === "run:start") {
      this.profile = ev.profile;
      this.order = ev.exercises.map((e) => e.id);
      this.titles = Object.fromEntries(ev.exercises.map((e) => [e.id, e.title]));
    }
    if (ev.type === "step:end") this.byExercise.set(ev.result.exercise, [...(this.byExercise.get(ev.result.exercise) ?? []), ev.result]);
  }

  results(): StepResult[] {
    const rest = [...this.byExercise.keys()].filter((id) => !this.order.includes(id));
    return [...new Set([...this.order, ...rest])].flatMap((id) => this.byExercise.get(id) ?? []);
  }
}
