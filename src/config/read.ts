import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { builtinProfile, type MesosProfile } from "../model/profiles/index.js";
import { deriveProfile } from "../model/profiles/profile.js";
import { IMAGE_OF, perRole, type Role } from "../model/roles.js";
import { LabError } from "../util/errors.js";
import { entryName, filesSignature, installedPackage, plainJson, recall, remember } from "../util/memo.js";
import { importNative } from "./native-config.js";
import type { LabConfig, LabConfigParsed } from "./schema.js";

/**
 * Finding, running and validating lab.config.ts, without loading zod or jiti up front: `mesos-lab list` starts from
 * here. The validation itself (zod, ./schema.ts) is imported when it runs; the built CLI keeps its result in the memo
 * (src/util/memo.ts) with the config object and the modules that validate it (src/config, src/model and zod's
 * version), so a start whose config and build did not change skips zod.
 */

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

/** The validated config with what follows from it: its profile, each role's image, where it lives. */
export function finishConfig(c: LabConfigParsed, file: string | undefined, root: string): LabConfig {
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

/** Each role's image: the lab's, else the profile's; a role that follows another (IMAGE_OF) takes that one's. */
function imagesOf(own: Partial<Record<Role, string>>, profile: Readonly<Record<Role, string>>): Record<Role, string> {
  const first = perRole((r) => own[r] ?? profile[r]);
  return perRole((r) => own[r] ?? (IMAGE_OF[r] ? first[IMAGE_OF[r]] : first[r]));
}

/** Loads lab.config.ts (TypeScript: natively when it can, src/config/native-config.ts, else via jiti); with no file every field takes its default. */
export async function loadConfig(opts: { cwd?: string; file?: string } = {}): Promise<LabConfig> {
  const cwd = opts.cwd ?? process.cwd();
  const file = opts.file ? path.resolve(cwd, opts.file) : findConfigFile(cwd);
  if (!file) return validated({}, undefined, cwd);
  if (!existsSync(file)) {
    throw new LabError("config", `config file ${file} does not exist`, "Pass an existing file with --config, or drop --config to use defaults.");
  }
  return validated(await importConfigFile(file), file, path.dirname(file));
}

async function importConfigFile(file: string): Promise<unknown> {
  const native = await importNative(file).catch(() => undefined);
  if (native) return native.value;
  const { createJiti } = await import("jiti");
  try {
    const jiti = createJiti(import.meta.url, { interopDefault: true });
    return await jiti.import(file, { default: true });
  } catch (err) {
    const msg = (err as Error).message.split("\n").slice(0, 3).join(" ");
    throw new LabError(
      "config",
      `${file} could not be loaded: ${msg}`,
      `Fix the TypeScript error in ${path.basename(file)} (it must \`export default defineConfig({...})\`).`,
      { cause: err },
    );
  }
}

/** parseConfig (./schema.ts), or in the built CLI its result for the same object and the same modules. */
async function validated(raw: unknown, file: string | undefined, root: string): Promise<LabConfig> {
  const json = import.meta.url.endsWith(".js") ? plainJson(raw ?? {}) : undefined;
  const inputs = json === undefined ? undefined : `${validationInputs()}\n${json}`;
  const name = entryName(file ?? "(no file)");
  const memo = inputs === undefined ? undefined : recall<LabConfigParsed>("config", name, inputs);
  if (memo !== undefined) return finishConfig(memo, file, root);
  const parsed = (await import("./schema.js")).parseConfig(raw, file);
  if (inputs !== undefined) remember("config", name, inputs, parsed);
  return finishConfig(parsed, file, root);
}

/** The modules config validation runs (this build's src/config and src/model) and zod's version. */
function validationInputs(): string {
  const src = fileURLToPath(new URL("../", import.meta.url));
  return `${filesSignature(src, [path.join(src, "config"), path.join(src, "model")])}\n${installedPackage("zod", path.join(src, "config"))}`;
}
