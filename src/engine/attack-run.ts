import type { Attack, Exercise } from "../model/exercise.js";
import { abortable } from "./abortable.js";
import { endAttackerJobs } from "./actions/attack.js";
import type { ActionContext } from "./actions/context.js";
import { describeAction, runAction } from "./actions/index.js";
import type { Cluster, RunningContainer } from "./cluster.js";
import type { AttackOutcome, DiedProcess, ExpectationResult } from "./events.js";
import { ExpectationSet } from "./expectations.js";
import { expectationsOf, renderExercise, type RenderedStep } from "./render.js";
import type { RunnerOptions } from "./runner-options.js";
import { SourceKeys } from "./source-keys.js";

/**
 * `mesos-lab attack NN[:step]`: an exercise's attack, sent again at the cluster `up` kept, and what it got. Unlike a
 * step, it asserts nothing in advance: both of the attack's evidence sets read what the attack makes the cluster print
 * and answer, and the first that holds is the outcome (`works` on the open cluster, `blocked` after the control).
 */

export interface AttackRunResult {
  exercise: string;
  /** The step whose configuration the cluster is at, and whose attack ran. */
  step: string;
  attack: Pick<Attack, "id" | "title">;
  /** What the step that runs it expects, on the real catalogue. */
  expected: "works" | "blocked";
  outcome: AttackOutcome;
  /** Each evidence set's results: what proved the outcome, and how the other fell short. */
  evidence: { works: ExpectationResult[]; blocked: ExpectationResult[] };
  durationMs: number;
}

/** The attack steps of an exercise, as rendered for the run's profile, last first. */
export function attackSteps(ex: Exercise, o: Pick<RunnerOptions, "config" | "envOverride">): RenderedStep[] {
  return renderExercise(ex, o.config, { envOverride: o.envOverride })
    .filter((rs) => rs.step.attack)
    .reverse();
}

/** Runs the step's attack on the adopted cluster; the cluster is left as it was (attack.ts keeps its attacker host). */
export async function runAttackOn(cluster: Cluster, rs: RenderedStep, o: RunnerOptions): Promise<AttackRunResult> {
  const t0 = Date.now();
  const { exercise, step } = rs;
  const def = exercise.attacks.find((a) => a.id === step.attack!.id)!;
  const sets = new Map<"works" | "blocked", ExpectationSet>();
  const changeWaiters: Array<() => void> = [];
  const firstExecute = def.actions.find((a) => a.do === "execute") as { id: string } | undefined;
  for (const side of ["works", "blocked"] as const) {
    const evidence = def[side];
    if (!evidence) continue;
    const exps = expectationsOf({ step: { ...step, expect: evidence }, release: rs.release });
    sets.set(
      side,
      new ExpectationSet(exps, {
        defaultTimeoutMs: step.timeoutMs ?? o.config.timeouts.expectation,
        negativeWindowMs: o.config.timeouts.negativeWindow,
        defaultExecuteId: firstExecute?.id,
        onResult: (result) => {
          o.bus.emit({ type: "expectation", exercise: exercise.id, step: step.id, result: { ...result, id: `${side}:${result.id}` } });
          changeWaiters.splice(0).forEach((w) => w());
        },
      }),
    );
  }
  // every line reaches both sets: the same output is read as the evidence of either outcome
  const all = [...sets.values()];
  const fanOut: ActionContext["set"] = {
    feed: (k, l, ts) => all.forEach((s) => s.feed(k, l, ts)),
    endSource: (k, why) => all.forEach((s) => s.endSource(k, why)),
    waitingOn: (...keys) => all.some((s) => s.waitingOn(...keys)),
  };
  cluster.route(
    (role, source, line) => {
      if (line.ts < t0 - 1 || role === "attacker") return;
      const key = role === "execute" ? SourceKeys.execute(line.stream, source) : role === "relay" ? SourceKeys.relay(source) : SourceKeys.log(role);
      o.bus.emit({ type: "log", exercise: exercise.id, source: key, role, stream: line.stream, text: line.text, ts: line.ts });
      fanOut.feed(key, line.text, line.ts);
    },
    (live: RunningContainer, code: number) => {
      if (live.role === "execute" || live.role === "attacker" || live.role === "relay") return;
      for (const s of all) {
        s.endSource(SourceKeys.log(live.role), `${live.role} exited with code ${code}`);
        s.failWaiting(`${live.role} container exited with code ${code}`);
      }
    },
  );
  const executeIds = new Map<string, string>();
  const died: DiedProcess[] = [];
  const changed = () => new Promise<void>((r) => changeWaiters.push(r));
  const attackStep: RenderedStep = { ...rs, step: { ...step, actions: def.actions, expect: [...def.works, ...(def.blocked ?? [])] } };
  try {
    for (const action of def.actions) {
      if (o.signal?.aborted) break;
      const name = action.do === "sleep" ? "sleep" : action.id;
      const detail = describeAction(action);
      const ts = Date.now();
      o.bus.emit({ type: "action:start", exercise: exercise.id, step: step.id, action: name, detail });
      await runAction({ cluster, step: attackStep, set: fanOut, options: o, executeIds, changed, died }, action);
      o.bus.emit({ type: "action:end", exercise: exercise.id, step: step.id, action: name, detail, ms: Date.now() - ts });
    }
    // the first side whose positives all hold decides; its negatives then get their window
    const decided = (s: ExpectationSet) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (s.results().every((r) => r.negate || r.status === "passed")) resolve();
          else if (s.results().some((r) => !r.negate && r.status === "failed")) return;
          else changeWaiters.push(check);
        };
        check();
      });
    await abortable(Promise.race([...all.map(decided), Promise.all(all.map((s) => s.positivesSettled))]), o.signal);
    for (const s of all) s.closeNegatives();
    await abortable(Promise.race([Promise.all(all.map((s) => s.settled)), ...all.map((s) => decided(s).then(() => s.settled))]), o.signal);
  } finally {
    for (const s of all) {
      s.abort("the attack's outcome is decided");
      s.freeze();
    }
    for (const key of executeIds.keys()) await cluster.containers.stop(key).catch(() => undefined);
    await endAttackerJobs({ cluster, options: o });
    cluster.route(undefined, undefined);
  }
  const results = (side: "works" | "blocked") => sets.get(side)?.results() ?? [];
  const holds = (side: "works" | "blocked") => sets.has(side) && results(side).every((r) => r.status === "passed");
  const outcome: AttackOutcome = holds("works") ? "works" : holds("blocked") ? "blocked" : "unproven";
  return {
    exercise: exercise.id,
    step: step.id,
    attack: { id: def.id, title: def.title },
    expected: step.attack!.expect,
    outcome,
    evidence: { works: results("works"), blocked: results("blocked") },
    durationMs: Date.now() - t0,
  };
}
