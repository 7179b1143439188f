import { render } from "ink";
import type { GlobalOpts } from "../lab/global-options.js";
import { readProgress } from "../lab/progress.js";
import { checkedText, recalledVerdicts, verdictBasis } from "../lab/verdict-record.js";
import { LabRun } from "../lab/run-service.js";
import { EXIT, LabError } from "../util/errors.js";
import { App } from "./App.js";
import { exerciseInfos } from "./catalogue.js";
import { tuiController } from "./controller.js";
import { initialState } from "./state.js";

export async function launchTui(g: GlobalOpts, opts: { handsOn?: boolean } = {}): Promise<number> {
  const run = await LabRun.open({ configFile: g.config, signalLog: () => undefined });
  try {
    const { session: s, catalogue } = run;
    if (catalogue.length === 0)
      throw new LabError("exercise", "the catalogue has no exercises", "Add exercise folders (NN-slug/exercise.ts) or fix exercisesDir in lab.config.ts.");
    const progress = readProgress(s.labId);
    const controller = tuiController(run, opts);
    let exitCode: number = EXIT.ok;
    const infos = exerciseInfos(catalogue, s.config);
    // until the TUI has checked this host itself (controller.availability), what doctor/verify recorded for this engine
    const recorded = recalledVerdicts(s.config.root, s.runtime.host.url, verdictBasis(s.config));
    const unavailable = Object.fromEntries(
      Object.entries(recorded?.exercises ?? {}).flatMap(([id, v]) =>
        v.runs || !catalogue.some((e) => e.id === id) ? [] : [[id, { reason: v.reason ?? "", fix: v.fix ?? "", checked: checkedText(v) }]],
      ),
    );
    const header = `profile ${s.config.profile}${s.config.mesos.checkedShort ? ` (${s.config.mesos.checkedShort})` : ""} · ${catalogue.length} exercises · ${opts.handsOn ? "hands-on: edit workspace/ files" : "guided"} · progress saved`;
    const app = render(
      <App
        initial={initialState(infos, progress, opts.handsOn ? "hands-on" : "guided", unavailable)}
        controller={controller}
        onExit={(c) => (exitCode = c)}
        header={header}
      />,
      {
        exitOnCtrlC: false,
        maxFps: 20,
      },
    );
    await app.waitUntilExit();
    return exitCode;
  } finally {
    run.dispose();
  }
}
