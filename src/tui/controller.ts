import { runAudit } from "../audit/run.js";
import { watchForExploit } from "../engine/exploit-watch.js";
import { LabBus } from "../engine/events.js";
import { runDoctor } from "../lab/doctor.js";
import { verdictError, type Verdict } from "../lab/exercise-verdicts.js";
import { blockedOf, hostVerdicts } from "../lab/host-verdicts.js";
import { writeProgress } from "../lab/progress.js";
import type { LabRun } from "../lab/run-service.js";
import { resetLab } from "../lab/sweep.js";
import { loadWorkspace } from "../lab/workspace.js";
import { EXIT } from "../util/errors.js";
import type { Controller } from "./App.js";
import { clusterToContinue, type StepTrail } from "./continue.js";
import { labAuditOptions } from "./lab-audit.js";

/** How long after the audit its requests may still show in the cluster's logs (they are followed, not polled). */
const AUDIT_LOG_GRACE_MS = 3000;

/**
 * What the TUI asks of the lab, on the run service: each step is prepared and run like `up` runs one (images, material,
 * sweep, the port policy), with the cluster kept to explore and, when the next step goes on from it, reused. The screen
 * gets the run's redacted stream through the `tui` reporter.
 */
export function tuiController(run: LabRun, opts: { handsOn?: boolean } = {}): Controller {
  const s = run.session;
  const screen = new LabBus();
  run.report("tui", { screen });
  let step: AbortController | undefined;
  let trail: StepTrail | undefined;
  /** What `availability` found: an exercise that cannot run here refuses its steps here too, whatever the screen did. */
  let blocked = new Map<string, Extract<Verdict, { status: "cannot" }>>();
  /** The step being run, settled either way: the audit waits for it, since only then is its cluster kept or gone. */
  let stepDone: Promise<void> = Promise.resolve();
  /** Until then, what the exploit watcher notices is the audit's own requests (the agent's anonymous GET_CONTAINERS). */
  let auditQuietUntil = 0;
  // Ctrl-C arrives as a key in raw mode (the App handles it); SIGTERM/SIGHUP from outside abort the step
  run.signal.addEventListener("abort", () => step?.abort());

  async function runOne(exerciseId: string, stepId: string): Promise<void> {
    const cannot = blocked.get(exerciseId);
    if (cannot) throw verdictError(cannot);
    const ex = run.catalogue.find((e) => e.id === exerciseId)!;
    const index = ex.steps.findIndex((st) => st.id === stepId);
    step?.abort();
    // one cluster at a time: the previous step's (kept to explore) goes before the next starts, unless it goes on
    const cluster = clusterToContinue(trail, exerciseId, index);
    trail = undefined;
    await run.disposeClusters(cluster);
    step = new AbortController();
    const prepared = await run.prepare({ exercises: [ex], pull: true, ports: cluster?.intact ? "kept" : "room" });
    const envOverride = opts.handsOn ? loadWorkspace(s.config, ex, stepId, run.catalogue).env : undefined;
    let used: typeof cluster;
    const results = await run.runExercise(prepared, ex, {
      cluster,
      onCluster: (c) => (used = c),
      keep: true,
      onlyStep: stepId,
      envOverride,
      signal: step.signal,
    });
    if (used && !step.signal.aborted) {
      trail = { exercise: exerciseId, index, passed: results.length === 1 && results[0]!.status === "passed", cluster: used };
      // the cluster stays up: an attendee may now run the step's attack by hand, and the lab sees it
      const attack = ex.steps[index]?.attack && ex.attacks.find((a) => a.id === ex.steps[index]!.attack!.id);
      if (attack) watchForExploit(used, { exercise: exerciseId, step: stepId, attack, emit: (ev) => run.emit(ev), quiet: () => Date.now() < auditQuietUntil });
    }
  }

  return {
    bus: screen,
    runStep(exerciseId, stepId) {
      const p = runOne(exerciseId, stepId);
      stepDone = p.then(
        () => undefined,
        () => undefined,
      );
      return p;
    },
    async audit({ exercise, urls }) {
      await stepDone;
      if (trail?.exercise !== exercise) throw new Error("the exercise's cluster is no longer up");
      const options = labAuditOptions(s.config, urls);
      auditQuietUntil = Number.POSITIVE_INFINITY;
      try {
        return await runAudit(options);
      } finally {
        auditQuietUntil = Date.now() + AUDIT_LOG_GRACE_MS;
      }
    },
    async resetExercise(exerciseId) {
      step?.abort();
      trail = undefined;
      await run.disposeClusters();
      await resetLab(s.runtime, { labId: s.labId, all: false, exercise: exerciseId });
    },
    async resetAll() {
      step?.abort();
      trail = undefined;
      await run.disposeClusters();
      return (await resetLab(s.runtime, { labId: s.labId, all: true })).length;
    },
    doctor: () => runDoctor(s, run.catalogue),
    async availability() {
      // the TUI pulls a missing image when a step runs: only what no pull fixes (the capabilities mode) makes one unavailable
      blocked = blockedOf((await hostVerdicts(s, run.catalogue, { by: "tui", pullable: true })).verdicts);
      return Object.fromEntries([...blocked].map(([id, v]) => [id, { reason: v.reason, fix: v.fix }]));
    },
    saveProgress: (p) => writeProgress(s.labId, { ...p, root: s.config.root }),
    async quit({ stopCluster, interrupted }) {
      step?.abort();
      if (stopCluster) await run.disposeClusters();
      return interrupted ? EXIT.interrupted : EXIT.ok;
    },
  };
}
