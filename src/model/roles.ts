/**
 * The containers a lab is made of. `execute` is the scheduler's host, where each `mesos-execute` runs; `registry` and
 * `tokens` are the lab's private image registry and its token service (src/registry/), for the steps that pull images.
 * `attacker` and `relay` are the attack steps' (src/attack/): a host of the attacker's on the lab's network, and a
 * relay on the path between two Mesos processes that records the bytes it forwards.
 */
export const ROLES = ["zk", "master", "agent", "execute", "registry", "tokens", "attacker", "relay"] as const;
export type Role = (typeof ROLES)[number];

/** Roles that stay up across steps (the cluster); `execute` is started at a step's first `mesos-execute`. */
export const CLUSTER_ROLES = ["zk", "master", "agent", "registry", "tokens"] as const;
export type ClusterRole = (typeof CLUSTER_ROLES)[number];

/** The Mesos roles: the ones a step's flags (env) are for, and that depend on each other (zk → master → agent). */
export const MESOS_ROLES = ["zk", "master", "agent", "execute"] as const satisfies readonly Role[];
export type MesosRole = (typeof MESOS_ROLES)[number];

/** Service port of each role inside its container. */
export const ROLE_PORTS: Record<ClusterRole, number> = { zk: 2181, master: 5050, agent: 5051, registry: 5000, tokens: 5001 };

/**
 * The program each Mesos role runs. The harness sets it as the container's entrypoint itself, so an image with its own
 * entrypoint (mesosphere/mesos-master) and one without (Apache's mesos/mesos-centos: one image, Mesos on the PATH)
 * start the same way. ZooKeeper images keep their own start command: each image has its own way of starting it.
 */
export const ROLE_PROGRAM: Record<Exclude<Role, "zk">, string> = {
  master: "mesos-master",
  agent: "mesos-agent",
  execute: "mesos-execute",
  registry: "registry",
  tokens: "node",
  // both start with a shell: it drops their route past the lab network first (src/attack/roles.ts)
  attacker: "sh",
  relay: "sh",
};

/** Roles whose image is another role's unless the lab names one: the attacker uses the Mesos image (curl, nc, openssl), the relay Node's. */
export const IMAGE_OF: Partial<Record<Role, Role>> = { attacker: "execute", relay: "tokens" };

/** A record with one fresh value per role, so that a new role cannot be forgotten in a table. */
export function perRole<T>(make: (role: Role) => T): Record<Role, T> {
  return Object.fromEntries(ROLES.map((r) => [r, make(r)])) as Record<Role, T>;
}
