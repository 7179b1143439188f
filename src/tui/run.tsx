import { render } from "ink";
import { loadCatalogue } from "../catalogue/load.js";
import type { LabConfig } from "../config/schema.js";
import { localPortInUse } from "../docker/port.js";
import { LabBus } from "../engine/events.js";
import type { Cluster } from "../engine/cluster.js";
import { activeClusters, runExercise } from "../engine/runner.js";
import { runDoctor } from "../lab/doctor.js";
import type { GlobalOpts } from "../lab/global-options.js";
import { ensureImages } from "../lab/images.js";
import { readProgress, writeProgress } from "../lab/progress.js";
import { openSession } from "../lab/session.js";
import { installSignalCleanup } from "../lab/signal-cleanup.js";
import { resetLab, sweepDeadRuns } from "../lab/sweep.js";
import { redactor } from "../report/redact.js";
import { EXIT, LabError } from "../util/errors.js";
import { App, type Controller } from "./App.js";
import { exerciseInfos } from "./catalogue.js";
import { clusterToContinue, type StepTrail } from "./continue.js";
import { redactEvent } from "./redact-event.js";
import { initialState } from "./state.js";
import { loadWorkspace } from "../lab/workspace.js";

/** The UI ports are published where lab.config.ts says when they are free; otherwise any free port. */
async function publishMode(config: LabConfig, publishHost: string): Promise<"configured" | "ephemeral"> {
  if (publishHost !== "127.0.0.1" || config.network.mode !== "bridge") return "configured";
  for (const p of [config.ports.master, config.ports.agent, config.ports.exhibitor, config.ports.zk]) if (p && (await localPortInUse(p))) return "ephemeral";
  return "configured";
}

async function disposeAll(except?: Cluster): Promise<number> {
  const others = [...activeClusters].filter((c) => c !== except);
  const r = await Promise.allSettled(others.map((c) => c.dispose()));
  for (const c of others) activeClusters.delete(c);
  return r.reduce((a, x) => a + (x.status === "fulfilled" ? x.value : 0), 0);
}

export async function launchTui(g: GlobalOpts, opts: { handsOn?: boolean } = {}): Promise<number> {
  const s = await openSession({ configFile: g.config });
  const catalogue = await loadCatalogue(s.config);
  if (catalogue.length === 0) throw new LabError("exercise", "the catalogue has no exercises", "Add exercise folders (NN-slug/exercise.ts) or fix exercisesDir in lab.config.ts.");
  const progress = readProgress(s.labId);
  const ui = new LabBus();
  const engineBus = new LabBus();
  let redact: (t: string) => string = (t) => t;
  engineBus.on((ev) => ui.emit(redactEvent(ev, redact)));

  // Ctrl-C arrives as a key in raw mode (the App handles it); SIGTERM/SIGHUP from outside use the CLI's cleanup
  let run: AbortController | undefined;
  let trail: StepTrail | undefined;
  const signals = new AbortController();
  signals.signal.addEventListener("abort", () => run?.abort());
  const uninstall = installSignalCleanup(signals, () => undefined);

  const controller: Controller = {
    bus: ui,
    async runStep(exerciseId, stepId) {
      const ex = catalogue.find((e) => e.id === exerciseId)!;
      const index = ex.steps.findIndex((st) => st.id === stepId);
      run?.abort();
      // one cluster at a time: the previous step's (kept to explore) goes before the next starts, unless it goes on
      const cluster = clusterToContinue(trail, exerciseId, index);
      trail = undefined;
      await disposeAll(cluster);
      run = new AbortController();
      const engine = await s.engine();
      await ensureImages(s.port, s.config, { pull: true, exercises: [ex], onProgress: (progress) => engineBus.emit({ type: "image:pull", progress }) });
      const material = await s.material();
      redact = redactor(material.secrets());
      await sweepDeadRuns(s.port, s.labId);
      const envOverride = opts.handsOn ? loadWorkspace(s.config, ex, stepId, catalogue).env : undefined;
      let used: Cluster | undefined;
      const results = await runExercise(ex, {
        cluster,
        onCluster: (c) => (used = c),
        config: s.config,
        port: s.port,
        material,
        bus: engineBus,
        labId: s.labId,
        publish: await publishMode(s.config, engine.publishHost),
        publishHost: engine.publishHost,
        keep: true,
        onlyStep: stepId,
        envOverride,
        signal: run.signal,
      });
      if (used && !run.signal.aborted) trail = { exercise: exerciseId, index, passed: results.length === 1 && results[0]!.status === "passed", cluster: used };
    },
    async resetExercise(exerciseId) {
      run?.abort();
      trail = undefined;
      await disposeAll();
      await resetLab(s.port, { labId: s.labId, all: false, exercise: exerciseId });
    },
    async resetAll() {
      run?.abort();
      trail = undefined;
      await disposeAll();
      return (await resetLab(s.port, { labId: s.labId, all: true })).length;
    },
    doctor: () => runDoctor(s),
    saveProgress: (p) => writeProgress(s.labId, { ...p, root: s.config.root }),
    async quit({ stopCluster, interrupted }) {
      run?.abort();
      if (stopCluster) await disposeAll();
      return interrupted ? EXIT.interrupted : EXIT.ok;
    },
  };

  let exitCode: number = EXIT.ok;
  const infos = exerciseInfos(catalogue, s.config);
  const header = `profile ${s.config.profile}${s.config.mesos.checkedShort ? ` (${s.config.mesos.checkedShort})` : ""} · ${catalogue.length} exercises · ${opts.handsOn ? "hands-on: edit workspace/ files" : "guided"} · progress saved`;
  const app = render(<App initial={initialState(infos, progress, opts.handsOn ? "hands-on" : "guided")} controller={controller} onExit={(c) => (exitCode = c)} header={header} />, {
    exitOnCtrlC: false,
    maxFps: 20,
  });
  try {
    await app.waitUntilExit();
  } finally {
    uninstall();
  }
  return exitCode;
}
