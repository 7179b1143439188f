import { shellLine } from "../../util/shell.js";
import { randomBytes } from "node:crypto";
import type { ExecuteAction } from "../../model/exercise.js";
import { abortable } from "../abortable.js";
import { outputOf } from "../process-output.js";
import { SourceKeys } from "../source-keys.js";
import { containerSpec, envFor, placedFiles } from "../cluster/container-spec.js";
import type { RunningContainer } from "../cluster/running-container.js";
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
  },
};

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

/**
 * Starts one `mesos-execute` container on the run's network, pointed at the master through ZooKeeper; its lines reach
 * the step under the action's id. The step stops it when it ends (ActionContext.executeIds).
 */
async function startExecute(ctx: ActionContext, a: ExecuteAction) {
  const { addresses: plan, containers } = ctx.cluster;
  const { config, publish } = ctx.options;
  const { key, n } = containers.oneOffKey("execute");
  // through the relay: the scheduler is given the relay's address as the master's, so its calls pass the recorder
  const master = a.via === "relay" ? relayOf(ctx, "master").inLab : `zk://${plan.template.host.zk}:2181/mesos`;
  const cmd = [`--master=${master}`, ...a.args.map((x) => expand(x, plan.template))];
  const spec = containerSpec(
    { config, identity: containers.identity, plan, publish },
    "execute",
    1,
    envFor(plan, ctx.step, "execute", 1),
    placedFiles(plan, ctx.step.files, "execute"),
    {
      cmd,
      suffix: `-${n}-${randomBytes(2).toString("hex")}`,
    },
  );
  const live = await containers.launch(key, "execute", 1, spec, "execute", a.id);
  return { live, key };
}
