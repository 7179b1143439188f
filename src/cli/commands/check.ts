import path from "node:path";
import { checkCatalogue, problemText, readRecording } from "../../catalogue/check.js";
import { builtinExercisesDir } from "../../catalogue/load.js";
import { loadConfig } from "../../config/load.js";
import type { GlobalOpts } from "../../lab/global-options.js";
import { BUILTIN_PROFILES } from "../../model/profiles/index.js";
import { EXIT } from "../../util/errors.js";

/**
 * `mesos-lab check`: the catalogue checked without a container engine. The built-in one under every built-in
 * profile, with the recorded real outcomes; a lab's own exercise folder (`exercisesDir`) under the lab's profile.
 */
export async function checkCommand(g: GlobalOpts, opts: { json?: boolean }): Promise<number> {
  const config = await loadConfig({ file: g.config });
  const own = config.exercisesDir ? path.resolve(config.root, config.exercisesDir) : undefined;
  const problems = await checkCatalogue({
    dir: own ?? builtinExercisesDir(),
    profiles: own ? [config.mesos] : BUILTIN_PROFILES,
    recording: own ? undefined : readRecording(),
  });
  if (opts.json) process.stdout.write(`${JSON.stringify({ problems }, null, 2)}\n`);
  else if (problems.length === 0)
    process.stdout.write(`check: the catalogue${own ? ` in ${own}` : ""} is complete: every citation, ACL and recorded outcome holds\n`);
  else {
    for (const p of problems) process.stdout.write(`${problemText(p, process.cwd())}\n`);
    process.stdout.write(`\n${problems.length} problem(s). docs/adding-an-exercise.md says what a step needs.\n`);
  }
  return problems.length ? EXIT.exercise : EXIT.ok;
}
