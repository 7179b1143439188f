import type { LabConfig } from "../config/schema.js";
import type { ContainerRuntime } from "../runtime/container-runtime.js";
import type { Cluster } from "./cluster.js";
import type { LabBus } from "./events.js";
import type { Material } from "./material.js";
import type { EnvOverride } from "./render.js";

/** What one run of an exercise runs with; the actions read it too (actions/context.ts), so it lives apart from the runner. */
export interface RunnerOptions {
  config: LabConfig;
  runtime: ContainerRuntime;
  material: Material;
  bus: LabBus;
  labId: string;
  /**
   * The id of the run this exercise is part of (`verify`'s, in its run:start): the exercise's containers and network
   * carry `<runId>-<exercise>`, so what a report names is what `docker ps` shows. Unset: a run of its own.
   */
  runId?: string;
  publish: "configured" | "ephemeral";
  publishHost: string;
  /** Keep the cluster after the last step (`up`). */
  keep?: boolean;
  /** Stop after this step id (`up 03:agent-credential`). */
  untilStep?: string;
  /** Run only this step (TUI re-run); earlier steps' deltas still apply. */
  onlyStep?: string;
  signal?: AbortSignal;
  /** Hands-on mode: the env per role comes from the attendee's workspace file instead of the steps' deltas. */
  envOverride?: EnvOverride;
  /**
   * Go on with the cluster a kept run of the same exercise left, as `verify` goes from one step to the next (the TUI's
   * next step): only what the step changes is restarted. It must hold the state the step before `onlyStep` left.
   */
  cluster?: Cluster;
  /**
   * The clusters of the calling run that are up: the runner adds its cluster and removes it once disposed, so the
   * run's Ctrl-C / SIGTERM cleanup (src/lab/signal-cleanup.ts) finds what to remove.
   */
  clusters?: Set<Cluster>;
  /** Told the cluster the run uses, so a caller can keep it for the next step. */
  onCluster?: (cluster: Cluster) => void;
}
