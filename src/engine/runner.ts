import type { RunnerOptions } from "./runner-options.js";
import { uiLoginFile } from "./ui-login.js";
import type { RunIdentity } from "../runtime/labels.js";
import type { Exercise } from "../model/exercise.js";
import { ROLE_PORTS, type ClusterRole, type Role } from "../model/roles.js";
import { isLabError } from "../util/errors.js";
import { abortable, Interrupted } from "./abortable.js";
import { endAttackerJobs } from "./actions/attack.js";
import { describeAction, runAction } from "./actions/index.js";
import { Cluster, newRunId, type RunningContainer } from "./cluster.js";
import type { AttackOutcome, DiedProcess, ExpectationResult, LabEvent, StepResult } from "./events.js";
import { ExpectationSet } from "./expectations.js";
import { expectationsOf, renderExercise, usesTls, type RenderedStep } from "./render.js";
import { outputOf } from "./process-output.js";
import { DEFAULT_EXECUTE, SourceKeys } from "./source-keys.js";
import { withFiles } from "./step-files.js";

export { Interrupted } from "./abortable.js";

/** Runs one exercise on its own network: every step in order, or up to/only one step. */
export async function runExercise(ex: Exercise, o: RunnerOptions): Promise<StepResult[]> {
  const t0 = Date.now();
  const identity: RunIdentity = { lab: o.labId, run: o.runId ? `${o.runId}-${ex.id}` : newRunId(), exercise: ex.id, keep: o.keep };
  const continued = o.cluster?.intact ? o.cluster : undefined;
  const cluster =
    continued ??
    new Cluster({ runtime: o.runtime, config: o.config, material: o.material, identity, bus: o.bus, publish: o.publish, publishHost: o.publishHost });
  o.clusters?.add(cluster);
  o.onCluster?.(cluster);
  const steps = renderExercise(ex, o.config, { envOverride: o.envOverride });
  const lastIndex = o.untilStep ? steps.findIndex((s) => s.step.id === o.untilStep) : steps.length - 1;
  const toRun = steps.slice(0, lastIndex + 1).filter((s) => !o.onlyStep || s.step.id === o.onlyStep);
  o.bus.emit({ type: "exercise:start", exercise: { id: ex.id, title: ex.title, slug: ex.slug }, steps: toRun.length });
  const results: StepResult[] = [];
  try {
    if (!continued) await cluster.init();
    for (const [i, step] of toRun.entries()) {
      if (o.signal?.aborted) throw new Interrupted();
      const r = await runStep(cluster, step, i, toRun.length, o);
      results.push(r);
      o.bus.emit({ type: "step:end", result: r });
    }
  } finally {
    if (!o.keep || o.signal?.aborted) {
      const removed = await cluster.dispose().catch(() => 0);
      o.bus.emit({ type: "cleanup", removed, exercise: ex.id });
      o.clusters?.delete(cluster);
    }
    o.bus.emit({
      type: "exercise:end",
      exercise: ex.id,
      passed: results.length > 0 && results.every((r) => r.status === "passed"),
      durationMs: Date.now() - t0,
    });
  }
  return results;
}

