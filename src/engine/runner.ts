import type { LabConfig } from "../config/schema.js";
import type { RunIdentity } from "../docker/labels.js";
import type { DockerPort } from "../docker/port.js";
import type { Action, Exercise } from "../model/exercise.js";
import type { ClusterRole, Role } from "../model/roles.js";
import { isLabError } from "../util/errors.js";
import { Cluster, newRunId, type Live } from "./cluster.js";
import type { DiedProcess, ExpectationResult, LabBus, StepResult } from "./events.js";
import { ExpectationSet } from "./expectations.js";
import type { Material } from "./material.js";
import { expectationsOf, renderExercise, type EnvOverride, type RenderedStep } from "./render.js";
import { expand } from "./template.js";

/** Clusters alive in this process, so Ctrl-C / SIGTERM can remove them. */
export const activeClusters = new Set<Cluster>();

export interface RunnerOptions {
  config: LabConfig;
  port: DockerPort;
  material: Material;
  bus: LabBus;
  labId: string;
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
  /** Told the cluster the run uses, so a caller can keep it for the next step. */
  onCluster?: (cluster: Cluster) => void;
}

export class Interrupted extends Error {
  constructor() {
    super("interrupted");
  }
}

function describeAction(a: Action): string {
  switch (a.do) {
    case "execute":
      return `mesos-execute ${a.args.join(" ")}`;
    case "http":
      return `${a.method} ${a.role}${a.path}${a.auth ? ("principal" in a.auth ? ` as ${a.auth.principal}` : " with a bearer token") : ""}`;
    case "exec":
      return `exec in ${a.role}: ${a.cmd.join(" ")}`;
    case "sleep":
      return `wait ${a.ms} ms`;
    case "push":
      return `push ${a.image} to the lab registry as ${a.account}`;
  }
}

/** Runs one exercise on its own network: every step in order, or up to/only one step. */
export async function runExercise(ex: Exercise, o: RunnerOptions): Promise<StepResult[]> {
  const t0 = Date.now();
  const identity: RunIdentity = { lab: o.labId, run: newRunId(), exercise: ex.id, keep: o.keep };
  const continued = o.cluster?.intact ? o.cluster : undefined;
  const cluster = continued ?? new Cluster({ port: o.port, config: o.config, material: o.material, identity, bus: o.bus, publish: o.publish, publishHost: o.publishHost });
  activeClusters.add(cluster);
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
  } catch (err) {
    if (err instanceof Interrupted || isLabError(err)) throw err;
    throw err;
  } finally {
    if (!o.keep || o.signal?.aborted) {
      const removed = await cluster.dispose().catch(() => 0);
      o.bus.emit({ type: "cleanup", removed, exercise: ex.id });
      activeClusters.delete(cluster);
    }
    o.bus.emit({ type: "exercise:end", exercise: ex.id, passed: results.length > 0 && results.every((r) => r.status === "passed"), durationMs: Date.now() - t0 });
  }
  return results;
}

async function runStep(cluster: Cluster, rs: RenderedStep, index: number, total: number, o: RunnerOptions): Promise<StepResult> {
  const { step, exercise } = rs;
  const t0 = Date.now();
  const timings = { reconcileMs: 0, readyMs: 0, actionsMs: 0, settleMs: 0, created: 0, reused: 0 };
  o.bus.emit({ type: "step:start", exercise: exercise.id, step: { id: step.id, title: step.title, text: step.text, hint: step.hint }, index, total, diff: rs.diff });

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
  });
  const changed = () => new Promise<void>((r) => changeWaiters.push(r));

  const executeIds = new Map<string, string>(); // cluster key (execute#n) → action id
  const expectedExits = new Set(exps.filter((e) => "exit" in e.source).map((e) => (e.source as { exit: Role }).exit));
  // in the order they ended; a mesos-execute run that ended non-zero or at its timeout is kept only if it explains a failure
  const died: DiedProcess[] = [];

  cluster.attach(
    (role, source, line) => {
      if (line.ts < t0 - 1) return;
      const key = role === "execute" ? `execute:${line.stream}:${source}` : source;
      o.bus.emit({ type: "log", exercise: exercise.id, source: key, role, stream: line.stream, text: line.text, ts: line.ts });
      set.feed(key, line.text, line.ts);
    },
    (live: Live, code: number) => {
      // an execute run's exit is read by its action, which waits for it
      if (live.role === "execute") return;
      set.feed(`exit:${live.role}`, String(code));
      set.endSource(`log:${live.role}`, `${live.role} exited with code ${code}`);
      set.endSource(`exit:${live.role}`, `${live.role} exited with code ${code}`);
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
      throw err;
    }
    timings.readyMs = Date.now() - tready;

    // 3. actions, in order
    const ta = Date.now();
    for (const action of step.actions) {
      if (o.signal?.aborted) throw new Interrupted();
      const detail = describeAction(action);
      const name = action.do === "sleep" ? "sleep" : action.id;
      const ts = Date.now();
      o.bus.emit({ type: "action:start", exercise: exercise.id, step: step.id, action: name, detail });
      await runAction(cluster, rs, action, set, executeIds, changed, o, died);
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
    for (const key of executeIds.keys()) await cluster.stopExecute(key).catch(() => undefined);
    cluster.attach(undefined, undefined);
  }

  const expectations = set.results();
  const passed = !error && expectations.every((e) => e.status === "passed");
  // an exit the step expected (04: 401 → exit 1) is the lesson, not the reason it failed
  const accepted = (action: string | undefined) =>
    exps.some((e) => "exit" in e.source && e.source.exit === "execute" && (e.source.action ?? firstExecute?.id ?? "execute") === action && expectations.find((r) => r.id === e.id)?.status === "passed");
  const explains = died.filter((d) => d.role !== "execute" || (!passed && !accepted(d.action)));
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
    timings,
  };
}

