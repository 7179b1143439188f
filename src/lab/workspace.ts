import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { LabConfig } from "../config/schema.js";
import { baselineEnv, renderExercise, stepApplies, type EnvOverride, type RenderedStep } from "../engine/render.js";
import { stepFiles } from "../engine/step-files.js";
import { suggest, validateAcls } from "../model/acls.js";
import type { Exercise } from "../model/exercise.js";
import { wrongRole } from "../model/profiles/flag-roles.js";
import type { AclDialect } from "../model/profiles/index.js";
import { inRange } from "../model/release.js";
import { MESOS_ROLES, perRole, ROLES, type Role } from "../model/roles.js";
import { LabError } from "../util/errors.js";

/**
 * Hands-on mode (rustlings-style): instead of the harness applying a step's flags, the attendee writes them into
 * `workspace/NN-slug.env` in the lab folder — one `[role]` section per container, `KEY=VALUE` lines — and the step
 * runs with exactly those flags on top of the harness baseline. It passes only when Mesos then prints what the
 * step expects. The file is checked first: a misspelled flag or ACL is named with a did-you-mean, and a flag under
 * the wrong [role] with the role that reads it, because Mesos itself would often ignore either silently.
 */

type Config = Pick<LabConfig, "root" | "network" | "extraEnv" | "profile" | "mesos">;

export const WORKSPACE_DIR = "workspace";

export function workspacePath(config: Pick<LabConfig, "root">, ex: Pick<Exercise, "id" | "slug">): string {
  return path.join(config.root, WORKSPACE_DIR, `${ex.id}-${ex.slug}.env`);
}

/**
 * Every flag name the checker accepts: the flags the profile's release reads, the harness baseline, and whatever the
 * catalogue sets on that release.
 */
export function knownFlags(catalogue: Exercise[], config: Config): Set<string> {
  const { release } = config.mesos;
  const out = new Set(config.mesos.flags);
  const base = baselineEnv(config);
  for (const r of ROLES) for (const k of Object.keys(base[r])) out.add(k);
  for (const ex of catalogue.filter((e) => inRange(e, release)))
    for (const st of ex.steps.filter((s) => inRange(s, release)))
      for (const delta of [st.env, ...(st.envByRelease ?? []).filter((d) => inRange(d, release)).map((d) => d.env)])
        for (const vars of Object.values(delta ?? {})) for (const k of Object.keys(vars ?? {})) out.add(k);
  return out;
}

export interface WorkspaceProblem {
  line: number;
  message: string;
}

