import { readFileSync } from "node:fs";
import path from "node:path";
import { loadCatalogue } from "../../src/catalogue/load.js";
import { resolveConfig } from "../../src/config/load.js";
import { LabBus, type LabEvent } from "../../src/engine/events.js";
import type { DoctorCheck } from "../../src/lab/doctor-check.js";
import { emptyProgress, type LabProgress } from "../../src/lab/progress.js";
import type { Controller } from "../../src/tui/App.js";
import { exerciseInfos } from "../../src/tui/catalogue.js";
import type { ExerciseInfo } from "../../src/tui/state.js";
import { pollUntil, sleep } from "../helpers/wait.js";
import { executeFailsExercise, failingExercise } from "./fixtures/exercises.js";

/** LabEvents recorded from real runs against the stand-in images (test/tui/record.ts writes them). */
export function recorded(name: "01-pass" | "90-fail" | "93-execute-fails"): LabEvent[] {
  return JSON.parse(readFileSync(path.join(import.meta.dirname, "fixtures", `${name}.json`), "utf8")) as LabEvent[];
}

/** Exercise 01 of the built-in catalogue and the failing fixture exercises, as the TUI shows them. */
export async function infos(): Promise<ExerciseInfo[]> {
  const config = resolveConfig({}, undefined, "/tmp");
  return exerciseInfos([...(await loadCatalogue()).filter((e) => e.id === "01"), failingExercise, executeFailsExercise], config);
}

/** Events of one step out of a recorded run: from its step:start up to its step:end (plus exercise:end). */
export function stepEvents(events: LabEvent[], step: string): LabEvent[] {
  const start = events.findIndex((e) => e.type === "step:start" && e.step.id === step);
  const end = events.findIndex((e, i) => i > start && e.type === "step:end");
  return [...events.slice(start, end + 1), { type: "exercise:end", exercise: (events[start] as { exercise: string }).exercise, passed: true, durationMs: 1 }];
}

/** A Controller that replays recorded events instead of running Docker, and records what the App asked of it. */
export class FakeController implements Controller {
  bus = new LabBus();
  calls: string[] = [];
  saved: LabProgress[] = [];
  /** Given, the App audits the lab after an exercise's last step (src/tui/audit-panel.ts); absent, it shows no panel. */
  audit?: Controller["audit"];
  constructor(
    private readonly replay: Record<string, LabEvent[]> = {},
    audit?: Controller["audit"],
  ) {
    if (audit)
      this.audit = (due) => {
        this.calls.push(`audit ${due.exercise} ${due.urls.master}`);
        return audit(due);
      };
  }
  async runStep(exercise: string, step: string): Promise<void> {
    this.calls.push(`run ${exercise}:${step}`);
    const evs = this.replay[`${exercise}:${step}`];
    if (!evs) throw Object.assign(new Error(`no recording for ${exercise}:${step}`), { fix: "record one" });
    // a little later, as the engine would: the App must batch whatever arrives
    await sleep(5);
    for (const e of evs) this.bus.emit(e);
  }
  async resetExercise(exercise: string): Promise<void> {
    this.calls.push(`reset ${exercise}`);
  }
  async resetAll(): Promise<number> {
    this.calls.push("resetAll");
    return 3;
  }
  async doctor(): Promise<DoctorCheck[]> {
    this.calls.push("doctor");
    return [
      { name: "docker", status: "ok", detail: "Docker 27.0 (API 1.47)" },
      { name: "image mesosphere/mesos-master:1.4.0-rc5", status: "fail", detail: "not present", fix: "Run `mesos-lab pull`." },
    ];
  }
  saveProgress(p: LabProgress): void {
    this.saved.push(p);
  }
  async quit(o: { stopCluster: boolean; interrupted: boolean }): Promise<number> {
    this.calls.push(`quit stop=${o.stopCluster} interrupted=${o.interrupted}`);
    return o.interrupted ? 130 : 0;
  }
}

export { emptyProgress };

/** Polls until `check` holds on the last frame (Ink renders asynchronously); fails with the frame it saw. */
export function waitForFrame(lastFrame: () => string | undefined, check: (f: string) => boolean, timeoutMs = 3000): Promise<string> {
  return pollUntil(() => lastFrame() ?? "", check, { timeoutMs, everyMs: 15, failure: (f) => `frame never matched; last frame:\n${f}` });
}

export const tick = (ms = 30) => sleep(ms);

/**
 * Writes a key press and waits for the screen to answer it: until the frame changes (up to `settleMs`; a key that
 * changes nothing, such as DOWN on the last row, waits that long), then one quiet tick. A fixed 40 ms after the write
 * was not always enough on a loaded 2-core machine (npm test beside other suites), and a check on lastFrame() then saw
 * the frame before the key.
 */
export async function pressKey(r: { stdin: { write: (k: string) => void }; lastFrame: () => string | undefined }, k: string, settleMs = 1500): Promise<void> {
  const before = r.lastFrame();
  r.stdin.write(k);
  const end = Date.now() + settleMs;
  while (r.lastFrame() === before && Date.now() < end) await sleep(10);
  await sleep(20);
}

/**
 * Polls until the controller has been called as `expected` (a key press reaches the app asynchronously: on a loaded
 * machine the 40 ms after a write is not always enough); fails with the calls it saw.
 */
export function waitForCalls(controller: { calls: string[] }, expected: string[], timeoutMs = 3000): Promise<string[]> {
  return pollUntil(
    () => [...controller.calls],
    (c) => JSON.stringify(c) === JSON.stringify(expected),
    { timeoutMs, everyMs: 15, failure: (c) => `controller calls ${JSON.stringify(c)}, expected ${JSON.stringify(expected)}` },
  );
}
