import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadCatalogue } from "../../src/catalogue/load.js";
import { labelFilter } from "../../src/runtime/labels.js";
import { createRuntime } from "../../src/runtime/factory.js";
import type { StepResult } from "../../src/engine/events.js";
import { stepApplies } from "../../src/engine/render.js";
import { labIdOf } from "../../src/lab/identity.js";
import { builtinProfile } from "../../src/model/profiles/index.js";
import { inRange } from "../../src/model/release.js";
import { cli, ROOT } from "../helpers/cli.js";
import { stepSections } from "../helpers/plain-sections.js";
import { outcomesOf, RECORDING } from "./recording.js";
import { realAvailable, realLab } from "./real-mesos.js";

/**
 * The whole catalogue on real Mesos 1.11, through the real binary as a user runs it: every step of every exercise
 * passes, none is skipped, at one exercise at a time and at four. `MESOS_LAB_RECORD=1` keeps the run's outcomes as
 * the recording the stand-in is compared with (test/catalogue/standin-vs-real.test.ts).
 */

const runtime = createRuntime();
const catalogue = await loadCatalogue();
const mesos = builtinProfile("1.11")!;
const steps = catalogue.filter((e) => inRange(e, mesos.release)).flatMap((e) => e.steps.filter((s) => stepApplies(s, mesos)).map((s) => `${e.id}:${s.id}`));

describe.runIf(await realAvailable())("the catalogue on real Mesos 1.11", () => {
  it.each([1, 4])(
    "verify --all --jobs %i passes every step",
    async (jobs) => {
      const dir = await realLab();
      const report = path.join(dir, "report.json");
      const t0 = Date.now();
      const r = await cli(["verify", "--all", "--jobs", String(jobs), "--reporter", "json", "--output", report], { cwd: dir, timeout: 1_500_000 });
      const wallMs = Date.now() - t0;
      // a run that ended before writing its report says why in its own output, not as ENOENT
      expect(existsSync(report), `no report: exit ${r.exitCode}\n${r.all.slice(-6000)}`).toBe(true);
      const results = (JSON.parse(readFileSync(report, "utf8")) as { steps: StepResult[] }).steps;
      const failing = results
        .filter((s) => s.status !== "passed")
        .map(
          (s) =>
            `${s.exercise}:${s.step}: ${
              s.error ??
              s.expectations
                .filter((e) => e.status !== "passed")
                .map((e) => `${e.id} ${e.reason ?? ""}`)
                .join("; ")
            }`,
        );
      // the failing steps' own lines: the report's tail, at --jobs 4, starts in whichever exercise ended last
      const failingKeys = results.filter((s) => s.status !== "passed").map((s) => `${s.exercise}:${s.step}`);
      expect({ exit: r.exitCode, failing }, `${stepSections(r.stdout, failingKeys)}\n…\n${r.stdout.slice(-2000)}`).toEqual({ exit: 0, failing: [] });
      expect(results.map((s) => `${s.exercise}:${s.step}`).sort(), "every step of the catalogue ran, none skipped").toEqual([...steps].sort());
      console.log(`real-mesos: verify --all --jobs ${jobs}: ${results.length} steps passed in ${(wallMs / 1000).toFixed(1)} s`);
      if (process.env.MESOS_LAB_RECORD === "1" && jobs === 1) {
        mkdirSync(path.dirname(RECORDING), { recursive: true });
        writeFileSync(RECORDING, `${JSON.stringify(outcomesOf(results), null, 2)}\n`);
      }
      expect(await runtime.owned.list(labelFilter({ lab: labIdOf({ root: dir }) })), "nothing of the runs is left on the engine").toEqual([]);
    },
    1_500_000,
  );

  it("the recording the stand-in is compared with names every step of the catalogue", () => {
    const recorded = JSON.parse(readFileSync(RECORDING, "utf8")) as { steps: Record<string, unknown> };
    expect(Object.keys(recorded.steps).sort(), `re-record it: MESOS_LAB_RECORD=1 npm run test:real (in ${path.relative(ROOT, RECORDING)})`).toEqual(
      [...steps].sort(),
    );
  });
});
