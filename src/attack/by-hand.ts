import { shellQuote } from "../util/shell.js";
import type { Attack } from "../model/exercise.js";

/**
 * The attack's commands as an attendee runs them against the cluster `mesos-lab up` (or the TUI) keeps running: a
 * command that only talks to the master's or the agent's port is given with the address published on this machine
 * (`curl -si http://127.0.0.1:5050/master/flags`); one that needs the lab's network (a rogue agent, ZooKeeper) is given
 * as a `docker exec` on the attacker's host, which stays up with the cluster.
 */
export interface ByHand {
  /** The action it comes from. */
  action: string;
  command: string;
  /** `host`: from this machine; `attacker`: inside the attacker's host container. */
  where: "host" | "attacker";
}

/** Published addresses, `host:port`, of the master's and the agent's service ports. */
export type Published = Partial<Record<"master" | "agent", string>>;

const NEEDS_LAB = /\$\{(?:host|ip)\.[a-z-]+\}/;

export function byHandCommands(attack: Pick<Attack, "actions">, published: Published, attackerContainer?: string): ByHand[] {
  const out: ByHand[] = [];
  for (const a of attack.actions) {
    if (a.do !== "attack") continue;
    const roles = [...a.run.matchAll(/\$\{target\.(master|agent)\}/g)].map((m) => m[1] as "master" | "agent");
    if (!NEEDS_LAB.test(a.run) && roles.every((r) => published[r])) {
      out.push({ action: a.id, where: "host", command: a.run.replace(/\$\{target\.(master|agent)\}/g, (_, r: "master" | "agent") => published[r]!) });
      continue;
    }
    const inLab = a.run.replace(/\$\{target\.(master|agent)\}/g, (_, r: string) => `${r}:${r === "master" ? 5050 : 5051}`);
    out.push({ action: a.id, where: "attacker", command: `docker exec ${attackerContainer ?? "<attacker container>"} sh -c ${shellQuote(inLab)}` });
  }
  return out;
}
