import { render } from "ink-testing-library";
import { afterEach, describe, expect, it } from "vitest";
import { loadCatalogue } from "../../src/catalogue/load.js";
import { resolveConfig } from "../../src/config/load.js";
import { exerciseVerdicts, NO_V1_REASON } from "../../src/lab/exercise-verdicts.js";
import { configuredImages } from "../../src/lab/images.js";
import { App } from "../../src/tui/App.js";
import { exerciseInfos } from "../../src/tui/catalogue.js";
import { initialState, type Unavailable } from "../../src/tui/state.js";
import { emptyProgress, FakeController, recorded, stepEvents, pressKey, tick, waitForCalls, waitForFrame } from "./helpers.js";

/**
 * The TUI on a simulated cgroup-v2-only host whose kernel refuses cgroup-v1 hierarchies: the controller's
 * availability is the verdict logic (src/lab/exercise-verdicts.ts) on injected facts (the engine's cgroup version 2,
 * the capabilities probe's refusal there, every image present). Exercise 12
 * is marked unavailable in the list with the reason, its step view says why and the fix, and `r` starts nothing; 01
 * runs as ever. Before the check answers, the list shows what doctor recorded, with when.
 */

const config = resolveConfig({}, undefined, "/tmp"); // profile 1.11
const catalogue = (await loadCatalogue(config)).filter((e) => e.id === "01" || e.id === "12");
const infos = exerciseInfos(catalogue, config);
const images = Object.fromEntries(configuredImages(config).map((i) => [i, true]));

/** A FakeController whose availability is the real verdict logic on such a cgroup-v2 engine's facts. */
class V2Controller extends FakeController {
  async availability(): Promise<Record<string, Unavailable>> {
    this.calls.push("availability");
    const verdicts = exerciseVerdicts(catalogue, config, {
      cgroupVersion: "2",
      capabilities: { available: false, reason: NO_V1_REASON },
      images,
      pullable: true,
    });
    return Object.fromEntries(verdicts.flatMap((v) => (v.status === "cannot" ? [[v.exercise, { reason: v.reason, fix: v.fix }]] : [])));
  }
}

const mounted: Array<{ unmount: () => void }> = [];
afterEach(() => mounted.splice(0).forEach((m) => m.unmount()));

async function mount(controller: FakeController, unavailable: Record<string, Unavailable> = {}) {
  const r = render(<App initial={initialState(infos, emptyProgress(), "guided", unavailable)} controller={controller} onExit={() => undefined} />);
  mounted.push(r);
  await tick(50);
  const press = (k: string) => pressKey(r, k);
  return { ...r, press };
}

const DOWN = "\u001B[B";
const ENTER = "\r";

describe("the TUI on a simulated cgroup-v2-only host that refuses cgroup-v1 hierarchies", () => {
  it("marks 12 unavailable in the list with the reason, shows the fix under it, and refuses to run its steps", async () => {
    const controller = new V2Controller({ "01:cluster": stepEvents(recorded("01-pass"), "cluster") });
    const { lastFrame, press } = await mount(controller);
    let f = await waitForFrame(lastFrame, (x) => x.includes("unavailable"));
    expect(controller.calls).toEqual(["availability"]);
    expect(f).toMatch(/12 \S.*\s+0\/\d+\s+unavailable\s+cannot run here: it needs/);
    expect(f).toMatch(/▸\s+01 The default configuration \(insecure\)\s+0\/3\s+not started/);
    await press(DOWN);
    f = lastFrame()!;
    expect(f).toMatch(/✗ 12 cannot run here: it needs the agent capabilities mode /);
    expect(f.replace(/\s+/g, " ")).toContain("cannot mount a cgroup-v1 freezer hierarchy of its own at /run/mesos-lab/cgroup/freezer");
    expect(f.replace(/\s+/g, " ")).toContain("fix: Use a Linux host or VM whose container engine runs as root");

    await press(ENTER);
    f = lastFrame()!;
    expect(f).toContain("✗ This exercise cannot run here: it needs the agent capabilities mode");
    expect(f).toMatch(/✗ cannot run here: it needs the agent/); // the step's verdict line
    expect(f).toContain("r  cannot run here");
    await press("r");
    expect(controller.calls).toEqual(["availability"]); // nothing ran
    expect(lastFrame()).toMatch(/^cannot run here: it needs the agent capabilities mode/m); // the footer's message

    // 01 runs as ever
    await press("\u001B"); // esc: back to the list
    await press("1");
    await press("r");
    await waitForCalls(controller, ["availability", "run 01:cluster"]);
    await waitForFrame(lastFrame, (x) => x.includes("Step passed"));
  });

  it("before the check answers, the list shows the verdict doctor recorded, and when it was checked", async () => {
    const controller = new FakeController(); // no availability: what was recorded stays
    const checked = "(last checked by doctor at 2026-12-07 10:31 UTC)";
    const { lastFrame, press } = await mount(controller, { "12": { reason: "the engine's host runs cgroup v2", fix: "Use a cgroup-v1 host.", checked } });
    expect(lastFrame()).toMatch(/12 \S.*unavailable\s+cannot run here: the engin/);
    await press(DOWN);
    expect(lastFrame()!.replace(/\s+/g, " ")).toContain(`✗ 12 cannot run here: the engine's host runs cgroup v2 ${checked}`);
    await press(ENTER);
    await press("r");
    expect(controller.calls).toEqual([]);
  });
});
