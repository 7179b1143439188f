import { loadCatalogue } from "../../src/catalogue/load.js";
import { stepApplies } from "../../src/engine/render.js";
import { builtinProfile } from "../../src/model/profiles/index.js";

/** `NN:step` of each step the profile runs of these exercises, in catalogue order: what a verify of them reports. */
export async function stepsUnder(profile: string, exercises: string[]): Promise<string[]> {
  const p = builtinProfile(profile)!;
  return (await loadCatalogue()).filter((e) => exercises.includes(e.id)).flatMap((e) => e.steps.filter((s) => stepApplies(s, p)).map((s) => `${e.id}:${s.id}`));
}
