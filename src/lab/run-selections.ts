import type { LabBus, StepResult } from "../engine/events.js";
import { stepApplies, type EnvOverride } from "../engine/render.js";
import { newRunId } from "../engine/cluster.js";
import { runExercise } from "../engine/runner.js";
import type { RunnerOptions } from "../engine/runner-options.js";
import type { Exercise, Step } from "../model/exercise.js";
import type { ExerciseSkipped } from "../report/reporter.js";
import { EXIT } from "../util/errors.js";

export interface VerifyOutcome {
  results: StepResult[];
  exitCode: number;
}

/**
 * What to run of one exercise: every step, the steps up to `step`, or with `only` just that step. `envOverride` is
 * hands-on mode: the env comes from the attendee's workspace file instead of the steps' deltas.
 */
export interface VerifySelection {
  exercise: Exercise;
  step?: string;
  only?: boolean;
  envOverride?: EnvOverride;
}

/** The steps a selection runs under the profile: all that apply, those up to `step`, or with `only` that one. */
export function stepsOf(sel: VerifySelection, mesos: RunnerOptions["config"]["mesos"]): Step[] {
  if (sel.step && sel.only) return sel.exercise.steps.filter((s) => s.id === sel.step);
  const steps = sel.exercise.steps.filter((s) => stepApplies(s, mesos));
  return sel.step ? steps.slice(0, steps.findIndex((s) => s.id === sel.step) + 1) : steps;
}

/**
 * Runs exercises, `jobs` at a time, each on its own network; exit 0 only when every expectation held. The exercises
 * in `skip` (`verify --all` where they cannot run here) are in the run's header, then reported skipped through
 * `onSkip` with their reason, and nothing of them runs: they neither pass nor fail the run.
 */
export async function runSelections(
  all: VerifySelection[],
  base: Omit<RunnerOptions, "untilStep" | "onlyStep" | "bus" | "envOverride"> & {
    bus: LabBus;
    jobs: number;
    /** The run's id; made here when the caller has none. */
    runId?: string;
    handsOn?: string;
    skip?: ReadonlyMap<string, { reason: string; fix: string }>;
    onSkip?: (ev: ExerciseSkipped) => void;
  },
): Promise<VerifyOutcome> {
  const t0 = Date.now();
  const runId = base.runId ?? newRunId();
  base.bus.emit({
    type: "run:start",
    runId,
    profile: base.config.profile,
    exercises: all.map((s) => ({ id: s.exercise.id, title: s.exercise.title, steps: stepsOf(s, base.config.mesos).length })),
    handsOn: base.handsOn,
  });
  for (const sel of all) {
    const why = base.skip?.get(sel.exercise.id);
    if (why)
      base.onSkip?.({
        type: "exercise:skipped",
        exercise: { id: sel.exercise.id, title: sel.exercise.title },
        steps: stepsOf(sel, base.config.mesos).map((st) => ({ id: st.id, title: st.title })),
        reason: why.reason,
        fix: why.fix,
      });
  }
  const selected = all.filter((s) => !base.skip?.has(s.exercise.id));
  const results: StepResult[][] = new Array(selected.length);
  let next = 0;
  let firstError: unknown;
  const worker = async () => {
    while (next < selected.length && firstError === undefined) {
      const i = next++;
      const sel = selected[i]!;
      try {
        results[i] = await runExercise(sel.exercise, {
          ...base,
          runId,
          onlyStep: sel.only ? sel.step : undefined,
          untilStep: sel.only ? undefined : sel.step,
          envOverride: sel.envOverride,
        });
      } catch (err) {
        firstError ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(base.jobs, selected.length)) }, worker));
  if (firstError !== undefined) throw firstError;
  const flat = results.flat().filter(Boolean);
  const failed = flat.filter((r) => r.status !== "passed").length;
  const exitCode = failed === 0 && flat.length > 0 ? EXIT.ok : EXIT.expectationsFailed;
  base.bus.emit({ type: "run:end", passed: flat.length - failed, failed, durationMs: Date.now() - t0, exitCode });
  return { results: flat, exitCode };
}
