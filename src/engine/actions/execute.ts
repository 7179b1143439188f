import { shellLine } from "../../util/shell.js";
import type { ExecuteAction } from "../../model/exercise.js";
import { abortable } from "../abortable.js";
import { outputOf } from "../process-output.js";
import { SourceKeys } from "../source-keys.js";
import { containerSpec, envFor, placedFiles } from "../cluster/container-spec.js";
import { SCHEDULER_HOST_KEY, type RunningContainer } from "../cluster/running-container.js";
import { ROLE_PROGRAM } from "../../model/roles.js";
import { configHash } from "../render.js";
import { MAIN_RETURNED, TASK_RUNNING } from "../cluster/readiness.js";
import { expand } from "../template.js";
import { relayOf } from "./attack.js";
import type { ActionContext, ActionHandler } from "./context.js";

const describe = (a: ExecuteAction) => `mesos-execute ${shellLine(a.args)}`;

/**
 * One mesos-execute run. It is done when it exits, when its timeout passes (it never exits while it cannot subscribe),
 * or as soon as no expectation waits on what it prints any more (a task that keeps running, in exercise 11).
 */
export const executeAction: ActionHandler<ExecuteAction> = {
  describe,
  run: async (ctx, a) => {
    const { live, key } = await startExecute(ctx, a);
    live.aftermath = frameworkRemoval(ctx, live);
    ctx.executeIds.set(key, a.id);
    const stdout = SourceKeys.execute("stdout", a.id);
    const stderr = SourceKeys.execute("stderr", a.id);
    const exit = SourceKeys.executeExit(a.id);
    const timeoutMs = a.timeoutMs ?? ctx.options.config.timeouts.execute;
    const finish = finishOf(ctx, a, live, timeoutMs);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), timeoutMs)));
    const exited = new Promise<number>((resolve) => {
      // wait for the log stream to end too, so the last lines are fed before the exit is
      live.follow.onEnd(() => void live.exit.then(resolve));
    });
    const expectsAny = ctx.step.step.expect.some(
      (e) => ("execute" in e.source || ("exit" in e.source && e.source.exit === "execute")) && (e.source.action ?? a.id) === a.id,
    );
    const said = (async () => {
      if (!expectsAny) return new Promise<never>(() => undefined);
      while (ctx.set.waitingOn(stdout, stderr, exit)) await ctx.changed();
      return "said" as const;
    })();
    const ended = Promise.race([exited, timedOut]);
    if (a.detach) {
      // the victim of what follows: go on once its task runs, and feed its end when it comes
      const running = await abortable(Promise.race([live.marks.printed(TASK_RUNNING).then(() => "running" as const), ended, said]), ctx.options.signal);
      if (running === "running") {
        void ended.then((outcome) => finish(outcome)).finally(() => clearTimeout(timer));
        return;
      }
    }
    const outcome = await abortable(Promise.race([ended, said]), ctx.options.signal).finally(() => clearTimeout(timer));
    finish(outcome);
    if (typeof outcome === "number") await live.aftermath();
  },
};

/** mesos-execute's line once its framework is subscribed (src/cli/execute.cpp:659). */
const SUBSCRIBED = /^Subscribed with ID (\S+)$/;
/** The frameworks this step's mesos-execute runs subscribed as (their `Subscribed with ID` lines). */
export function stepFrameworks(ctx: ActionContext): Set<string> {
  const ids = new Set<string>();
  for (const key of ctx.executeIds.keys()) {
    const id = ctx.cluster.containers.get(key)?.framework;
    if (id) ids.add(id);
  }
  return ids;
}

/** How long a scheduler's end may take to reach the master's log. */
const REMOVAL_WAIT_MS = 3000;

/**
 * A scheduler's end goes on after it: mesos-execute's framework has a failover timeout of 0, so once the scheduler is
 * gone the master gives it 0 s (src/master/master.cpp:1425-1443 at 1.11) and removes it (`Removing framework <id>`,
 * master.cpp:10374). Until that line the run is not over: a step after it would read it in its own master log (05's
 * replay, whose framework must stay, read the removal of the step before's). Resolves on that line, at once for a
 * scheduler that never subscribed, and after REMOVAL_WAIT_MS at most.
 */
function frameworkRemoval(ctx: ActionContext, live: RunningContainer): () => Promise<void> {
  let watch: { printed: Promise<void>; cancel(): void } | undefined;
  const subscribed = (text: string) => {
    const m = live.framework ? null : SUBSCRIBED.exec(text);
    if (!m) return;
    live.framework = m[1]!;
    const master = ctx.cluster.containers.of("master");
    if (master && master.exitCode === null) watch = master.marks.next(new RegExp(`Removing framework ${m[1]!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} `));
  };
  // lines it printed before this was set up are in its head
  for (const l of live.tail.stdout.snapshot().head) subscribed(l);
  live.follow.onLine((l) => l.stream === "stdout" && subscribed(l.text));
  let done: Promise<void> | undefined;
  return () =>
    (done ??= (async () => {
      if (!watch) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([watch.printed, new Promise((r) => (timer = setTimeout(r, REMOVAL_WAIT_MS)))]);
      clearTimeout(timer);
      watch.cancel();
    })());
}

