import { loadCatalogue } from "../../catalogue/load.js";
import type { DoctorCheck } from "../../lab/doctor-check.js";
import { openSession } from "../../lab/session.js";
import { runDoctor } from "../../lab/doctor.js";
import type { Exercise } from "../../model/exercise.js";
import { EXIT, isLabError } from "../../util/errors.js";
import type { GlobalOpts } from "../../lab/global-options.js";

const MARK = { ok: "✓", warn: "!", fail: "✗" } as const;

export async function doctorCommand(g: GlobalOpts): Promise<number> {
  const s = await openSession({ configFile: g.config });
  // the catalogue, for one line per exercise; a catalogue that does not load is one failing check, not the end
  let catalogue: Exercise[] | undefined;
  let unloadable: DoctorCheck | undefined;
  try {
    catalogue = await loadCatalogue(s.config);
  } catch (err) {
    if (!isLabError(err)) throw err;
    unloadable = { name: "exercises", status: "fail", detail: `the catalogue does not load: ${err.message}`, fix: err.fix };
  }
  const checks = await runDoctor(s, catalogue);
  const engine = checks.find((c) => c.name === "engine");
  if (engine?.status === "fail") {
    // no usable engine: say it in one line with the fix
    process.stdout.write(`✗ ${engine.detail} Fix: ${engine.fix}\n`);
    return engine.exitCode ?? EXIT.dockerUnreachable;
  }
  if (unloadable) checks.push(unloadable);
  for (const c of checks) process.stdout.write(`${MARK[c.status]} ${c.name}: ${c.detail}${c.fix && c.status !== "ok" ? `\n    fix: ${c.fix}` : ""}\n`);
  if (catalogue?.length) {
    const cannot = catalogue.filter((ex) => checks.some((c) => c.name === `exercise ${ex.id} ${ex.title}` && c.detail.startsWith("cannot run here")));
    process.stdout.write(
      `\n${catalogue.length - cannot.length} of ${catalogue.length} exercises run here${cannot.length ? `; ${cannot.map((ex) => ex.id).join(", ")} cannot (see above)` : ""}.`,
    );
  }
  const fails = checks.filter((c) => c.status === "fail");
  process.stdout.write(fails.length ? `\n${fails.length} problem(s) to fix before the lab can run.\n` : "\nready.\n");
  if (fails.some((c) => c.name.startsWith("image"))) return EXIT.imageMissing;
  return fails.length ? EXIT.config : EXIT.ok;
}
