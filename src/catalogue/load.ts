import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Jiti } from "jiti";
import type { z } from "zod";
import type { LabConfig } from "../config/schema.js";
import { exerciseSchema, type Exercise } from "../model/exercise.js";
import { BUILTIN_PROFILES, type MesosProfile } from "../model/profiles/index.js";
import { inRange } from "../model/release.js";
import { LabError } from "../util/errors.js";
import { packageRoot, runningCompiled } from "./root.js";
import { aclProblems } from "./validate.js";

/** Exercise folders are `NN-slug/` holding `exercise.ts` (data) — the catalogue is the sorted list of them. */
const FOLDER = /^(\d{2})-[a-z0-9-]+$/;

export function builtinExercisesDir(): string {
  return path.join(packageRoot(), "exercises");
}

function issueText(issue: z.core.$ZodIssue): string {
  return `${issue.path.join(".") || "(top level)"}: ${issue.message}`;
}

/** Parses an exercise and checks its ACLs on each of `profiles` it runs on. */
export function parseExercise(raw: unknown, file: string, profiles: readonly MesosProfile[] = BUILTIN_PROFILES): Exercise {
  const parsed = exerciseSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 5).map(issueText);
    throw new LabError(
      "exercise",
      `${file} is invalid: ${lines.join("; ")}`,
      `Fix the field${lines.length > 1 ? "s" : ""} named above in ${path.basename(file)}.`,
    );
  }
  const problems = profiles.map((p) => ({ profile: p, problems: aclProblems(parsed.data, p) })).filter((x) => x.problems.length);
  if (problems.length) {
    // a problem every profile with problems has is said once; one only some of them have names them
    const all = [...new Set(problems.flatMap((x) => x.problems))];
    const under = (pr: string) => problems.filter((x) => x.problems.includes(pr)).map((x) => x.profile.name);
    const text = all.map((pr) => (under(pr).length === problems.length ? pr : `under ${under(pr).join(", ")}: ${pr}`));
    const protos = problems.map((x) => `Mesos ${x.profile.name}'s include/mesos/authorizer/acls.proto (${x.profile.acls.source})`);
    throw new LabError(
      "exercise",
      `${file} has ACLs Mesos would not read as meant: ${text.join("; ")}`,
      `Correct the keys named above to those of ${protos.join(" and ")}; a misspelled key is silently ignored by Mesos and permits everything.`,
    );
  }
  return parsed.data;
}

/**
 * Loads every exercise folder of `dir`; the built-in catalogue loads its compiled JS when running from dist/. With
 * the lab's config, the catalogue is that of its profile: the exercises whose release range covers the profile's
 * release, their ACLs checked for it. Without, every exercise, checked for every built-in profile.
 */
export async function loadCatalogue(config?: Pick<LabConfig, "exercisesDir" | "root"> & Partial<Pick<LabConfig, "mesos">>): Promise<Exercise[]> {
  const dir = config?.exercisesDir ? path.resolve(config.root, config.exercisesDir) : builtinExercisesDir();
  if (!existsSync(dir))
    throw new LabError(
      "exercise",
      `exercises folder ${dir} does not exist`,
      "Set exercisesDir in lab.config.ts to an existing folder, or remove it to use the built-in catalogue.",
    );
  const builtin = !config?.exercisesDir;
  const compiledDir = builtin && runningCompiled() ? path.join(packageRoot(), "dist", "exercises") : undefined;
  const folders = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && FOLDER.test(d.name))
    .map((d) => d.name)
    .sort();
  // jiti only for exercises without a compiled module (a lab's own, or running from source)
  let jiti: Jiti | undefined;
  const out: Exercise[] = [];
  for (const folder of folders) {
    const file = path.join(dir, folder, "exercise.ts");
    if (!existsSync(file)) continue;
    let raw: unknown;
    try {
      const compiled = compiledDir ? path.join(compiledDir, folder, "exercise.js") : undefined;
      if (compiled && existsSync(compiled)) raw = ((await import(pathToFileURL(compiled).href)) as { default: unknown }).default;
      else {
        jiti ??= (await import("jiti")).createJiti(import.meta.url, { interopDefault: true, moduleCache: false });
        raw = await jiti.import(file, { default: true });
      }
    } catch (err) {
      throw new LabError(
        "exercise",
        `${file} could not be loaded: ${(err as Error).message.split("\n")[0]}`,
        `Fix the TypeScript error in ${folder}/exercise.ts.`,
        { cause: err },
      );
    }
    const ex = parseExercise(raw, file, config?.mesos ? [config.mesos] : BUILTIN_PROFILES);
    if (ex.id !== FOLDER.exec(folder)![1])
      throw new LabError("exercise", `${file} has id '${ex.id}' but lives in folder ${folder}`, `Make the id match the folder number.`);
    out.push(ex);
  }
  const release = config?.mesos?.release;
  return release === undefined ? out : out.filter((ex) => inRange(ex, release));
}

/** Resolves `01`, `1`, `01-insecure`, `insecure` (and `01:step`) to exercises; unknown ids are a usage error. */
export function selectExercises(all: Exercise[], ids: string[]): Array<{ exercise: Exercise; step?: string }> {
  return ids.map((raw) => {
    const [idPart, step] = raw.split(":");
    const id = idPart ?? "";
    const ex = all.find((e) => e.id === id || e.id === id.padStart(2, "0") || `${e.id}-${e.slug}` === id || e.slug === id);
    if (!ex) {
      throw new LabError(
        "usage",
        `unknown exercise '${id}'`,
        `Pick one of: ${all.map((e) => `${e.id} (${e.slug})`).join(", ")} — \`mesos-lab list\` shows them all.`,
      );
    }
    if (step !== undefined && !ex.steps.some((s) => s.id === step || String(ex.steps.indexOf(s) + 1) === step)) {
      throw new LabError("usage", `exercise ${ex.id} has no step '${step}'`, `Its steps are: ${ex.steps.map((s, i) => `${i + 1} (${s.id})`).join(", ")}.`);
    }
    const stepId = step === undefined ? undefined : (ex.steps.find((s) => s.id === step) ?? ex.steps[parseInt(step, 10) - 1])?.id;
    return { exercise: ex, step: stepId };
  });
}