/** Parses the workspace text; problems name the line. Pure, so the checker is unit-tested without files. */
export function parseWorkspace(text: string, known: Set<string>, acls: AclDialect): { env: EnvOverride; problems: WorkspaceProblem[] } {
  const env: Record<Role, Record<string, string>> = perRole(() => ({}));
  const problems: WorkspaceProblem[] = [];
  let role: Role | undefined;
  text.split("\n").forEach((raw, i) => {
    const line = i + 1;
    const t = raw.trim();
    if (!t || t.startsWith("#")) return;
    const section = /^\[(.+)\]$/.exec(t);
    if (section) {
      const name = section[1]!.trim();
      if ((MESOS_ROLES as readonly string[]).includes(name)) role = name as Role;
      else {
        role = undefined;
        const s = suggest(name, MESOS_ROLES);
        problems.push({ line, message: `unknown role [${name}]${s ? ` (did you mean [${s}]?)` : ` (roles: ${MESOS_ROLES.join(", ")})`}` });
      }
      return;
    }
    const kv = /^([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(t);
    if (!kv) return void problems.push({ line, message: `expected KEY=VALUE or [role], got '${t.slice(0, 60)}'` });
    if (!role) return void problems.push({ line, message: `${kv[1]} is outside a [role] section (start one with [master], [agent], [zk] or [execute])` });
    const key = kv[1]!;
    const value = kv[2]!.trim();
    if (/^(MESOS|LIBPROCESS|SSL)_/.test(key) && !known.has(key)) {
      const s = suggest(key, known);
      problems.push({ line, message: `unknown flag ${key}${s ? ` (did you mean ${s}?)` : ""}: Mesos would ignore it or refuse to start` });
    }
    const owner = wrongRole(key, role);
    if (owner) problems.push({ line, message: `${key} is a flag of the ${owner}, not the ${role} (move it under [${owner}]): the ${role} would ignore it` });
    if (key === "MESOS_ACLS" && value.startsWith("{")) for (const p of validateAcls(value, acls)) problems.push({ line, message: `MESOS_ACLS: ${p}` });
    env[role][key] = value;
  });
  return { env, problems };
}

function renderedStep(ex: Exercise, stepId: string, config: Config): RenderedStep {
  const steps = renderExercise(ex, config);
  const rs = steps.find((s) => s.step.id === stepId);
  if (!rs)
    throw new LabError(
      "usage",
      `exercise ${ex.id} has no step '${stepId}' in profile ${config.profile}`,
      `Its steps are: ${steps.map((s) => s.step.id).join(", ")}.`,
    );
  return rs;
}

function solutionEnv(ex: Exercise, stepId: string, config: Config): Record<Role, Record<string, string>> {
  const rs = renderedStep(ex, stepId, config);
  const base = baselineEnv(config);
  const out: Record<Role, Record<string, string>> = perRole(() => ({}));
  for (const r of ROLES) for (const [k, v] of Object.entries(rs.env[r])) if (base[r][k] !== v) out[r][k] = v;
  return out;
}

export function workspaceText(
  ex: Exercise,
  stepId: string,
  env: Record<Role, Record<string, string>>,
  note: string,
  files: Array<{ path: string; roles: string[] }> = [],
): string {
  const lines = [
    `# mesos-lab hands-on workspace: ${ex.id} ${ex.title} — step '${stepId}'`,
    `# ${note}`,
    "# One [role] section per container; KEY=VALUE lines are the flags (env) it gets on top of the harness baseline.",
    `# Run it in the TUI (mesos-lab tui --hands-on, then r) or check it: mesos-lab verify ${ex.id}:${stepId} --hands-on`,
    `# The solution: mesos-lab solve ${ex.id}:${stepId}`,
  ];
  if (files.length) {
    lines.push("# Files in the containers (a file:// flag names the path inside the container, not on your machine):");
    for (const f of files) lines.push(`#   ${f.path}  (${f.roles.join(", ")})`);
  }
  for (const r of MESOS_ROLES) {
    lines.push("", `[${r}]`);
    for (const [k, v] of Object.entries(env[r])) lines.push(`${k}=${v}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The starter file: the flags of the step before, so the attendee adds only what this step is about. */
export function starterText(ex: Exercise, stepId: string, config: Config): string {
  const steps = ex.steps.filter((s) => stepApplies(s, config.mesos));
  const i = steps.findIndex((s) => s.id === stepId);
  const prev = i > 0 ? solutionEnv(ex, steps[i - 1]!.id, config) : perRole(() => ({}));
  const files = stepFiles(renderedStep(ex, stepId, config));
  return workspaceText(ex, stepId, prev, "Starter: the flags of the previous step. Add what this step needs, then run it.", files);
}

/**
 * Reads (creating the starter if missing) and checks the workspace for a step; bad flags or ACLs are a LabError
 * (exit 4) naming each line, so nothing starts with a configuration Mesos would misread.
 */
export function loadWorkspace(
  config: Config,
  ex: Exercise,
  stepId: string,
  catalogue: Exercise[] = [ex],
): { file: string; env: EnvOverride; created: boolean } {
  const file = workspacePath(config, ex);
  let created = false;
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, starterText(ex, stepId, config));
    created = true;
  }
  const { env, problems } = parseWorkspace(readFileSync(file, "utf8"), knownFlags(catalogue, config), config.mesos.acls);
  if (problems.length) {
    const rel = path.relative(config.root, file);
    throw new LabError(
      "exercise",
      `${rel} has ${problems.length} problem(s): ${problems.map((p) => `line ${p.line}: ${p.message}`).join("; ")}`,
      `Edit ${rel} and run the step again (\`mesos-lab solve ${ex.id}\` writes the solution).`,
    );
  }
  return { file, env, created };
}

/** The step a workspace file was written for, from its first line (`… — step 'agent-credential'`). */
export function workspaceStep(text: string): string | undefined {
  return /^# mesos-lab hands-on workspace: .* — step '([^']+)'/.exec(text)?.[1];
}

/**
 * `verify <ex>[:<step>] --hands-on`: the step to check and the attendee's flags for it. The step comes from the
 * argument, else from the workspace file's header, else it is the exercise's first step. Without a workspace file the
 * starter is written and nothing runs, since the starter holds only the previous step's flags.
 */
export function handsOnTarget(config: Config, ex: Exercise, step: string | undefined, catalogue: Exercise[]): { step: string; env: EnvOverride; file: string } {
  const file = workspacePath(config, ex);
  const rel = path.relative(config.root, file);
  const steps = ex.steps.filter((s) => stepApplies(s, config.mesos));
  const named = step ?? (existsSync(file) ? workspaceStep(readFileSync(file, "utf8")) : undefined) ?? steps[0]!.id;
  if (!steps.some((s) => s.id === named)) {
    throw new LabError(
      "usage",
      `${rel} is for step '${named}', which is not a step of exercise ${ex.id} in profile ${config.profile}`,
      `Name the step: \`mesos-lab verify ${ex.id}:<step> --hands-on\` (steps: ${steps.map((s) => s.id).join(", ")}).`,
    );
  }
  const { env, created } = loadWorkspace(config, ex, named, catalogue);
  if (created) {
    throw new LabError(
      "usage",
      `there was no workspace for exercise ${ex.id} yet: wrote the starter ${rel} for step '${named}'`,
      `Add the flags the step needs to ${rel}, then run this again (\`mesos-lab solve ${ex.id}:${named}\` writes the solution).`,
    );
  }
  return { step: named, env, file: rel };
}

/** `mesos-lab solve`: writes the step's solution into the workspace (the previous file is kept as .bak). */
export function writeSolution(config: Config, ex: Exercise, stepId: string): { file: string; backup?: string } {
  const file = workspacePath(config, ex);
  mkdirSync(path.dirname(file), { recursive: true });
  let backup: string | undefined;
  if (existsSync(file)) {
    backup = `${file}.bak`;
    copyFileSync(file, backup);
  }
  const files = stepFiles(renderedStep(ex, stepId, config));
  writeFileSync(file, workspaceText(ex, stepId, solutionEnv(ex, stepId, config), "Solution written by `mesos-lab solve`.", files));
  return { file, backup };
}
