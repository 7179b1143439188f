import { createHash } from "node:crypto";
import type { LabConfig } from "../config/schema.js";
import { citedFor, withAttack, type CitedExpectation, type EnvByRole, type Exercise, type FileSpec, type Step } from "../model/exercise.js";
import type { MesosProfile } from "../model/profiles/index.js";
import { inRange } from "../model/release.js";
import { perRole, ROLE_PORTS, type ClusterRole, type Role } from "../model/roles.js";

/**
 * Turns "step N of an exercise" into the configuration each container must have: the harness baseline, then every
 * step's env delta up to N (the deltas of the profile's release on top), and the files those steps placed. Pure, so
 * the whole catalogue can be rendered and checked without Docker.
 */

export type RoleEnv = Record<Role, Record<string, string>>;

export interface RenderedFile {
  role: Role;
  path: string;
  /** Lab material name (`ssl/ca.pem`) with `{role}` already replaced, or inline content. */
  from?: string;
  content?: string;
  mode: number;
}

export interface RenderedStep {
  exercise: Exercise;
  /** The step with its attack's actions and evidence merged in (model/exercise.ts withAttack). */
  step: Step;
  index: number;
  /** The release of the profile it was rendered for. */
  release: string;
  /** Env per role after this step (templates not yet expanded). */
  env: RoleEnv;
  files: RenderedFile[];
  /** What this step adds/changes/removes relative to the step before (for the flag diff view). */
  diff: Record<Role, EnvChange[]>;
  cluster: ClusterRole[];
}

export interface EnvChange {
  key: string;
  op: "+" | "~" | "-";
  value?: string;
  previous?: string;
}

/** The env every container gets from the harness, before any exercise delta. */
export function baselineEnv(config: Pick<LabConfig, "network" | "extraEnv">): RoleEnv {
  const zk = "${host.zk}";
  const base: RoleEnv = {
    zk: {},
    master: {
      LIBPROCESS_IP: "${ip.master}",
      MESOS_HOSTNAME: "${host.master}",
      MESOS_ZK: `zk://${zk}:2181/mesos`,
      MESOS_QUORUM: "1",
      MESOS_REGISTRY: "in_memory",
      MESOS_WORK_DIR: "/var/tmp/mesos",
      MESOS_PORT: String(ROLE_PORTS.master),
      ...config.extraEnv,
    },
    agent: {
      LIBPROCESS_IP: "${ip.agent}",
      MESOS_HOSTNAME: "${host.agent}",
      MESOS_MASTER: `zk://${zk}:2181/mesos`,
      MESOS_PORT: String(ROLE_PORTS.agent),
      // Mesos' Linux launcher needs the cgroup-v1 freezer hierarchy; posix works on cgroup-v2 hosts and unprivileged.
      MESOS_LAUNCHER: "posix",
      MESOS_SWITCH_USER: "false",
      MESOS_SYSTEMD_ENABLE_SUPPORT: "false",
      MESOS_WORK_DIR: "/var/tmp/mesos",
      ...config.extraEnv,
    },
    execute: {
      LIBPROCESS_IP: "${ip.execute}",
      ...config.extraEnv,
    },
    // not Mesos: configured by their files (src/registry/roles.ts)
    registry: {},
    tokens: {},
    // the attack steps' hosts: set up by their actions (src/engine/actions/attack.ts)
    attacker: {},
    relay: {},
  };
  if (config.network.mode === "host") {
    // one network namespace for all: the workshop's own settings
    for (const r of ["master", "agent", "execute"] as const) {
      base[r].LIBPROCESS_IP = "127.0.0.1";
      delete base[r].MESOS_HOSTNAME;
    }
  }
  return base;
}

function applyDelta(env: RoleEnv, delta: EnvByRole | undefined): void {
  if (!delta) return;
  for (const [role, vars] of Object.entries(delta) as Array<[Role, Record<string, string | null>]>) {
    for (const [k, v] of Object.entries(vars)) {
      if (v === null) delete env[role][k];
      else env[role][k] = v;
    }
  }
}

