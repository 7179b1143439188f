import { writeFileSync } from "node:fs";
import { loadCatalogue, selectExercises } from "../../catalogue/load.js";
import { LabBus } from "../../engine/events.js";
import { newRunId } from "../../engine/cluster.js";
import { ensureImages } from "../../lab/images.js";
import { openSession } from "../../lab/session.js";
import { sweepDeadRuns } from "../../lab/sweep.js";
import { verify, type VerifySelection } from "../../lab/verify.js";
import { handsOnTarget } from "../../lab/workspace.js";
import { jsonReport } from "../../report/json.js";
import { junitXml } from "../../report/junit.js";
import { attachPlain } from "../../report/plain.js";
import { redactor } from "../../report/redact.js";
import { LabError } from "../../util/errors.js";
import type { GlobalOpts } from "../../lab/global-options.js";
import { installSignalCleanup } from "../../lab/signal-cleanup.js";

export interface VerifyOpts {
  all?: boolean;
  reporter: string;
  output?: string;
  jobs: string;
  pull?: boolean;
  verbose?: boolean;
  handsOn?: boolean;
}

export async function verifyCommand(g: GlobalOpts, ids: string[], opts: VerifyOpts): Promise<number> {
  if (!["plain", "json", "junit"].includes(opts.reporter)) throw new LabError("usage", `unknown reporter '${opts.reporter}'`, "Use --reporter plain, json or junit.");
  const jobs = parseInt(opts.jobs, 10);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 8) throw new LabError("usage", `--jobs must be a whole number from 1 to 8, not '${opts.jobs}'`, "Pass e.g. --jobs 3.");
  // from here on Ctrl-C / SIGTERM clean up, whichever phase they interrupt (image check included)
  const controller = new AbortController();
  const uninstall = installSignalCleanup(controller);
  try {
    return await verifyInner(g, ids, opts, jobs, controller);
  } finally {
    uninstall();
  }
}

async function verifyInner(g: GlobalOpts, ids: string[], opts: VerifyOpts, jobs: number, controller: AbortController): Promise<number> {
  const s = await openSession({ configFile: g.config });
  const catalogue = await loadCatalogue(s.config);
  if (!opts.all && ids.length === 0) throw new LabError("usage", "no exercise given", "Name exercises (`mesos-lab verify 01 03`) or pass --all.");
  let selected: VerifySelection[] = opts.all ? catalogue.map((exercise) => ({ exercise })) : selectExercises(catalogue, ids);
  // hands-on: the attendee's workspace is checked before anything touches Docker, so a typo changes nothing
  let handsOn: string | undefined;
  if (opts.handsOn) {
    if (opts.all || selected.length !== 1) throw new LabError("usage", "--hands-on checks one step with the flags of your workspace file", "Name one exercise, e.g. `mesos-lab verify 03:agent-credential --hands-on`.");
    const target = handsOnTarget(s.config, selected[0]!.exercise, selected[0]!.step, catalogue);
    selected = [{ exercise: selected[0]!.exercise, step: target.step, only: true, envOverride: target.env }];
    handsOn = target.file;
  }

  const bus = new LabBus();
  const engine = await s.engine();
  await ensureImages(s.port, s.config, { pull: !!opts.pull, exercises: selected.map((x) => x.exercise), onProgress: (progress) => bus.emit({ type: "image:pull", progress }) });
  const material = await s.material();
  const redact = redactor(material.secrets());
  // with a machine-readable report on stdout, the progress goes to stderr
  const progressOut = opts.reporter === "plain" || opts.output ? (t: string) => process.stdout.write(t) : (t: string) => process.stderr.write(t);
  // with --jobs N the plain reporter holds the lines of the exercises not in the foreground until their turn; an
  // interrupt exits from the signal handler, so what they still hold is printed on the way out
  process.once("exit", attachPlain(bus, progressOut, redact, { verbose: opts.verbose }));

  const runId = newRunId();
  const swept = await sweepDeadRuns(s.port, s.labId);
  if (swept) bus.emit({ type: "warning", message: `removed ${swept} leftover container(s)/network(s) of runs that died` });
  const t0 = Date.now();
  const outcome = await verify(selected, { config: s.config, port: s.port, material, bus, labId: s.labId, publish: "ephemeral", publishHost: engine.publishHost, jobs, runId, signal: controller.signal, handsOn });
  const titles = Object.fromEntries(catalogue.map((e) => [e.id, e.title]));
  let report: string | undefined;
  if (opts.reporter === "junit") report = junitXml(outcome.results, titles, redact);
  if (opts.reporter === "json") report = jsonReport(outcome.results, { profile: s.config.profile, exitCode: outcome.exitCode, durationMs: Date.now() - t0 }, redact);
  if (report !== undefined) {
    if (opts.output) writeFileSync(opts.output, report);
    else process.stdout.write(report);
  }
  return outcome.exitCode;
}
