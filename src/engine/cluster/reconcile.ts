import { CLUSTER_ROLES, type ClusterRole, type Role } from "../../model/roles.js";
import { registryRoleFiles } from "../../registry/roles.js";
import type { ContainerSpec } from "../../runtime/types.js";
import { agentCapabilities } from "../agent-capabilities.js";
import type { Material } from "../material.js";
import { configHash, type RenderedStep } from "../render.js";
import { expand } from "../template.js";
import { containerSpec, envFor, placedFiles, type SpecContext } from "./container-spec.js";
import type { ClusterContainers } from "./containers.js";
import { liveKey } from "./running-container.js";

/** The Mesos roles a role depends on: recreating one of them recreates it (an agent must re-register with a new master). */
const UPSTREAM: Record<ClusterRole, ClusterRole[]> = { zk: [], master: ["zk"], agent: ["zk", "master"], registry: [], tokens: [] };

export interface ReconcileContext extends SpecContext {
  material: Material;
  containers: ClusterContainers;
}

/**
 * Whether a master is about to replace one that ran on this ZooKeeper. Masters contend as ephemeral sequential znodes
 * (src/zookeeper/group.cpp:613 at 1.11) and the leader is the oldest (src/zookeeper/detector.cpp:143-148): the removed
 * master's znode lives on until its session expires, `--zk_session_timeout` after its container went (10 s by default,
 * src/master/constants.hpp:145), and only then is the new master elected. On real Mesos 1.11 that wait was 8-11 s of
 * each master restart. So the harness deletes that znode once the removed master is gone (stale-masters.ts), or where it
 * cannot, starts a fresh ZooKeeper, which holds no such znode.
 */
function replacesMaster(c: ReconcileContext, rendered: RenderedStep): boolean {
  const current = c.containers.get(liveKey("master", 1));
  if (!current || !rendered.cluster.includes("master")) return false;
  return current.exitCode !== null || current.hash !== wantedConfig(c, rendered, "master", 1).hash;
}

/**
 * What a reconcile asks of the running cluster: `zkReady`, that a new ZooKeeper serves; `clearMasters`, that the
 * members a removed master left under its znode go now (true when done), so ZooKeeper need not be replaced.
 */
export interface ReconcileHooks {
  zkReady?: () => Promise<void>;
  clearMasters?: (zkUrl: string) => Promise<boolean>;
}

/**
 * Brings the cluster to the step's configuration. A role is recreated when its own configuration changed or a role it
 * depends on (zk → master → agent) was recreated, since a Mesos agent must re-register with a new master; a container
 * that exited is recreated too. A master that replaces another (replacesMaster) would wait for the removed one's
 * znode to expire: that znode is deleted once the removed master is gone (`clearMasters`), and only where that cannot be
 * done is ZooKeeper replaced too. `zkReady` is awaited once a new ZooKeeper started, before the Mesos roles start.
 */
