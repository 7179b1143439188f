import { readFileSync, realpathSync } from "node:fs";
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
import { cli, junitFailureDetail, junitFailures, tempLab } from "../helpers/cli.js";
import { hasDocker } from "../helpers/docker.js";
import { RECORDING, type Recording } from "../real/recording.js";
import { ensureStandinImages } from "../standin/image.js";
import { disagreements } from "./standin-vs-real.js";

/**
 * The whole catalogue through the real binary against the stand-ins, under each profile: every step passes. Under 1.4
 * the JUnit report has exactly one test case per step; under 1.11 the JSON report agrees, step by step and expectation
 * by expectation, with the recorded run of the same catalogue on real Mesos 1.11 (real-1.11-outcomes.json).
 */

const runtime = createRuntime();
const catalogue = await loadCatalogue();

function standinLab(profile: string, images: object): string {
  return realpathSync(
    tempLab(
      `{ profile: ${JSON.stringify(profile)}, images: ${JSON.stringify(images)}, ports: { master: 0, agent: 0, exhibitor: 0, zk: 0 }, timeouts: { negativeWindow: 2000, execute: 30000, expectation: 30000 } }`,
    ),
  );
}

describe.skipIf(!hasDocker)("verify --all against the stand-ins", () => {
  it("profile 1.4: verify --all --jobs 3 --reporter junit passes with one testcase per step", async () => {
    const dir = standinLab("1.4", await ensureStandinImages({ profile: "1.4" }));
    const r = await cli(["verify", "--all", "--reporter", "junit", "--jobs", "3"], { cwd: dir, timeout: 900_000 });
    const failing = junitFailures(r.stdout);
    expect({ exit: r.exitCode, failing }, junitFailureDetail(r.stdout, r.stderr)).toEqual({ exit: 0, failing: [] });
    const mesos = builtinProfile("1.4")!;
    for (const ex of catalogue.filter((e) => inRange(e, mesos.release))) {
      const steps = ex.steps.filter((s) => stepApplies(s, mesos));
      const suite = new RegExp(`<testsuite name="${ex.id} [^"]*" tests="(\\d+)"`).exec(r.stdout);
      expect(suite?.[1], `exercise ${ex.id}`).toBe(String(steps.length));
      for (const s of steps) expect(r.stdout, `${ex.id}:${s.id}`).toContain(`classname="mesos-lab.${ex.id}" name="${s.id}: `);
    }
    expect(await runtime.owned.list(labelFilter({ lab: labIdOf({ root: dir }) }))).toEqual([]);
  }, 900_000);

  it("profile 1.11: verify --all --jobs 3 agrees with the recorded real Mesos 1.11 run on every step and expectation", async () => {
    const dir = standinLab("1.11", await ensureStandinImages({ profile: "1.11" }));
    const report = path.join(dir, "report.json");
    const r = await cli(["verify", "--all", "--reporter", "json", "--output", report, "--jobs", "3"], { cwd: dir, timeout: 900_000 });
    const steps = (JSON.parse(readFileSync(report, "utf8")) as { steps: StepResult[] }).steps;
    const real = JSON.parse(readFileSync(RECORDING, "utf8")) as Recording;
    expect(disagreements(steps, real), r.stdout.slice(-4000)).toEqual([]);
    expect({ exit: r.exitCode, failed: steps.filter((s) => s.status !== "passed").map((s) => `${s.exercise}:${s.step}`) }).toEqual({ exit: 0, failed: [] });
    expect(await runtime.owned.list(labelFilter({ lab: labIdOf({ root: dir }) }))).toEqual([]);
  }, 900_000);
});
