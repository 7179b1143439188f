import type { Profile, Role } from "./roles.js";

/**
 * What differs per Mesos release outside the exercises: the images a user gets by default, and how far the
 * catalogue is proven for it. (Per-step differences live in the exercises, as `envByProfile` and `citeFor`.)
 */
export interface ProfileInfo {
  /** Default image per role; master, agent and mesos-execute may share one image (the harness picks the program). */
  images: Record<Role, string>;
  /** How the catalogue is checked for this release, said by `list`, the TUI header and the README. */
  checked: string;
  /** Whether the real-Mesos suite runs the catalogue on this release. */
  real: boolean;
}

/**
 * The lab registry (exercise 12) is not Mesos, so it is the same for every release: the CNCF distribution registry's
 * official image (its program is `registry`), and Node.js for the token service (src/registry/token-service.ts).
 */
const REGISTRY_IMAGES = { registry: "registry:2.8", tokens: "node:20-alpine" };

export const PROFILE_INFO: Record<Profile, ProfileInfo> = {
  "1.4": {
    // the workshop's own images (MesosCon 2017)
    images: {
      zk: "netflixoss/exhibitor:1.5.2",
      master: "mesosphere/mesos-master:1.4.0-rc5",
      agent: "mesosphere/mesos-slave:1.4.0-rc5",
      execute: "mesosphere/mesos:1.4.0-rc5",
      ...REGISTRY_IMAGES,
    },
    checked: "checked against the stand-in only (the workshop's release; Mesos 1.4 is not run in CI)",
    real: false,
  },
  "1.11": {
    // Apache's own image: one image, Mesos on the PATH, no entrypoint. ZooKeeper's official image runs on amd64 and
    // arm64 and, like every ZooKeeper since 3.5, whitelists only the `srvr` four-letter word.
    images: { zk: "zookeeper:3.8", master: "mesos/mesos-centos:1.11.0", agent: "mesos/mesos-centos:1.11.0", execute: "mesos/mesos-centos:1.11.0", ...REGISTRY_IMAGES },
    checked: "checked against real Mesos 1.11.1 in CI",
    real: true,
  },
};

/** The final Apache release: what a lab runs unless lab.config.ts says otherwise. */
export const DEFAULT_PROFILE: Profile = "1.11";
