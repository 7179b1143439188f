import type { LogFollow } from "../../runtime/container-runtime.js";
import type { Role } from "../../model/roles.js";
import type { LineMarks } from "../line-marks.js";
import type { HeadTail } from "../ring.js";

/** One running container of the cluster, with its log stream open for its whole life. */
export interface RunningContainer {
  role: Role;
  instance: number;
  id: string;
  name: string;
  hash: string;
  env: Record<string, string>;
  follow: LogFollow;
  /** What it printed, per stream, for the failure report (first and last lines). */
  tail: { stdout: HeadTail; stderr: HeadTail };
  marks: LineMarks;
  exit: Promise<number>;
  exitCode: number | null;
  ports: Record<number, number>;
  /** Runs in the agent capabilities mode: its nested cgroups are released before it is removed. */
  capabilities?: boolean;
  /** A process started in another container (`id` is that container's): stopping it kills the process, not the container. */
  process?: { kill(): Promise<void> };
  /** What its end sets off elsewhere, awaited once it ended (a scheduler's framework, removed by the master). */
  aftermath?: () => Promise<void>;
  /** The framework ID a mesos-execute run subscribed as, once it printed it. */
  framework?: string;
}

/** The key of a role's container: `agent#2`; one-offs (`execute#3`, a mesos-execute run) count on from 1 per run. */
export const liveKey = (role: Role, instance = 1): string => `${role}#${instance}`;

/** The attacker's host: one per cluster, started on the first attack and kept for the replay. */
export const ATTACKER_KEY = liveKey("attacker");

/** The scheduler's host: one container per cluster that `mesos-execute` runs in, kept while its files stay the same. */
export const SCHEDULER_HOST_KEY = "execute:host";

/** A relay on the path, by its action id (`relay:wire`). */
export const relayKey = (id: string): string => `relay:${id}`;
