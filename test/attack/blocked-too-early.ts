import { loadCatalogue } from "../../src/catalogue/load.js";
import type { Exercise } from "../../src/model/exercise.js";

/**
 * Exercise 06 with its control applied in its attack step: the master and the agent already authenticate their
 * read-only and read-write realms when the attack runs. The attack step must fail, and say the exploit was blocked:
 * an attack that stops working on the open cluster is caught, not passed.
 */
export async function attackWithItsControl(): Promise<Exercise> {
  const ex06 = (await loadCatalogue()).find((e) => e.id === "06")!;
  const attackStep = ex06.steps.find((s) => s.attack?.expect === "works")!;
  const controls = ex06.steps.filter((s) => !s.attack);
  const env = { master: {}, agent: {} } as Record<"master" | "agent", Record<string, string | null>>;
  for (const s of controls) for (const role of ["master", "agent"] as const) Object.assign(env[role], s.env?.[role]);
  return { ...ex06, steps: [{ ...attackStep, env, files: controls.flatMap((s) => s.files ?? []) }] };
}
