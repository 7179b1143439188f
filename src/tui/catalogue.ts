import type { LabConfig } from "../config/schema.js";
import { expectationsOf, renderExercise } from "../engine/render.js";
import { withFiles } from "../engine/step-files.js";
import type { Exercise } from "../model/exercise.js";
import type { ExerciseInfo } from "./state.js";

/** The catalogue as the TUI shows it: only the steps of this profile, each with its flag diff already rendered. */
export function exerciseInfos(exercises: Exercise[], config: Pick<LabConfig, "network" | "extraEnv" | "mesos">): ExerciseInfo[] {
  return exercises.map((ex) => ({
    id: ex.id,
    slug: ex.slug,
    title: ex.title,
    summary: ex.summary,
    text: ex.text,
    steps: renderExercise(ex, config).map((rs) => ({
      id: rs.step.id,
      title: rs.step.title,
      text: withFiles(rs.step.text, rs),
      hint: rs.step.hint,
      solution: rs.step.solution,
      diff: rs.diff,
      expectations: expectationsOf(rs).map((e) => ({ id: e.id, says: e.says })),
      ...(rs.step.attack ? { attack: attackInfo(ex, rs.step.attack) } : {}),
    })),
  }));
}

function attackInfo(ex: Exercise, a: { id: string; expect: "works" | "blocked" }): NonNullable<ExerciseInfo["steps"][number]["attack"]> {
  const def = ex.attacks.find((x) => x.id === a.id)!;
  return { id: a.id, title: def.title, expect: a.expect, evidence: (def[a.expect] ?? []).map((e) => e.id), actions: def.actions };
}
