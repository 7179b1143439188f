import { loadCatalogue, selectExercises } from "../../catalogue/load.js";
import { loadConfig } from "../../config/load.js";
import { stepApplies } from "../../engine/render.js";
import { labIdOf } from "../../lab/identity.js";
import { exerciseStatus, progressPath, readProgress, resetProgress } from "../../lab/progress.js";
import { writeSolution } from "../../lab/workspace.js";
import { secs } from "../../report/format.js";
import { EXIT } from "../../util/errors.js";
import type { GlobalOpts } from "../../lab/global-options.js";

/** `progress`: where this lab's attendee is and what passed; `--reset` forgets it (`--all`: every lab's). */
export async function progressCommand(g: GlobalOpts, opts: { reset?: boolean; all?: boolean; json?: boolean }): Promise<number> {
  const config = await loadConfig({ file: g.config });
  const labId = labIdOf(config);
  const file = progressPath();
  if (opts.reset) {
    const had = resetProgress(labId, { all: opts.all }, file);
    process.stdout.write(
      had
        ? `progress cleared${opts.all ? " for every lab" : ` for lab ${labId} (${config.root})`} in ${file}\n`
        : `no progress recorded${opts.all ? "" : ` for lab ${labId}`}; nothing to clear\n`,
    );
    return EXIT.ok;
  }
  const p = readProgress(labId, file);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ file, lab: labId, ...p }, null, 2)}\n`);
    return EXIT.ok;
  }
  const catalogue = await loadCatalogue(config);
  process.stdout.write(`progress of lab ${labId} (${config.root})\n  file: ${file}\n`);
  process.stdout.write(`  current: ${p.current?.exercise ? `${p.current.exercise}${p.current.step ? `:${p.current.step}` : ""}` : "—"}\n\n`);
  for (const ex of catalogue) {
    const steps = ex.steps.filter((s) => stepApplies(s, config.mesos));
    const e = p.exercises[ex.id];
    const status = exerciseStatus(p, { id: ex.id, steps });
    const last = e?.last ? `  last: ${e.last.step} ${e.last.status} (${secs(e.last.durationMs)}) at ${e.last.at}` : "";
    process.stdout.write(`  ${ex.id} ${ex.title.padEnd(44)} ${status.padEnd(12)} ${e?.passed.length ?? 0}/${steps.length} steps${last}\n`);
  }
  return EXIT.ok;
}

/** `solve 02[:step]`: writes the step's flags into the hands-on workspace file (the default step: where the attendee is). */
export async function solveCommand(g: GlobalOpts, target: string): Promise<number> {
  const config = await loadConfig({ file: g.config });
  const catalogue = await loadCatalogue(config);
  const [sel] = selectExercises(catalogue, [target]);
  const ex = sel!.exercise;
  const steps = ex.steps.filter((s) => stepApplies(s, config.mesos));
  const p = readProgress(labIdOf(config));
  const passed = p.exercises[ex.id]?.passed ?? [];
  const stepId =
    sel!.step ??
    (p.current?.exercise === ex.id && p.current.step ? p.current.step : undefined) ??
    steps.find((s) => !passed.includes(s.id))?.id ??
    steps[steps.length - 1]!.id;
  const { file, backup } = writeSolution(config, ex, stepId);
  process.stdout.write(`wrote the solution of ${ex.id}:${stepId} to ${file}${backup ? ` (your previous file: ${backup})` : ""}\n`);
  return EXIT.ok;
}