export async function reconcile(c: ReconcileContext, rendered: RenderedStep, hooks: ReconcileHooks = {}): Promise<{ created: Role[]; reused: Role[] }> {
  const created: Role[] = [];
  const reused: Role[] = [];
  const drops: string[] = [];
  const launches: Array<{ key: string; role: ClusterRole; instance: number; spec: ContainerSpec; hash: string }> = [];
  const changed = new Set<ClusterRole>();
  const replaces = replacesMaster(c, rendered);
  const zkUrl = rendered.env.master.MESOS_ZK !== undefined ? expand(rendered.env.master.MESOS_ZK, c.plan.template) : undefined;
  let freshZk = replaces;
  if (replaces && hooks.clearMasters && zkUrl !== undefined && keepsZk(c, rendered)) {
    // its znode can go only once it is gone: the container first. The agents go with it, since a new master means new
    // agents (UPSTREAM): removed in parallel, not after the znodes, and they cannot log into the step meanwhile (an
    // agent that sees its master's znode deleted logs that it lost its leading master)
    const agents = Array.from({ length: c.config.agents }, (_, i) => liveKey("agent", i + 1));
    await Promise.all([liveKey("master", 1), ...agents].map((k) => c.containers.drop(k)));
    freshZk = !(await hooks.clearMasters(zkUrl).catch(() => false));
  }
  for (const role of CLUSTER_ROLES) {
    const upstreamChanged = UPSTREAM[role].some((r) => changed.has(r)) || (role === "zk" && freshZk);
    const instances = role === "agent" ? c.config.agents : 1;
    const wanted = rendered.cluster.includes(role);
    for (let i = 1; i <= instances; i++) {
      const key = liveKey(role, i);
      const current = c.containers.get(key);
      if (!wanted) {
        if (current) drops.push(key);
        continue;
      }
      const { env, files, caps, hash } = wantedConfig(c, rendered, role, i);
      if (current && current.hash === hash && current.exitCode === null && !upstreamChanged) {
        reused.push(role);
        c.containers.reused(current);
        continue;
      }
      if (current) drops.push(key);
      launches.push({ key, role, instance: i, spec: containerSpec(c, role, i, env, files, { capabilities: caps }), hash });
      created.push(role);
    }
    if (launches.some((l) => l.role === role) || (!wanted && role !== "agent")) changed.add(role);
  }
  await Promise.all(drops.map((k) => c.containers.drop(k)));
  // ZooKeeper first: a master or agent that starts before it backs off (and logs ZOO_ERROR noise); once ZK
  // answers, the Mesos processes can start together since they find each other through it.
  const zk = launches.filter((l) => l.role === "zk");
  await Promise.all(zk.map((l) => c.containers.launch(l.key, l.role, l.instance, l.spec, l.hash)));
  if (zk.length && hooks.zkReady) await hooks.zkReady();
  await Promise.all(launches.filter((l) => l.role !== "zk").map((l) => c.containers.launch(l.key, l.role, l.instance, l.spec, l.hash)));
  return { created, reused };
}

/** Whether the step keeps the running ZooKeeper as it is (leaving aside a master's replacement). */
function keepsZk(c: ReconcileContext, rendered: RenderedStep): boolean {
  const zk = c.containers.get(liveKey("zk", 1));
  return !!zk && zk.exitCode === null && rendered.cluster.includes("zk") && zk.hash === wantedConfig(c, rendered, "zk", 1).hash;
}

/** A role's container as the step wants it: its env, files, capabilities mode and the hash of all of them. */
function wantedConfig(c: ReconcileContext, rendered: RenderedStep, role: ClusterRole, i: number) {
  const env = envFor(c.plan, rendered, role, i);
  const files = [
    ...placedFiles(c.plan, rendered.files, role),
    ...registryRoleFiles(role, { tokensHost: c.plan.template.host.tokens!, read: (n) => c.material.read(n) }),
  ];
  const caps = role === "agent" && agentCapabilities(c.config, rendered.exercise, rendered.step);
  const hash = configHash({ image: c.config.images[role], env, files, extra: `${c.plan.subnet}${caps ? " capabilities" : ""}` });
  return { env, files, caps, hash };
}

/**
 * Whether the running containers are the step's configuration, role by role, so that the step would reuse every one
 * (`mesos-lab attack` finds the step the cluster `up` kept is at; it never reconfigures that cluster).
 */
export function configuredFor(c: ReconcileContext, rendered: RenderedStep): boolean {
  for (const role of CLUSTER_ROLES) {
    const wanted = rendered.cluster.includes(role);
    for (let i = 1; i <= (role === "agent" ? c.config.agents : 1); i++) {
      const current = c.containers.get(liveKey(role, i));
      if (!wanted) {
        if (current) return false;
        continue;
      }
      if (!current || current.exitCode !== null || current.hash !== wantedConfig(c, rendered, role, i).hash) return false;
    }
  }
  return true;
}