/** What a process printed, for the failure report; read once its log stream has ended, so the last lines are in. */
function outputOf(live: Live): Pick<DiedProcess, "stderr" | "stdout"> {
  return { stderr: live.tail.stderr.snapshot(), stdout: live.tail.stdout.snapshot() };
}

function abortable<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Interrupted());
    const onAbort = () => reject(new Interrupted());
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

async function runAction(
  cluster: Cluster,
  rs: RenderedStep,
  action: Action,
  set: ExpectationSet,
  executeIds: Map<string, string>,
  changed: () => Promise<void>,
  o: RunnerOptions,
  died: DiedProcess[],
): Promise<void> {
  switch (action.do) {
    case "sleep":
      await abortable(new Promise((r) => setTimeout(r, action.ms)), o.signal);
      return;
    case "http":
    case "push": {
      const answer = action.do === "http" ? cluster.http(action, 10_000) : cluster.push(action, 30_000);
      const lines = await answer.then(
        (a) => ({ status: a.lines.status, headers: a.lines.headers, body: a.lines.body }),
        (err: Error) => {
          const l = [`error: ${err.message}`];
          return { status: l, headers: l, body: l };
        },
      );
      const all = [...lines.status, ...lines.headers, ...lines.body];
      const role = action.do === "http" ? action.role : "registry";
      for (const [part, ls] of Object.entries({ ...lines, all })) {
        const key = `http:${action.id}:${part}`;
        for (const l of ls) {
          o.bus.emit({ type: "log", exercise: rs.exercise.id, source: `http:${action.id}`, role, stream: "stdout", text: l, ts: Date.now() });
          set.feed(key, l);
        }
        set.endSource(key, `the HTTP answer did not contain it`);
      }
      return;
    }
    case "exec": {
      const key = `exec:${action.id}`;
      try {
        const r = await cluster.exec(action.role, action.cmd.map((c) => expand(c, cluster.template)), 15_000);
        for (const l of `${r.stdout}\n${r.stderr}`.split("\n").filter(Boolean)) {
          o.bus.emit({ type: "log", exercise: rs.exercise.id, source: key, role: action.role, stream: "stdout", text: l, ts: Date.now() });
          set.feed(key, l);
        }
      } catch (err) {
        set.feed(key, `error: ${(err as Error).message}`);
      }
      set.endSource(key, "the command's output did not contain it");
      return;
    }
    case "execute": {
      const files = rs.files.filter((f) => f.role === "execute");
      const { live, key } = await cluster.startExecute(rs, action.args, files, action.id);
      executeIds.set(key, action.id);
      const prefixes = [`execute:stdout:${action.id}`, `execute:stderr:${action.id}`, `exit:execute:${action.id}`];
      const timeoutMs = action.timeoutMs ?? o.config.timeouts.execute;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), timeoutMs)));
      const exited = new Promise<number>((resolve) => {
        // wait for the log stream to end too, so the last lines are fed before the exit is
        live.follow.onEnd(() => void live.exit.then(resolve));
      });
      const hasExpectations = () => prefixes.some((p) => set.waitingOn(p));
      const expectsAny = rs.step.expect.some((e) => ("execute" in e.source || ("exit" in e.source && e.source.exit === "execute")) && (e.source.action ?? action.id) === action.id);
      const said = (async () => {
        if (!expectsAny) return new Promise<never>(() => undefined);
        while (hasExpectations()) await changed();
        return "said" as const;
      })();
      const outcome = await abortable(Promise.race([exited, timedOut, said]), o.signal).finally(() => clearTimeout(timer));
      const code = typeof outcome === "number" ? String(outcome) : outcome === "timeout" ? "timeout" : undefined;
      if (code !== undefined) {
        set.feed(`exit:execute:${action.id}`, code);
        const why = code === "timeout" ? `mesos-execute was stopped after ${Math.round(timeoutMs / 1000)} s (it never exits while it cannot subscribe)` : `mesos-execute exited with code ${code}`;
        set.endSource(`execute:stdout:${action.id}`, why);
        set.endSource(`execute:stderr:${action.id}`, why);
        set.endSource(`exit:execute:${action.id}`, why);
        if (code !== "0") {
          const ended = code === "timeout" ? { exitCode: null, stoppedAfterMs: timeoutMs } : { exitCode: Number(code) };
          died.push({ role: "execute", action: action.id, command: describeAction(action), ...ended, ...outputOf(live) });
        }
      }
      return;
    }
  }
}
