import type { AttackAction, RelayAction } from "../../model/exercise.js";
import { ROLE_PORTS } from "../../model/roles.js";
import { ATTACKER_READY, ATTACKER_REFUSES, attackerScript, RELAY_LISTENS, RELAY_PROGRAM, relayProgram, relayScript } from "../../attack/roles.js";
import { containerSpec } from "../cluster/container-spec.js";
import { ATTACKER_KEY, relayKey, type RunningContainer } from "../cluster/running-container.js";
import { SourceKeys, type HttpPart } from "../source-keys.js";
import { expand } from "../template.js";
import type { ActionContext, ActionHandler } from "./context.js";

/**
 * The attacker on the lab's network: its host (started once per cluster, on the first attack, and kept for the next
 * steps: an attack and its replay come from the same host), and the relays it puts on the path.
 */

/** Waits for a container's first line: the attacker's `ready` (or its refusal), the relay's `listening`. */
async function started(live: RunningContainer, ready: RegExp, refused: RegExp | undefined, what: string, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not start within ${timeoutMs / 1000} s`)), timeoutMs)),
  );
  const exited = live.exit.then((code) => {
    const said = (["stderr", "stdout"] as const).flatMap((s) => [...live.tail[s].snapshot().head, ...live.tail[s].snapshot().tail]).filter((l) => l.trim());
    throw new Error(`${what} exited with code ${code}${said.length ? `: ${said.slice(-3).join(" / ")}` : ""}`);
  });
  const refusal = refused
    ? live.marks.printed(refused).then(() => {
        throw new Error(`${what} refused to start: it could not drop its route past the lab network`);
      })
    : new Promise<never>(() => undefined);
  try {
    await Promise.race([live.marks.printed(ready), late, exited, refusal]);
  } finally {
    clearTimeout(timer);
  }
}

/** The attacker's host, started on first use. */
async function attacker(ctx: ActionContext): Promise<RunningContainer> {
  const { containers, addresses: plan } = ctx.cluster;
  const running = containers.get(ATTACKER_KEY);
  if (running && running.exitCode === null) return running;
  if (running) await containers.drop(ATTACKER_KEY);
  const { config, publish } = ctx.options;
  // the attacker's own certificate, from the rogue CA (a rogue agent presents it): never one of the lab CA's
  const files = [
    { path: "/etc/attacker/rogue-agent.pem", content: plan.material("ssl/rogue-agent.pem"), mode: 0o644 },
    { path: "/etc/attacker/rogue-agent-key.pem", content: plan.material("ssl/rogue-agent-key.pem"), mode: 0o600 },
  ];
  const spec = containerSpec({ config, identity: containers.identity, plan, publish }, "attacker", 1, {}, files, {
    cmd: ["-c", attackerScript(plan.hostMode)],
    // only to delete its own default route (its network namespace is its own): see src/attack/roles.ts
    capAdd: plan.hostMode ? undefined : ["NET_ADMIN"],
  });
  const live = await containers.launch(ATTACKER_KEY, "attacker", 1, spec, "attacker", "attacker");
  await started(live, ATTACKER_READY, ATTACKER_REFUSES, "the attacker's host", 30_000);
  return live;
}

/** `${target.master}` → `master:5050` on the lab network (`127.0.0.1:5050` in host mode), likewise the agent's. */
export function expandTargets(text: string, ctx: ActionContext): string {
  const { addresses: plan } = ctx.cluster;
  return text.replace(/\$\{target\.(master|agent)\}/g, (_, role: "master" | "agent") => `${plan.template.host[role]}:${ROLE_PORTS[role]}`);
}

/** `curl -si` output: the status line (the last one, after any `100 Continue`), the headers, the body. */
export function httpParts(lines: string[]): Record<Exclude<HttpPart, "all">, string[]> {
  let start = -1;
  lines.forEach((l, i) => {
    if (/^HTTP\/\d(\.\d)? \d{3}/.test(l) && !/^HTTP\/\S+ 100\b/.test(l)) start = i;
  });
  if (start < 0) return { status: [], headers: [], body: lines };
  const end = lines.findIndex((l, i) => i > start && l === "");
  const head = end < 0 ? lines.slice(start + 1) : lines.slice(start + 1, end);
  return { status: [lines[start]!], headers: head, body: end < 0 ? [] : lines.slice(end + 1).filter((l) => l !== "") };
}

export const attackAction: ActionHandler<AttackAction> = {
  describe: (a) => `attacker: ${a.run}`,
  run: async (ctx, a) => {
    const host = await attacker(ctx);
    const cmd = expand(expandTargets(a.run, ctx), ctx.cluster.addresses.template);
    const out = await ctx.options.runtime.exec.run(host.id, ["sh", "-c", cmd], a.timeoutMs ?? 15_000).then(
      (r) => `${r.stdout}\n${r.stderr}`.split(/\r?\n/),
      (err: Error) => [`error: ${err.message}`],
    );
    const lines = out.filter((l, i) => l !== "" || (a.http && i > 0));
    const keys: Array<[HttpPart, string[]]> = [["all", lines.filter((l) => l !== "")]];
    if (a.http) keys.push(...(Object.entries(httpParts(lines)) as Array<[HttpPart, string[]]>));
    for (const l of keys[0]![1])
      ctx.options.bus.emit({
        type: "log",
        exercise: ctx.step.exercise.id,
        source: `attacker:${a.id}`,
        role: "attacker",
        stream: "stdout",
        text: l,
        ts: Date.now(),
      });
    for (const [part, ls] of keys) {
      const key = SourceKeys.attacker(a.id, part);
      for (const l of ls) ctx.set.feed(key, l);
      ctx.set.endSource(key, "the attacker's command did not print it");
    }
  },
};

/**
 * A relay in front of the master or an agent, recording what it forwards (src/attack/relay.ts). Clients sent to the
 * relay (`execute` and `http` actions with `via: "relay"`) reach the process through it. Kept for the next steps, so
 * that the replay after the control goes through the same relay.
 */
export const relayAction: ActionHandler<RelayAction> = {
  describe: (a) => `relay on the path to the ${a.to}, recording what it forwards`,
  run: async (ctx, a) => {
    const { containers, addresses: plan } = ctx.cluster;
    const key = relayKey(a.id);
    const running = containers.get(key);
    if (running && running.exitCode === null) return;
    if (running) await containers.drop(key);
    const port = ROLE_PORTS[a.to];
    const { config, publish } = ctx.options;
    const spec = containerSpec(
      { config, identity: containers.identity, plan, publish },
      "relay",
      1,
      { MESOS_LAB_RELAY_TO: a.to },
      [{ path: RELAY_PROGRAM, content: relayProgram(), mode: 0o644 }],
      {
        cmd: ["-c", relayScript({ hostNetwork: plan.hostMode, listen: plan.hostMode ? port + 1000 : port, host: plan.template.host[a.to]!, port, name: a.to })],
        suffix: `-${a.id}`,
        publish: plan.hostMode ? undefined : { [port]: 0 },
        capAdd: plan.hostMode ? undefined : ["NET_ADMIN"],
      },
    );
    const live = await containers.launch(key, "relay", 1, spec, "relay", a.id);
    await started(live, RELAY_LISTENS, undefined, "the relay", 30_000);
  },
};

/**
 * Where a client sent `via: "relay"` reaches the relay in front of `to`: from the lab's network its alias and the
 * port it stands in for; from the host its published port (in host mode, that port + 1000).
 */
export function relayOf(ctx: ActionContext, to: "master" | "agent"): { live: RunningContainer; inLab: string; hostPort: number } {
  const live = ctx.cluster.containers.all().find((l) => l.role === "relay" && l.exitCode === null && l.env.MESOS_LAB_RELAY_TO === to);
  if (!live) throw new Error(`no relay is running in front of the ${to}: a relay action must come first`);
  const { addresses: plan } = ctx.cluster;
  const port = ROLE_PORTS[to];
  const listen = plan.hostMode ? port + 1000 : port;
  const hostPort = plan.hostMode ? listen : live.ports[port];
  if (!hostPort) throw new Error(`the relay in front of the ${to} publishes no port`);
  return { live, inLab: `${plan.template.host.relay}:${listen}`, hostPort };
}

/**
 * The attacker's background work ends with the step (a rogue agent it started): the next step starts from the
 * attacker's host as it was, without a stray agent of the attacker's in the cluster it runs.
 */
export async function endAttackerJobs(ctx: Pick<ActionContext, "cluster" | "options">): Promise<void> {
  const host = ctx.cluster.containers.get(ATTACKER_KEY);
  if (!host || host.exitCode !== null) return;
  await ctx.options.runtime.exec.run(host.id, ["sh", "-c", "pkill -x mesos-agent; true"], 5_000).catch(() => undefined);
}
