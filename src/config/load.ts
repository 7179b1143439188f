import { existsSync } from "node:fs";
import path from "node:path";
import { createJiti } from "jiti";
import type { z } from "zod";
import { LabError } from "../util/errors.js";
import { builtinProfile, type MesosProfile } from "../model/profiles/index.js";
import { deriveProfile } from "../model/profiles/profile.js";
import { IMAGE_OF, perRole, type Role } from "../model/roles.js";
import { configSchema, type LabConfig, type LabConfigParsed } from "./schema.js";

export const CONFIG_FILE = "lab.config.ts";

/** Finds lab.config.ts in `dir` or above it (like git finds .git). */
export function findConfigFile(dir: string): string | undefined {
  let cur = path.resolve(dir);
  for (;;) {
    const candidate = path.join(cur, CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    const up = path.dirname(cur);
    if (up === cur) return undefined;
    cur = up;
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length ? issue.path.join(".") : "(top level)";
  if (issue.code === "unrecognized_keys") {
    const keys = (issue as { keys: string[] }).keys;
    return `${where === "(top level)" ? "" : `${where}: `}unknown key${keys.length > 1 ? "s" : ""} ${keys.map((k) => `'${k}'`).join(", ")}`;
  }
  return `${where}: ${issue.message}`;
}

/** Validates a raw config object; `file` is only used in messages. */
export function resolveConfig(raw: unknown, file: string | undefined, root: string): LabConfig {
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
  const c = parsed.data;
  const mesos = profileOf(c, file);
  return {
    ...c,
    mesos,
    images: imagesOf(c.images, mesos.images),
    root,
    file,
  };
}

/** The profile the config names: a built-in one, or one of its own made from the built-in one it is like. */
function profileOf(c: LabConfigParsed, file: string | undefined): MesosProfile {
  const own = c.profiles.find((p) => p.name === c.profile);
  if (!own) return builtinProfile(c.profile)!;
  const from = path.basename(file ?? CONFIG_FILE);
  return deriveProfile(builtinProfile(own.like)!, {
    name: own.name,
    release: own.release,
    images: own.images,
    checked: own.checked ?? `like ${own.like}, release ${own.release}, from ${from} (mesos-lab checks the catalogue for its built-in profiles only)`,
    checkedShort: `like ${own.like}, from ${from}`,
    real: false,
    like: own.like,
  });
}

/** Loads lab.config.ts (TypeScript, via jiti); with no file every field takes its default. */
export async function loadConfig(opts: { cwd?: string; file?: string } = {}): Promise<LabConfig> {
  const cwd = opts.cwd ?? process.cwd();
  const file = opts.file ? path.resolve(cwd, opts.file) : findConfigFile(cwd);
  if (!file) return resolveConfig({}, undefined, cwd);
  if (!existsSync(file)) {
    throw new LabError("config", `config file ${file} does not exist`, "Pass an existing file with --config, or drop --config to use defaults.");
  }
  let mod: unknown;
  try {
    const jiti = createJiti(import.meta.url, { interopDefault: true });
    mod = await jiti.import(file, { default: true });
  } catch (err) {
    const msg = (err as Error).message.split("\n").slice(0, 3).join(" ");
    throw new LabError(
      "config",
      `${file} could not be loaded: ${msg}`,
      `Fix the TypeScript error in ${path.basename(file)} (it must \`export default defineConfig({...})\`).`,
      { cause: err },
    );
  }
  return resolveConfig(mod, file, path.dirname(file));
}

/** Each role's image: the lab's, else the profile's; a role that follows another (IMAGE_OF) takes that one's. */
function imagesOf(own: Partial<Record<Role, string>>, profile: Readonly<Record<Role, string>>): Record<Role, string> {
  const first = perRole((r) => own[r] ?? profile[r]);
  return perRole((r) => own[r] ?? (IMAGE_OF[r] ? first[IMAGE_OF[r]] : first[r]));
}
