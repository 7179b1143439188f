import { z } from "zod";
import { DEFAULT_PROFILE, PROFILE_INFO, type ProfileInfo } from "../model/profiles.js";
import { PROFILES, type Profile, type Role } from "../model/roles.js";

const image = z.string().regex(/^[a-z0-9][a-z0-9._/:@-]*$/i, "an image reference like repo/name:tag");
const port = z.number().int().min(0).max(65535);

/** Default images per profile (src/model/profiles.ts). */
export const DEFAULT_IMAGES = Object.fromEntries(Object.entries(PROFILE_INFO).map(([p, i]) => [p, i.images])) as Record<Profile, ProfileInfo["images"]>;

export const configSchema = z
  .object({
    /** Which Mesos release the expectations are written for. */
    profile: z.enum(PROFILES).default(DEFAULT_PROFILE),
    /** Images per role; unset roles take the profile's default. */
    images: z
      .object({ zk: image.optional(), master: image.optional(), agent: image.optional(), execute: image.optional(), registry: image.optional(), tokens: image.optional() })
      .strict()
      .default({}),
    network: z
      .object({
        /** `bridge`: one dedicated network per lab run with fixed addresses; `host`: the workshop's --net=host. */
        mode: z.enum(["bridge", "host"]).default("bridge"),
        /** A /24 for the lab network, or `auto` to take a free one from 10.213.0.0/16. */
        subnet: z.union([z.literal("auto"), z.string().regex(/^\d+\.\d+\.\d+\.0\/24$/, "a /24 such as 10.213.7.0/24")]).default("auto"),
      })
      .strict()
      .default({ mode: "bridge", subnet: "auto" }),
    /** Host ports that `up` and the TUI publish for the web UIs (127.0.0.1 only); 0 picks a free one. */
    ports: z
      .object({ master: port.default(5050), agent: port.default(5051), exhibitor: port.default(8080), zk: port.default(0) })
      .strict()
      .default({ master: 5050, agent: 5051, exhibitor: 8080, zk: 0 }),
    agents: z.number().int().min(1).max(5).default(1),
    timeouts: z
      .object({
        /** Longest a positive expectation waits (ms). */
        expectation: z.number().int().positive().default(60_000),
        /** How long a negative expectation watches after the step's actions (ms). */
        negativeWindow: z.number().int().positive().default(8_000),
        /** Hard limit for one `mesos-execute` run: it never exits while it cannot subscribe. */
        execute: z.number().int().positive().default(60_000),
        /** Readiness of one role (ZK ruok, /health). */
        ready: z.number().int().positive().default(90_000),
        /** Pulling one image. */
        pull: z.number().int().positive().default(600_000),
      })
      .strict()
      .default({ expectation: 60_000, negativeWindow: 8_000, execute: 60_000, ready: 90_000, pull: 600_000 }),
    /** Where generated lab material goes, relative to the config file. */
    material: z
      .object({ ssl: z.string().default("ssl"), credentials: z.string().default("credentials") })
      .strict()
      .default({ ssl: "ssl", credentials: "credentials" }),
    /** A folder of exercises to use instead of the built-in catalogue. */
    exercisesDir: z.string().optional(),
    /** Run the agent privileged (the workshop did; the posix launcher does not need it, and some hosts refuse it). */
    privilegedAgent: z.boolean().default(false),
    /**
     * Run every agent in the capabilities mode (src/engine/agent-capabilities.ts): SYS_ADMIN, seccomp and AppArmor
     * unconfined, the cgroup-v1 freezer read-write and Mesos' cgroups nested in the agent container's own, so that
     * MESOS_LAUNCHER=linux works without --privileged. Exercises and steps that need it ask for it themselves.
     */
    agentCapabilities: z.boolean().default(false),
    /** Extra env for every Mesos process, e.g. {"GLOG_v":"1"}. */
    extraEnv: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export type LabConfigInput = z.input<typeof configSchema>;
export type LabConfigParsed = z.output<typeof configSchema>;

export interface LabConfig extends Omit<LabConfigParsed, "images"> {
  images: Record<Role, string>;
  /** Folder the config file lives in; lab material paths resolve against it. */
  root: string;
  /** The file the config came from, or undefined when defaults were used. */
  file?: string;
}

export function defineConfig(config: LabConfigInput): LabConfigInput {
  return config;
}