function applyFiles(files: Map<string, RenderedFile>, specs: FileSpec[] | undefined): void {
  for (const f of specs ?? []) {
    for (const role of f.roles) {
      const key = `${role}:${f.path}`;
      if (f.remove) {
        files.delete(key);
        continue;
      }
      files.set(key, {
        role,
        path: f.path,
        from: f.from?.replaceAll("{role}", role === "execute" ? "scheduler" : role),
        content: f.content,
        mode: f.mode,
      });
    }
  }
}

/** Whether a step runs on the profile's release (its exercise's range is the catalogue's business: loadCatalogue). */
export function stepApplies(step: Step, mesos: Pick<MesosProfile, "release">): boolean {
  return inRange(step, mesos.release);
}

/** A rendered step's expectations on its release, each with the citation (and example line) of that release. */
export function expectationsOf(rs: Pick<RenderedStep, "step" | "release">): CitedExpectation[] {
  return rs.step.expect.filter((e) => inRange(e, rs.release)).map((e) => citedFor(e, rs.release));
}

function cloneEnv(env: RoleEnv): RoleEnv {
  return perRole((r) => ({ ...env[r] }));
}

function diffEnv(before: RoleEnv, after: RoleEnv): Record<Role, EnvChange[]> {
  const out = perRole((): EnvChange[] => []);
  for (const role of Object.keys(out) as Role[]) {
    const keys = new Set([...Object.keys(before[role]), ...Object.keys(after[role])]);
    for (const key of [...keys].sort()) {
      const a = before[role][key];
      const b = after[role][key];
      if (a === b) continue;
      if (a === undefined) out[role].push({ key, op: "+", value: b });
      else if (b === undefined) out[role].push({ key, op: "-", previous: a });
      else out[role].push({ key, op: "~", value: b, previous: a });
    }
  }
  return out;
}

/** Env per role that replaces the steps' deltas (hands-on mode: the attendee's workspace file). */
export type EnvOverride = Partial<Record<Role, Record<string, string>>>;

/**
 * Renders every step that applies to the profile, in order. With `envOverride` every step's env is the baseline plus
 * the override, so the attendee's flags are tested exactly as written; files still come from the steps.
 */
export function renderExercise(
  exercise: Exercise,
  config: Pick<LabConfig, "network" | "extraEnv" | "mesos">,
  opts: { envOverride?: EnvOverride } = {},
): RenderedStep[] {
  const { release } = config.mesos;
  const env = baselineEnv(config);
  if (opts.envOverride) applyDelta(env, opts.envOverride);
  const files = new Map<string, RenderedFile>();
  const out: RenderedStep[] = [];
  if (!inRange(exercise, release)) return out;
  exercise.steps.forEach((step, index) => {
    if (!stepApplies(step, config.mesos)) return;
    const before = cloneEnv(env);
    if (!opts.envOverride) {
      applyDelta(env, step.env);
      for (const d of step.envByRelease ?? []) if (inRange(d, release)) applyDelta(env, d.env);
    }
    applyFiles(files, step.files);
    out.push({
      exercise,
      step: withAttack(step, exercise.attacks),
      index,
      release,
      env: cloneEnv(env),
      files: [...files.values()],
      diff: diffEnv(before, env),
      cluster: step.cluster,
    });
  });
  return out;
}

/** Stable hash of what a container is made of; equal hashes mean the running container can be reused. */
export function configHash(parts: {
  image: string;
  env: Record<string, string>;
  files: Array<{ path: string; content: Buffer | string; mode: number }>;
  cmd?: string[];
  extra?: string;
}): string {
  const h = createHash("sha256");
  h.update(`${parts.image}\0${(parts.cmd ?? []).join("\0")}\0${parts.extra ?? ""}`);
  for (const k of Object.keys(parts.env).sort()) h.update(`${k}=${parts.env[k]}\n`);
  for (const f of [...parts.files].sort((a, b) => a.path.localeCompare(b.path))) {
    h.update(`${f.path}:${f.mode}:`);
    h.update(f.content);
  }
  return h.digest("hex").slice(0, 16);
}

/** `true`/`1` as Mesos and libprocess parse booleans. */
export function truthy(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes)$/i.test(v.trim());
}

/** libprocess serves https only when SSL is enabled in that process's env. */
export function usesTls(env: Record<string, string>): boolean {
  return truthy(env.LIBPROCESS_SSL_ENABLED ?? env.SSL_ENABLED);
}