async function runStep(cluster: Cluster, rs: RenderedStep, index: number, total: number, o: RunnerOptions): Promise<StepResult> {
  const { step, exercise } = rs;
  const t0 = Date.now();
  const timings = { reconcileMs: 0, readyMs: 0, actionsMs: 0, settleMs: 0, created: 0, reused: 0 };
  o.bus.emit({
    type: "step:start",
    exercise: exercise.id,
    step: { id: step.id, title: step.title, text: withFiles(step.text, rs), hint: step.hint },
    index,
    total,
    diff: rs.diff,
  });

  const exps = expectationsOf(rs);
  const firstExecute = step.actions.find((a) => a.do === "execute") as { id: string } | undefined;
  const changeWaiters: Array<() => void> = [];
  const set = new ExpectationSet(exps, {
    defaultTimeoutMs: step.timeoutMs ?? o.config.timeouts.expectation,
    negativeWindowMs: o.config.timeouts.negativeWindow,
    defaultExecuteId: firstExecute?.id,
    onResult: (result: ExpectationResult) => {
      o.bus.emit({ type: "expectation", exercise: exercise.id, step: step.id, result });
      changeWaiters.splice(0).forEach((w) => w());
    },
    onWindow: (result: ExpectationResult) => o.bus.emit({ type: "expectation", exercise: exercise.id, step: step.id, result }),
  });
  const changed = () => new Promise<void>((r) => changeWaiters.push(r));

  const executeIds = new Map<string, string>(); // cluster key (execute#n) → action id
  const expectedExits = new Set(exps.filter((e) => "exit" in e.source).map((e) => (e.source as { exit: Role }).exit));
  // in the order they ended; a mesos-execute run that ended non-zero or at its timeout is kept only if it explains a failure
  const died: DiedProcess[] = [];

  cluster.route(
    (role, source, line) => {
      if (line.ts < t0 - 1) return;
      // an execute run's and a relay's lines come with their action id, a cluster role's with its role; the attacker's
      // host prints only its start (its commands' output is fed by their action)
      if (role === "attacker") return;
      const key = role === "execute" ? SourceKeys.execute(line.stream, source) : role === "relay" ? SourceKeys.relay(source) : SourceKeys.log(role);
      o.bus.emit({ type: "log", exercise: exercise.id, source: key, role, stream: line.stream, text: line.text, ts: line.ts });
      set.feed(key, line.text, line.ts);
    },
    (live: RunningContainer, code: number) => {
      // an execute run's exit is read by its action, which waits for it; an attack host's end shows in its evidence
      if (live.role === "execute" || live.role === "attacker" || live.role === "relay") return;
      set.feed(SourceKeys.exit(live.role), String(code));
      // a role's lines end with its last running instance (a second agent's exit does not end the first's log)
      if (!cluster.containers.all().some((l) => l.role === live.role && l !== live && l.exitCode === null)) {
        set.endSource(SourceKeys.log(live.role), `${live.role} exited with code ${code}`);
        set.endSource(SourceKeys.exit(live.role), `${live.role} exited with code ${code}`);
      }
      if (!expectedExits.has(live.role)) {
        died.push({ role: live.role, ...(live.instance > 1 ? { instance: live.instance } : {}), exitCode: code, ...outputOf(live) });
        set.failWaiting(`${live.role} container exited with code ${code} while the step waited`);
      }
    },
  );

  let error: string | undefined;
  try {
    // 1. containers
    const tr = Date.now();
    const deadline = tr + o.config.timeouts.ready;
    const { created, reused } = await cluster.reconcile(rs, step.ready?.zk === false ? undefined : deadline).catch((err: unknown) => {
      if (!isLabError(err)) set.failWaiting(`not ready: ${(err as Error).message}`);
      throw err;
    });
    timings.reconcileMs = Date.now() - tr;
    timings.created = created.length;
    timings.reused = reused.length;

    // 2. readiness (in parallel; a role the step expects to fail is not waited for)
    const tready = Date.now();
    const toWait = rs.cluster.filter((r) => step.ready?.[r] !== false);
    try {
      await Promise.all(toWait.map((r: ClusterRole) => cluster.waitReady(r, deadline)));
    } catch (err) {
      set.failWaiting(`not ready: ${(err as Error).message}`);
      // a role that exited before it was ready says why on its last lines (`EXIT with status 1: Failed to read
      // credentials file …`): wait for its log stream to end, so the report shows them
      await Promise.all(rs.cluster.map((r) => diedBeforeReady(cluster, r, died)));
      throw err;
    }
    timings.readyMs = Date.now() - tready;
    o.bus.emit({ type: "published", exercise: exercise.id, ...publishedOf(cluster, o.publishHost, o.config.material.credentials) });

    // 3. actions, in order
    const ta = Date.now();
    for (const action of step.actions) {
      if (o.signal?.aborted) throw new Interrupted();
      const detail = describeAction(action);
      const name = action.do === "sleep" ? "sleep" : action.id;
      const ts = Date.now();
      o.bus.emit({ type: "action:start", exercise: exercise.id, step: step.id, action: name, detail });
      await runAction({ cluster, step: rs, set, options: o, executeIds, changed, died }, action);
      o.bus.emit({ type: "action:end", exercise: exercise.id, step: step.id, action: name, detail, ms: Date.now() - ts });
    }
    timings.actionsMs = Date.now() - ta;

    // 4. settle: positives resolve or time out, then negative windows run
    const tsettle = Date.now();
    await abortable(set.positivesSettled, o.signal);
    set.closeNegatives();
    await abortable(set.settled, o.signal);
    timings.settleMs = Date.now() - tsettle;
  } catch (err) {
    if (err instanceof Interrupted) {
      set.abort("interrupted");
      throw err;
    }
    if (isLabError(err)) {
      set.abort(err.message);
      throw err;
    }
    error = (err as Error).message;
    set.abort(error);
  } finally {
    set.freeze();
    for (const key of executeIds.keys()) await cluster.containers.stop(key).catch(() => undefined);
    if (step.attack) await endAttackerJobs({ cluster, options: o });
    cluster.route(undefined, undefined);
  }

  const expectations = set.results();
  const passed = !error && expectations.every((e) => e.status === "passed");
  // an exit the step expected (04: 401 → exit 1) is the lesson, not the reason it failed
  const accepted = (action: string | undefined) =>
    exps.some(
      (e) =>
        "exit" in e.source &&
        e.source.exit === "execute" &&
        (e.source.action ?? firstExecute?.id ?? DEFAULT_EXECUTE) === action &&
        expectations.find((r) => r.id === e.id)?.status === "passed",
    );
  const explains = died.filter((d) => d.role !== "execute" || (!passed && !accepted(d.action)));
  const attack = step.attack ? { ...step.attack, outcome: attackOutcome(rs, set, expectations) } : undefined;
  return {
    exercise: exercise.id,
    step: step.id,
    title: step.title,
    status: passed ? "passed" : error && expectations.every((e) => e.status !== "passed") ? "error" : "failed",
    durationMs: Date.now() - t0,
    expectations,
    error,
    died: explains.length ? explains : undefined,
    hint: step.hint,
    ...(rs.files.length ? { files: rs.files.map((f) => ({ role: f.role, path: f.path })) } : {}),
    ...(attack ? { attack } : {}),
    timings,
  };
}

