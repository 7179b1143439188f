import type { RunnerOptions } from "../engine/runner-options.js";
import { type Shard, unitsOf, type Weighted } from "./shard.js";
import { stepsOf, type VerifySelection } from "./run-selections.js";

/**
 * A step's weight when no step has a recorded duration: the catalogue took about 7 s a step on real Mesos 1.11 at
 * `--jobs 1` (issue 23). Only the ratio between steps matters to the parts, so any constant splits by step counts.
 */
export const DEFAULT_STEP_MS = 7_000;

/** What a step without a recorded duration weighs: the median recorded step, so a lab's own steps weigh like ours. */
export function fallbackStepMs(durations: ReadonlyMap<string, number>): number {
  const sorted = [...durations.values()].sort((a, b) => a - b);
  if (sorted.length === 0) return DEFAULT_STEP_MS;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Each exercise of the selection once, weighing the recorded durations (`NN:step` → ms) of the steps it runs. An
 * exercise named twice (`verify 03:1 03`) is one unit, so both runs of it land in the same part.
 */
export function exerciseWeights(
  selected: readonly VerifySelection[],
  mesos: RunnerOptions["config"]["mesos"],
  durations: ReadonlyMap<string, number>,
): Weighted[] {
  const fallback = fallbackStepMs(durations);
  const weights = new Map<string, number>();
  for (const sel of selected) {
    const id = sel.exercise.id;
    const ms = stepsOf(sel, mesos).reduce((sum, step) => sum + (durations.get(`${id}:${step.id}`) ?? fallback), 0);
    weights.set(id, (weights.get(id) ?? 0) + ms);
  }
  return [...weights].map(([id, weightMs]) => ({ id, weightMs }));
}

/** The selections of one part: its exercises whole, in the order they were selected. */
export function shardSelection(
  selected: readonly VerifySelection[],
  shard: Shard,
  mesos: RunnerOptions["config"]["mesos"],
  durations: ReadonlyMap<string, number>,
): VerifySelection[] {
  const mine = new Set(unitsOf(exerciseWeights(selected, mesos, durations), shard).map((u) => u.id));
  return selected.filter((sel) => mine.has(sel.exercise.id));
}
