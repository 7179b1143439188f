import type { Action } from "../../model/exercise.js";
import type { Role } from "../../model/roles.js";
import type { Cluster } from "../cluster.js";
import type { DiedProcess } from "../events.js";
import type { ExpectationSet } from "../expectations.js";
import type { RenderedStep } from "../render.js";
import type { RunnerOptions } from "../runner-options.js";
import type { SourceKey } from "../source-keys.js";

/** What an action runs with: the step's cluster and expectations, and where it reports what it saw. */
export interface ActionContext {
  cluster: Cluster;
  step: RenderedStep;
  /** Where its output goes: the step's expectations (`mesos-lab attack`: both evidence sets of an attack). */
  set: Pick<ExpectationSet, "feed" | "endSource" | "waitingOn">;
  options: RunnerOptions;
  /** mesos-execute runs started by this step: cluster key (`execute#n`) → action id, stopped when the step ends. */
  executeIds: Map<string, string>;
  /** Resolves when an expectation's result changes. */
  changed: () => Promise<void>;
  /** Processes that ended badly, for the failure report. */
  died: DiedProcess[];
}

/** One kind of action: how a report names it, and how it runs (feeding its source keys, src/engine/source-keys.ts). */
export interface ActionHandler<A extends Action> {
  describe(action: A): string;
  run(ctx: ActionContext, action: A): Promise<void>;
}

/** Feeds lines to a key and to the event stream (as `source`), then ends the key with `why`. */
export function feedAll(ctx: ActionContext, key: SourceKey, lines: string[], ev: { source: string; role: Role }, why: string): void {
  for (const l of lines) {
    ctx.options.bus.emit({ type: "log", exercise: ctx.step.exercise.id, source: ev.source, role: ev.role, stream: "stdout", text: l, ts: Date.now() });
    ctx.set.feed(key, l);
  }
  ctx.set.endSource(key, why);
}
