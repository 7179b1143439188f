import { writeFileSync } from "node:fs";
import { selectExercises } from "../../catalogue/load.js";
import { readRecording, recordedDurations } from "../../catalogue/recording.js";
import { newRunId } from "../../engine/cluster.js";
import { noneRunsError, verdictError } from "../../lab/exercise-verdicts.js";
import type { GlobalOpts } from "../../lab/global-options.js";
import { blockedOf, hostVerdicts } from "../../lab/host-verdicts.js";
import { LabRun, orList } from "../../lab/run-service.js";
import { parseShard, type Shard } from "../../lab/shard.js";
import { shardSelection } from "../../lab/shard-weights.js";
import type { VerifySelection } from "../../lab/run-selections.js";
import { handsOnTarget } from "../../lab/workspace.js";
import { reporters, type ShardLabel } from "../../report/reporters.js";
import { EXIT, LabError } from "../../util/errors.js";

export interface VerifyOpts {
  all?: boolean;
  reporter: string;
  output?: string;
  jobs: string;
  pull?: boolean;
  verbose?: boolean;
  handsOn?: boolean;
  shard?: string;
}

export async function verifyCommand(g: GlobalOpts, ids: string[], opts: VerifyOpts): Promise<number> {
  const names = reporters().streamNames();
  if (!names.includes(opts.reporter)) throw new LabError("usage", `unknown reporter '${opts.reporter}'`, `Use --reporter ${orList(names)}.`);
  const jobs = parseInt(opts.jobs, 10);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 8)
    throw new LabError("usage", `--jobs must be a whole number from 1 to 8, not '${opts.jobs}'`, "Pass e.g. --jobs 3.");
  const shard = opts.shard === undefined ? undefined : parseShard(opts.shard);
  if (shard && opts.handsOn)
    throw new LabError("usage", "--hands-on checks one step of yours; --shard splits a run across machines", "Drop --shard: a hands-on check is one step.");
  // from here on Ctrl-C / SIGTERM clean up, whichever phase they interrupt (image check included)
  const run = await LabRun.open({ configFile: g.config });
  try {
    return await verifyInner(run, ids, opts, jobs, shard);
  } finally {
    run.dispose();
  }
}

async function verifyInner(run: LabRun, ids: string[], opts: VerifyOpts, jobs: number, shard: Shard | undefined): Promise<number> {
  const { session: s, catalogue } = run;
  if (!opts.all && ids.length === 0) throw new LabError("usage", "no exercise given", "Name exercises (`mesos-lab verify 01 03`) or pass --all.");
  let selected: VerifySelection[] = opts.all ? catalogue.map((exercise) => ({ exercise })) : selectExercises(catalogue, ids);
  // hands-on: the attendee's workspace is checked before anything touches Docker, so a typo changes nothing
  let handsOn: string | undefined;
  if (opts.handsOn) {
    if (opts.all || selected.length !== 1)
      throw new LabError(
        "usage",
        "--hands-on checks one step with the flags of your workspace file",
        "Name one exercise, e.g. `mesos-lab verify 03:agent-credential --hands-on`.",
      );
    const target = handsOnTarget(s.config, selected[0]!.exercise, selected[0]!.step, catalogue);
    selected = [{ exercise: selected[0]!.exercise, step: target.step, only: true, envOverride: target.env }];
    handsOn = target.file;
  }

  let part: ShardLabel | undefined;
  if (shard) {
    part = { ...shard, exercises: new Set(selected.map((x) => x.exercise.id)).size };
    // the recording times the built-in catalogue; a lab's own exercises weigh by their step counts
    const durations = recordedDurations(s.config.exercisesDir ? undefined : readRecording());
    selected = shardSelection(selected, shard, s.config.mesos, durations);
  }

  // the progress is plain text; a machine-readable report goes to --output or stdout, and then the progress to stderr
  const stdout = (t: string) => void process.stdout.write(t);
  const stderr = (t: string) => void process.stderr.write(t);
  run.report("plain", { write: opts.reporter === "plain" || opts.output ? stdout : stderr, verbose: opts.verbose, shard: part });
  if (opts.reporter !== "plain") run.report(opts.reporter, { write: opts.output ? (t) => writeFileSync(opts.output!, t) : stdout, shard: part });

  if (selected.length === 0) {
    // a part with no exercise (more parts than exercises) passes, and still writes its report for the merge to count
    run.emit({ type: "run:start", runId: newRunId(), profile: s.config.profile, exercises: [] });
    run.emit({ type: "run:end", passed: 0, failed: 0, durationMs: 0, exitCode: EXIT.ok });
    return EXIT.ok;
  }

  // what cannot run on this host, said before anything starts: named, it fails the command; under --all it is skipped
  const exercises = [...new Set(selected.map((x) => x.exercise))];
  const blocked = blockedOf((await hostVerdicts(s, exercises, { by: "verify", pullable: !!opts.pull })).verdicts);
  if (!opts.all) {
    const first = selected.find((x) => blocked.has(x.exercise.id));
    if (first) throw verdictError(blocked.get(first.exercise.id)!);
  } else if (blocked.size && exercises.every((ex) => blocked.has(ex.id))) throw noneRunsError([...blocked.values()]);

  const runnable = exercises.filter((ex) => !blocked.has(ex.id));
  const prepared = await run.prepare({ exercises: runnable, pull: !!opts.pull, ports: "ephemeral" });
  const outcome = await run.verify(prepared, selected, { jobs, handsOn, skip: blocked });
  return outcome.exitCode;
}
