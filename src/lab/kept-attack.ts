import { Cluster } from "../engine/cluster.js";
import { attackSteps, runAttackOn, type AttackRunResult } from "../engine/attack-run.js";
import type { Exercise } from "../model/exercise.js";
import { LABEL, labelFilter } from "../runtime/labels.js";
import { LabError } from "../util/errors.js";
import type { PreparedRun } from "./run-service.js";

/**
 * `mesos-lab attack NN[:step]` on the cluster `mesos-lab up` kept: its run found by the lab's labels, its containers
 * adopted (followed from now on, never reconfigured), the attack of the step that cluster is at sent again, and the
 * cluster left as it was.
 */
export async function attackKept(prepared: PreparedRun, ex: Exercise, stepId?: string): Promise<AttackRunResult> {
  const { runtime, labId } = prepared;
  const items = await runtime.owned.list(labelFilter({ lab: labId, keep: "true" }));
  const runs = [...new Set(items.map((i) => i.labels[LABEL.run]).filter((r): r is string => !!r))];
  const upFirst = `Run \`mesos-lab up ${ex.id}${stepId ? `:${stepId}` : ""}\` first; \`mesos-lab attack\` goes on with the cluster it keeps.`;
  if (runs.length === 0) throw new LabError("usage", "no cluster of this lab is up", upFirst);
  const run = runs.at(-1)!;
  const ofRun = items.filter((i) => i.labels[LABEL.run] === run);
  const exercise = ofRun.find((i) => i.labels[LABEL.exercise])?.labels[LABEL.exercise];
  if (exercise !== ex.id) throw new LabError("usage", `the cluster that is up is exercise ${exercise ?? "?"}'s, not ${ex.id}'s`, upFirst);
  const candidates = attackSteps(ex, prepared).filter((rs) => !stepId || rs.step.id === stepId);
  if (candidates.length === 0)
    throw new LabError(
      "usage",
      stepId ? `step ${ex.id}:${stepId} runs no attack` : `exercise ${ex.id} has no attack`,
      `\`mesos-lab list\` shows the attack steps (marked with their attack).`,
    );
  const cluster = new Cluster({ ...prepared, identity: { lab: labId, run, exercise: ex.id, keep: true } });
  try {
    await cluster.init(ofRun);
    let rs: (typeof candidates)[number] | undefined;
    for (const c of candidates) if (!rs && (await cluster.reconcile(c, undefined, { check: true }))) rs = c;
    if (!rs)
      throw new LabError(
        "usage",
        stepId
          ? `the cluster that is up is not at step ${ex.id}:${stepId}'s configuration (or one of its containers stopped)`
          : `the cluster that is up is at none of exercise ${ex.id}'s attack steps (or one of its containers stopped)`,
        `Run \`mesos-lab up ${ex.id}:${stepId ?? candidates[0]!.step.id}\` to bring it there; \`mesos-lab attack\` never reconfigures it.`,
      );
    return await runAttackOn(cluster, rs, { ...prepared, keep: true });
  } finally {
    await cluster.dispose({ leave: true });
  }
}
