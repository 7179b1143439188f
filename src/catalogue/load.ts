import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createJiti } from "jiti";
import type { z } from "zod";
import type { LabConfig } from "../config/schema.js";
import { exerciseSchema, type Exercise } from "../model/exercise.js";
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

export function parseExercise(raw: unknown, file: string): Exercise {
  const parsed = exerciseSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 5).map(issueText);
    throw new LabError("exercise", `${file} is invalid: ${lines.join("; ")}`, `Fix the field${lines.length > 1 ? "s" : ""} named above in ${path.basename(file)}.`);
  }
  const acl = aclProblems(parsed.data);
  if (acl.length) {
    throw new LabError("exercise", `${file} has ACLs Mesos would not read as meant: ${acl.join("; ")}`, "Correct the keys named above to those of Mesos 1.4's include/mesos/authorizer/acls.proto (https://github.com/apache/mesos/blob/1.4.0/include/mesos/authorizer/acls.proto); a misspelled key is silently ignored by Mesos and permits everything.");
  }
  return parsed.data;
}

/** Loads every exercise folder of `dir`; the built-in catalogue loads its compiled JS when running from dist/. */
export async function loadCatalogue(config?: Pick<LabConfig, "exercisesDir" | "root">): Promise<Exercise[]> {
  const dir = config?.exercisesDir ? path.resolve(config.root, config.exercisesDir) : builtinExercisesDir();
  if (!existsSync(dir)) throw new LabError("exercise", `exercises folder ${dir} does not exist`, "Set exercisesDir in lab.config.ts to an existing folder, or remove it to use the built-in catalogue.");
  const builtin = !config?.exercisesDir;
  const compiledDir = builtin && runningCompiled() ? path.join(packageRoot(), "dist", "exercises") : undefined;
  const folders = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && FOLDER.test(d.name))
    .map((d) => d.name)
    .sort();
  let jiti: ReturnType<typeof createJiti> | undefined;
  const out: Exercise[] = [];
  for (const folder of folders) {
    const file = path.join(dir, folder, "exercise.ts");
    if (!existsSync(file)) continue;
    let raw: unknown;
    try {
      const compiled = compiledDir ? path.join(compiledDir, folder, "exercise.js") : undefined;
      if (compiled && existsSync(compiled)) raw = ((await import(pathToFileURL(compiled).href)) as { default: unknown }).default;
      else {
        jiti ??= createJiti(import.meta.url, { interopDefault: true, moduleCache: false });
        raw = await jiti.import(file, { default: true });
      }
    } catch (err) {
      throw new LabError("exercise", `${file} could not be loaded: ${(err as Error).message.split("\n")[0]}`, `Fix the TypeScript error in ${folder}/exercise.ts.`, { cause: err });
    }
    const ex = parseExercise(raw, file);
    if (ex.id !== FOLDER.exec(folder)![1]) throw new LabError("exercise", `${file} has id '${ex.id}' but lives in folder ${folder}`, `Make the id match the folder number.`);
    out.push(ex);
  }
  return out;
}

/** Resolves `01`, `1`, `01-insecure`, `insecure` (and `01:step`) to exercises; unknown ids are a usage error. */
export function selectExercises(all: Exercise[], ids: string[]): Array<{ exercise: Exercise; step?: string }> {
  return ids.map((raw) => {
    const [idPart, step] = raw.split(":");
    const id = idPart ?? "";
    const ex = all.find((e) => e.id === id || e.id === id.padStart(2, "0") || `${e.id}-${e.slug}` === id || e.slug === id);
    if (!ex) {
      throw new LabError("usage", `unknown exercise '${id}'`, `Pick one of: ${all.map((e) => `${e.id} (${e.slug})`).join(", ")} — \`mesos-lab list\` shows them all.`);
    }
    if (step !== undefined && !ex.steps.some((s) => s.id === step || String(ex.steps.indexOf(s) + 1) === step)) {
      throw new LabError("usage", `exercise ${ex.id} has no step '${step}'`, `Its steps are: ${ex.steps.map((s, i) => `${i + 1} (${s.id})`).join(", ")}.`);
    }
    const stepId = step === undefined ? undefined : (ex.steps.find((s) => s.id === step) ?? ex.steps[parseInt(step, 10) - 1])?.id;
    return { exercise: ex, step: stepId };
  });
}
