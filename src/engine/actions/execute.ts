import { randomBytes } from "node:crypto";
import type { ExecuteAction } from "../../model/exercise.js";
import { abortable } from "../abortable.js";
import { outputOf } from "../process-output.js";
import { SourceKeys } from "../source-keys.js";
import { containerSpec, envFor, placedFiles } from "../cluster/container-spec.js";
import { expand } from "../template.js";
import type { ActionContext, ActionHandler } from "./context.js";

const describe = (a: ExecuteAction) => `mesos-execute ${a.args.join(" ")}`;

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
    const outcome = await abortable(Promise.race([exited, timedOut, said]), ctx.options.signal).finally(() => clearTimeout(timer));
    const code = typeof outcome === "number" ? String(outcome) : outcome === "timeout" ? "timeout" : undefined;
    if (code === undefined) return;
    ctx.set.feed(exit, code);
    const why =
      code === "timeout"
        ? `mesos-execute was stopped after ${Math.round(timeoutMs / 1000)} s (it never exits while it cannot subscribe)`
        : `mesos-execute exited with code ${code}`;
    for (const k of [stdout, stderr, exit]) ctx.set.endSource(k, why);
    if (code !== "0") {
      const ended = code === "timeout" ? { exitCode: null, stoppedAfterMs: timeoutMs } : { exitCode: Number(code) };
      ctx.died.push({ role: "execute", action: a.id, command: describe(a), ...ended, ...outputOf(live) });
    }
  },
};

/**
 * Starts one `mesos-execute` container on the run's network, pointed at the master through ZooKeeper; its lines reach
 * the step under the action's id. The step stops it when it ends (ActionContext.executeIds).
 */
async function startExecute(ctx: ActionContext, a: ExecuteAction) {
  const { addresses: plan, containers } = ctx.cluster;
  const { config, publish } = ctx.options;
  const { key, n } = containers.oneOffKey("execute");
  const cmd = [`--master=zk://${plan.template.host.zk}:2181/mesos`, ...a.args.map((x) => expand(x, plan.template))];
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
