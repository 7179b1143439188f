import type { Cluster } from "../engine/cluster.js";

/** Where the last run left a cluster: which exercise and step ran on it and whether that step passed. */
export interface StepTrail<C extends Pick<Cluster, "intact"> = Cluster> {
  exercise: string;
  index: number;
  passed: boolean;
  cluster: C;
}

/**
 * Running the step right after one that passed goes on with its cluster, as `verify` does, so only what the step
 * changes restarts. Anything else (a re-run, a jump, after a failure) starts a fresh cluster with the cumulative flags.
 */
export function clusterToContinue<C extends Pick<Cluster, "intact">>(trail: StepTrail<C> | undefined, exercise: string, index: number): C | undefined {
  return trail?.passed && trail.exercise === exercise && trail.index === index - 1 && trail.cluster.intact ? trail.cluster : undefined;
}
