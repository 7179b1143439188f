/** The containers a lab is made of. `execute` is the one-shot `mesos-execute` scheduler container. */
export const ROLES = ["zk", "master", "agent", "execute"] as const;
export type Role = (typeof ROLES)[number];

/** Roles that stay up across steps (the cluster); `execute` is started per action. */
export const CLUSTER_ROLES = ["zk", "master", "agent"] as const;
export type ClusterRole = (typeof CLUSTER_ROLES)[number];

export const PROFILES = ["1.4", "1.11"] as const;
export type Profile = (typeof PROFILES)[number];

/** Service port of each role inside its container. */
export const ROLE_PORTS: Record<ClusterRole, number> = { zk: 2181, master: 5050, agent: 5051 };

/**
 * The program each Mesos role runs. The harness sets it as the container's entrypoint itself, so an image with its own
 * entrypoint (mesosphere/mesos-master) and one without (Apache's mesos/mesos-centos: one image, Mesos on the PATH)
 * start the same way. ZooKeeper images keep their own start command: each image has its own way of starting it.
 */
export const ROLE_PROGRAM: Record<Exclude<Role, "zk">, string> = { master: "mesos-master", agent: "mesos-agent", execute: "mesos-execute" };