function finishOf(ctx: ActionContext, a: ExecuteAction, live: RunningContainer, timeoutMs: number) {
  const stdout = SourceKeys.execute("stdout", a.id);
  const stderr = SourceKeys.execute("stderr", a.id);
  const exit = SourceKeys.executeExit(a.id);
  return (outcome: number | "timeout" | "said" | "running") => {
    const code = typeof outcome === "number" ? String(exitStatusOf(ctx, a, live, outcome)) : outcome === "timeout" ? "timeout" : undefined;
    if (code === undefined) return;
    ctx.set.feed(exit, code);
    const why =
      code === "timeout"
        ? `mesos-execute was stopped after ${Math.round(timeoutMs / 1000)} s (it never exits while it cannot subscribe)`
        : `mesos-execute exited with code ${code}`;
    for (const k of [stdout, stderr, exit]) ctx.set.endSource(k, why, { stillPrinting: code === "timeout" });
    if (code !== "0") {
      const ended = code === "timeout" ? { exitCode: null, stoppedAfterMs: timeoutMs } : { exitCode: Number(code) };
      ctx.died.push({ role: "execute", action: a.id, command: describe(a), ...ended, ...outputOf(live) });
    }
  };
}

/** 128 + SIGSEGV: how the engine reports a process killed by a segmentation fault. */
const KILLED_BY_SEGV = 139;

/**
 * The exit status mesos-execute's main returned. Real 1.11.1 is at times killed by SIGSEGV after main returned
 * EXIT_SUCCESS, while the process tears itself down (here 1 run in 300 with TLS, 0 in 300 without;
 * docs/facts/observed-1.11.md, "mesos-execute's exit teardown"): that status is 0, and the crash is said as a warning,
 * not taken for the step's subject. A crash before main returned (no `MAIN_RETURNED` line) stays 139.
 */
function exitStatusOf(ctx: ActionContext, a: ExecuteAction, live: RunningContainer, code: number): number {
  if (code !== KILLED_BY_SEGV || !live.marks.has(MAIN_RETURNED)) return code;
  ctx.options.bus.emit({
    type: "warning",
    message: `${ctx.step.exercise.id}:${ctx.step.step.id}: mesos-execute (${a.id}) was killed by SIGSEGV after its main returned EXIT_SUCCESS (its ZooKeeper handle was already freed): a crash in Mesos' own exit teardown, counted as exit 0`,
  });
  return 0;
}

/** What the scheduler's host runs between mesos-execute runs: nothing, until it is removed. */
const IDLE = ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 3600 & wait $!; done"];

/**
 * Starts one `mesos-execute` on the run's network, pointed at the master through ZooKeeper; its lines reach the step
 * under the action's id. It runs in the scheduler's host, a container at the scheduler's address that holds the step's
 * files for mesos-execute and is kept while they stay the same: a container of its own per run cost the engine about
 * as much CPU as the run itself. The run gets the step's environment and nothing else (the host has none of its own).
 * The step stops it when it ends (ActionContext.executeIds).
 */
async function startExecute(ctx: ActionContext, a: ExecuteAction) {
  const { addresses: plan, containers } = ctx.cluster;
  const { config, publish } = ctx.options;
  const { key, n } = containers.oneOffKey("execute");
  // through the relay: the scheduler is given the relay's address as the master's, so its calls pass the recorder
  const master = a.via === "relay" ? relayOf(ctx, "master").inLab : `zk://${plan.template.host.zk}:2181/mesos`;
  const cmd = [ROLE_PROGRAM.execute, `--master=${master}`, ...a.args.map((x) => expand(x, plan.template))];
  const files = placedFiles(plan, ctx.step.files, "execute");
  const hash = configHash({ image: config.images.execute, env: {}, files, cmd: IDLE, extra: plan.subnet });
  const host = containers.get(SCHEDULER_HOST_KEY);
  if (!host || host.exitCode !== null || host.hash !== hash) {
    await containers.drop(SCHEDULER_HOST_KEY);
    const spec = containerSpec({ config, identity: containers.identity, plan, publish }, "execute", 1, {}, files, { cmd: IDLE.slice(1) });
    spec.entrypoint = IDLE.slice(0, 1);
    await containers.launch(SCHEDULER_HOST_KEY, "execute", 1, spec, hash, "execute:host");
  }
  const live = await containers.launchProcess(key, SCHEDULER_HOST_KEY, "execute", n, cmd, envFor(plan, ctx.step, "execute", 1), a.id);
  return { live, key };
}
