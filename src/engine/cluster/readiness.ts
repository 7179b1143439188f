import { ROLE_PORTS, type ClusterRole, type Role } from "../../model/roles.js";
import { ATTACKER_READY, ATTACKER_REFUSES, RELAY_LISTENS } from "../../attack/roles.js";
import { TOKENS_LISTEN } from "../../registry/roles.js";
import { Wait, type WaitStrategy } from "../wait.js";
import type { AddressPlan } from "./address-plan.js";
import type { RunningContainer } from "./running-container.js";
import { clientTls } from "./tls-client.js";

/**
 * The master answers its API only as the leading master that has recovered its registry: before it is elected a
 * request is redirected (307) or refused with 503 "No leader elected" (src/master/http.cpp:1746-1753 at 1.11), and
 * while it recovers it is 503 "Master has not finished recovery" (src/master/http.cpp:220-228). `/health` is 200 all
 * along. Recovery ends with this line (src/master/master.cpp:1825 at 1.11, :1833 at 1.4), after `Elected as the
 * leading master!` (master.cpp:2176).
 */
export const MASTER_LEADS = /Recovered \d+ agents from the registry/;

/**
 * The agent answers `/health` at once, but `/state`, its operator API `/api/v1` and the executor API answer 503 "Agent
 * has not finished recovery" while it recovers (src/slave/http.cpp:375-376, :1335-1336 at 1.11). Recovery ends with
 * this line, in the same dispatch that leaves the RECOVERING state (src/slave/slave.cpp:8377-8431 at 1.11, :6322 at
 * 1.4).
 */
export const AGENT_RECOVERED = /Finished recovery$/;

/** mesos-execute's task runs (src/cli/execute.cpp prints each status update): a detached run goes on from here. */
export const TASK_RUNNING = /^Received status update TASK_RUNNING for task /;

/**
 * The ZooKeeper C client frees its handle when the scheduler's master detector is destroyed, and execute.cpp destroys
 * it only as main returns EXIT_SUCCESS (src/cli/execute.cpp:1234-1237; every other exit is `EXIT`, which destroys
 * nothing). After this line, mesos-execute's exit status is decided: what follows is the process's own teardown.
 */
export const MAIN_RETURNED = /ZOO_INFO@zookeeper_close@\d+: Freeing zookeeper resources for sessionId=/;

/** A master's znode under `--zk`'s path: ephemeral and sequential, `json.info_0000000003` (src/zookeeper/group.cpp:603-613). */
export const MASTER_ZNODE_MEMBER = /^json\.info_\d+$/;

/** Lines a role's readiness waits for, remembered for the container's whole life. */
export const READY_LINES: Record<Role, RegExp[]> = {
  zk: [],
  master: [MASTER_LEADS],
  agent: [AGENT_RECOVERED],
  execute: [TASK_RUNNING, MAIN_RETURNED],
  registry: [],
  tokens: [TOKENS_LISTEN],
  attacker: [ATTACKER_READY, ATTACKER_REFUSES],
  relay: [RELAY_LISTENS],
};

/** When a role's container serves: one wait object per probe, composed per role. */
export function readinessOf(plan: AddressPlan, role: ClusterRole, live: RunningContainer): WaitStrategy {
  if (role === "zk") return Wait.forZooKeeper(ROLE_PORTS.zk);
  // token authentication: the registry answers its base endpoint 401 with a Bearer challenge once it serves
  if (role === "registry") return Wait.forHttp(ROLE_PORTS.registry, "/v2/", { tls: false, status: 401 });
  if (role === "tokens") return Wait.forLogLine(TOKENS_LISTEN, "the token service listens");
  const health = Wait.forHttp(ROLE_PORTS[role], "/health", { ...clientTls(plan, live.env), servername: "localhost" });
  return role === "master"
    ? Wait.all([health, Wait.forLogLine(MASTER_LEADS, "the master leads (registry recovered)")])
    : Wait.all([health, Wait.forLogLine(AGENT_RECOVERED, "the agent finished recovery")]);
}
