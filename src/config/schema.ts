import { z } from "zod";
import { BUILTIN_PROFILES, DEFAULT_PROFILE, type MesosProfile } from "../model/profiles/index.js";
import { releaseSchema } from "../model/release.js";
import type { Role } from "../model/roles.js";
import { LabError } from "../util/errors.js";

const image = z.string().regex(/^[a-z0-9][a-z0-9._/:@-]*$/i, "an image reference like repo/name:tag");
const port = z.number().int().min(0).max(65535);
const images = z
  .object({
    zk: image.optional(),
    master: image.optional(),
    agent: image.optional(),
    execute: image.optional(),
    registry: image.optional(),
    tokens: image.optional(),
    /** The attacker's host (default: the execute image) and the recording relay's (default: the tokens image). */
    attacker: image.optional(),
    relay: image.optional(),
  })
  .strict();

/** Default images per built-in profile (src/model/profiles/). */
export const DEFAULT_IMAGES: Readonly<Record<string, MesosProfile["images"]>> = Object.fromEntries(BUILTIN_PROFILES.map((p) => [p.name, p.images]));

const builtinNames = BUILTIN_PROFILES.map((p) => p.name);

/**
 * A profile of the lab's own, like a built-in one: a fork or a patched build of that release. It reads the flags and
 * ACL keys of the profile it is like and runs every exercise, step and expectation whose release range covers its
 * `release`, on its own images (the roles it leaves out keep the images of the profile it is like).
 */
export const profileEntrySchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, "a name of letters, digits, '.', '_' and '-' (at most 40), e.g. acme-1.11"),
    /** The built-in profile it is made from. */
    like: z.string(),
    /** The Mesos release it runs, compared with the catalogue's release ranges. */
    release: releaseSchema,
    images: images.default({}),
    /** How you check the catalogue for it, said by `list` (default: that mesos-lab does not). */
    checked: z.string().min(1).max(200).optional(),
  })
  .strict();

export const configSchema = z
  .object({
    /** Which Mesos release the expectations are written for: a built-in profile or one of `profiles`. */
    profile: z.string().default(DEFAULT_PROFILE),
    /** Profiles of the lab's own, each like a built-in one. */
    profiles: z.array(profileEntrySchema).max(16).default([]),
    /** Images per role; unset roles take the profile's default. */
    images: images.default({}),
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
    /**
     * The container engine. `runtime`: the one the lab expects ("auto": whichever answers; "docker" or "podman" also
     * narrows where it is looked for). `host`: its address (unix:// or tcp://) when DOCKER_HOST is unset.
     */
    engine: z
      .object({
        runtime: z.enum(["auto", "docker", "podman"]).default("auto"),
        host: z
          .string()
          .regex(/^(unix:\/\/\/|tcp:\/\/|ssh:\/\/|npipe:\/\/)\S+$/, "an engine address such as unix:///run/podman/podman.sock or tcp://10.0.0.2:2375")
          .optional(),
      })
      .strict()
      .default({ runtime: "auto" }),
    agents: z.number().int().min(1).max(5).default(1),
    timeouts: z
      .object({
        /** Longest a positive expectation waits (ms). */
        expectation: z.number().int().positive().default(60_000),
        /**
         * How long a negative expectation watches after the step's actions and its positives (ms). The positives come
         * first: a refusal, an exit, an answer has already shown what was decided, and a negative whose source ended
         * (its process exited) passes at once. A negative that needs longer (a retry Mesos makes later) sets its own.
         */
        negativeWindow: z.number().int().positive().default(1_000),
        /** Hard limit for one `mesos-execute` run: it never exits while it cannot subscribe. */
        execute: z.number().int().positive().default(60_000),
        /** Readiness of one role (ZK ruok, /health). */
        ready: z.number().int().positive().default(90_000),
        /** Pulling one image. */
        pull: z.number().int().positive().default(600_000),
      })
      .strict()
      .default({ expectation: 60_000, negativeWindow: 1_000, execute: 60_000, ready: 90_000, pull: 600_000 }),
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
  .strict()
  .superRefine((c, ctx) => {
    c.profiles.forEach((p, i) => {
      if (!builtinNames.includes(p.like))
        ctx.addIssue({
          code: "custom",
          path: ["profiles", i, "like"],
          message: `'${p.like}' is not a built-in profile (built in: ${builtinNames.join(", ")})`,
        });
      if (builtinNames.includes(p.name))
        ctx.addIssue({ code: "custom", path: ["profiles", i, "name"], message: `'${p.name}' is the name of a built-in profile: give yours its own` });
      else if (c.profiles.findIndex((q) => q.name === p.name) < i)
        ctx.addIssue({ code: "custom", path: ["profiles", i, "name"], message: `a second profile named '${p.name}'` });
    });
    const known = [...builtinNames, ...c.profiles.map((p) => p.name)];
    if (!known.includes(c.profile)) ctx.addIssue({ code: "custom", path: ["profile"], message: `unknown profile '${c.profile}' (known: ${known.join(", ")})` });
  });

export type LabConfigInput = z.input<typeof configSchema>;
export type LabConfigParsed = z.output<typeof configSchema>;

export interface LabConfig extends Omit<LabConfigParsed, "images"> {
  images: Record<Role, string>;
  /** The profile `profile` names: its release, flags, ACL keys and how it is checked. */
  mesos: MesosProfile;
  /** Folder the config file lives in; lab material paths resolve against it. */
  root: string;
  /** The file the config came from, or undefined when defaults were used. */
  file?: string;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length ? issue.path.join(".") : "(top level)";
  if (issue.code === "unrecognized_keys") {
    const keys = (issue as { keys: string[] }).keys;
    return `${where === "(top level)" ? "" : `${where}: `}unknown key${keys.length > 1 ? "s" : ""} ${keys.map((k) => `'${k}'`).join(", ")}`;
  }
  return `${where}: ${issue.message}`;
}

/** Validates a raw config object (zod); `file` is only used in messages. */
export function parseConfig(raw: unknown, file: string | undefined): LabConfigParsed {
  const parsed = configSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.map(describeIssue);
    const allowed = Object.keys(configSchema.shape).join(", ");
    throw new LabError(
      "config",
      `${file ?? "lab config"} is invalid: ${lines.join("; ")}`,
      `Fix the field${lines.length > 1 ? "s" : ""} named above (top-level keys allowed: ${allowed}).`,
    );
  }
  return parsed.data;
}