/** A role's container that exited before it was ready, with what it printed, once its log stream ended (2 s at most). */
async function diedBeforeReady(cluster: Cluster, role: ClusterRole, died: DiedProcess[]): Promise<void> {
  const live = cluster.containers.of(role);
  if (!live) return;
  const code = await Promise.race([live.exit, new Promise<undefined>((r) => setTimeout(() => r(undefined), 50))]);
  if (code === undefined) return;
  await new Promise<void>((r) => {
    const t = setTimeout(r, 2_000);
    if (live.follow.ended) r();
    live.follow.onEnd(() => {
      clearTimeout(t);
      // after the step's own exit handler, which may have reported it already
      setImmediate(r);
    });
  });
  if (!died.some((d) => d.role === role && !d.instance)) died.push({ role, exitCode: code, ...outputOf(live) });
}

/**
 * What the step saw of its attack: the outcome it asserted when that evidence held, else the other one when its
 * evidence holds on what the step's sources printed (an exploit blocked too early shows as `blocked`), else neither.
 */
function attackOutcome(rs: RenderedStep, set: ExpectationSet, results: ExpectationResult[]): AttackOutcome {
  const def = rs.exercise.attacks.find((a) => a.id === rs.step.attack!.id)!;
  const expect = rs.step.attack!.expect;
  const other = expect === "works" ? "blocked" : "works";
  const asserted = new Set((def[expect] ?? []).map((e) => e.id));
  if (results.filter((r) => asserted.has(r.id)).every((r) => r.status === "passed")) return expect;
  const evidence = def[other];
  return evidence && set.holds(expectationsOf({ step: { ...rs.step, expect: evidence }, release: rs.release })) ? other : "unproven";
}

/** The master's and the agent's service ports as this machine reaches them, and their UIs' URLs. */
function publishedOf(cluster: Cluster, host: string, credentials: string): Pick<Extract<LabEvent, { type: "published" }>, "urls" | "addresses" | "logins"> {
  const urls: Partial<Record<"master" | "agent", string>> = {};
  const addresses: Partial<Record<"master" | "agent", string>> = {};
  const logins: Partial<Record<"master" | "agent", string>> = {};
  for (const role of ["master", "agent"] as const) {
    const live = cluster.containers.of(role);
    if (!live || live.exitCode !== null) continue;
    try {
      const address = `${host.includes(":") ? `[${host}]` : host}:${cluster.containers.hostPort(role, ROLE_PORTS[role])}`;
      addresses[role] = address;
      urls[role] = `${usesTls(live.env) ? "https" : "http"}://${address}`;
      const login = uiLoginFile(role, live.env, credentials);
      if (login) logins[role] = login;
    } catch {
      /* not published (this run publishes nothing) */
    }
  }
  return { urls, addresses, ...(Object.keys(logins).length ? { logins } : {}) };
}
