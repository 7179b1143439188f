import type { LabBus, LabEvent, StepResult } from "../engine/events.js";

/**
 * A subscriber to one lab run's event stream (redacted before it gets here). Reporters that write a report at the
 * end collect what they need from the events and write when `run:end` arrives; `close` is the run's end or an
 * interrupt (the plain reporter prints what parallel exercises still hold).
 */
export interface Reporter {
  event(ev: LabEvent): void;
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

  event(ev: LabEvent): void {
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
