import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../catalogue/root.js";

/**
 * The attack steps' hosts on the lab's network: the attacker's (the Mesos image: curl, nc, openssl), and the relay
 * (Node, src/attack/relay.ts). Both are lab containers like the others: labelled with the run, removed with it.
 *
 * Neither reaches past the lab's network: before anything else each deletes its default route, so only the lab's own
 * subnet (the directly connected route) is reachable, and it refuses to go on when a default route remains. That
 * needs NET_ADMIN in the container's own network namespace, which the lab adds to these two containers only. In host
 * network mode there is no network of the lab's to stay in: they keep the host's, and the attacks address 127.0.0.1.
 */

/** The attacker's host is up and can reach only the lab's network. */
export const ATTACKER_READY = /^attacker: ready/;
/** It could not drop its default route, and stopped: an attack from it might leave the lab. */
export const ATTACKER_REFUSES = /^attacker: refusing/;
/** The relay listens (its first line). */
export const RELAY_LISTENS = /^relay: listening on /;

const NO_ROUTE_OUT = [
  "ip route del default 2>/dev/null",
  'if ip route 2>/dev/null | grep -q "^default"; then echo "attacker: refusing to start: a default route remains (no NET_ADMIN?), so an attack could leave the lab network"; exit 1; fi',
];

/** The attacker's start: no route out, then it waits for the attack commands the harness runs in it. */
export function attackerScript(hostNetwork: boolean): string {
  const wait = "exec sleep 2147483647";
  if (hostNetwork) return ['echo "attacker: ready (host network: the attacks address 127.0.0.1 only)"', wait].join("; ");
  return [...NO_ROUTE_OUT, 'echo "attacker: ready (no route past the lab network)"', wait].join("; ");
}

export const RELAY_PROGRAM = "/opt/mesos-lab/relay.mjs";

/** The relay's start: no route out, then the relay program. */
export function relayScript(o: { hostNetwork: boolean; listen: number; host: string; port: number; name: string }): string {
  const run = `exec node ${RELAY_PROGRAM} ${o.listen} ${o.host} ${o.port} ${o.name}`;
  return o.hostNetwork ? run : [...NO_ROUTE_OUT.map((l) => l.replace("attacker:", "relay:")), run].join("; ");
}

let program: string | undefined;

/** The compiled relay, copied into its container as it is (it imports only Node's built-ins). */
export function relayProgram(): string {
  if (program !== undefined) return program;
  const file = path.join(packageRoot(), "dist", "src", "attack", "relay.js");
  if (!existsSync(file)) throw new Error(`the relay is not built (${file} is missing): run \`npm run build\``);
  program = readFileSync(file, "utf8");
  return program;
}
