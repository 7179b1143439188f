import { readFileSync, realpathSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadCatalogue } from "../../src/catalogue/load.js";
import { loadConfig } from "../../src/config/load.js";
import { labelFilter } from "../../src/runtime/labels.js";
import { createRuntime } from "../../src/runtime/factory.js";
import type { StepResult } from "../../src/engine/events.js";
import { expectationsOf, renderExercise } from "../../src/engine/render.js";
import { labIdOf } from "../../src/lab/identity.js";
import { cli, tempLab } from "../helpers/cli.js";
import { hasDocker } from "../helpers/docker.js";
import { RECORDING, type Recording } from "../real/recording.js";
import { ensureStandinImages } from "../standin/image.js";
import { disagreements } from "./standin-vs-real.js";

/**
 * A profile added in one file, as a user running a 1.11-based fork adds theirs: lab.config.ts says "like 1.11, release
 * 1.11.9, these images", and nothing of mesos-lab changes. `list` and `verify --all` (the built binary, against the
 * stand-ins, which behave as 1.11) render and run it with every exercise, step and expectation of 1.11 — the fork
 * inherits each one whose release range covers 1.11.9 — and verify agrees with the recorded real 1.11 run.
 */

const PROFILE = "acme-1.11.9";
const runtime = createRuntime();

/** The one file: a lab.config.ts whose profile is its own. */
function forkLab(images: object): string {
  const fork = { name: PROFILE, like: "1.11", release: "1.11.9", images };
  return realpathSync(
    tempLab(
      `{ profile: ${JSON.stringify(PROFILE)}, profiles: [${JSON.stringify(fork)}], ports: { master: 0, agent: 0, exhibitor: 0, zk: 0 }, timeouts: { negativeWindow: 2000 } }`,
    ),
  );
}

/** What a lab runs: the flags and ACL keys it checks, and per exercise its steps, their env and expectations (with citations). */
async function plan(cwd: string) {
  const config = await loadConfig({ cwd });
  const catalogue = await loadCatalogue(config);
  return {
    flags: config.mesos.flags,
    acls: config.mesos.acls,
    exercises: catalogue.map((ex) => ({
      id: ex.id,
      steps: renderExercise(ex, config).map((rs) => ({ id: rs.step.id, env: rs.env, expect: expectationsOf(rs).map((e) => `${e.id} ${e.cite.at}`) })),
    })),
  };
}

describe("a throwaway profile in lab.config.ts", () => {
  const images = { zk: "zookeeper:3.8", master: "acme/mesos:1.11.9", agent: "acme/mesos:1.11.9", execute: "acme/mesos:1.11.9" };

  it("inherits exactly 1.11's flags, ACL keys, exercises, steps and expectations (with 1.11's citations)", async () => {
    const fork = await plan(forkLab(images));
    const v111 = await plan(realpathSync(tempLab(`{ profile: "1.11" }`)));
    expect(fork).toEqual(v111);
    expect(fork.exercises.map((e) => e.id)).toContain("12");
  });

  it("inherits by release, not by name: like 1.4 at 1.4.2, it takes what changed in 1.4.2", async () => {
    const expectationsOfStep = async (cwd: string, ex: string, step: string) =>
      (await plan(cwd)).exercises
        .find((e) => e.id === ex)!
        .steps.find((s) => s.id === step)!
        .expect.map((e) => e.split(" ")[0]);
    const v142 = realpathSync(tempLab(`{ profile: "fork-1.4.2", profiles: [{ name: "fork-1.4.2", like: "1.4", release: "1.4.2" }] }`));
    const v14 = realpathSync(tempLab(`{ profile: "1.4" }`));
    // 1.4.2 answers a wrong secret with 'Invalid credentials', and no longer tells the agent to shut down
    expect(await expectationsOfStep(v14, "03", "wrong-secret")).toEqual(["master-refuses", "agent-exits", "not-registered"]);
    expect(await expectationsOfStep(v142, "03", "wrong-secret")).toEqual(["master-invalid-credentials", "agent-exits", "not-registered"]);
    expect(await expectationsOfStep(v142, "03", "master-requires")).not.toContain("shut-down");
    expect((await plan(v142)).exercises.map((e) => e.id)).not.toContain("12");
  });

  it("list renders it: the same catalogue as 1.11, under its own name and how it is checked", async () => {
    const dir = forkLab(images);
    const r = await cli(["list"], { cwd: dir });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe(
      `Exercises (profile ${PROFILE}: like 1.11, release 1.11.9, from lab.config.ts (mesos-lab checks the catalogue for its built-in profiles only)):`,
    );
    const json = await cli(["list", "--json"], { cwd: dir });
    const json111 = await cli(["list", "--json"], { cwd: realpathSync(tempLab(`{ profile: "1.11" }`)) });
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(json111.stdout));
  });

  it("a wrong entry is a config error naming the field (exit 3), before anything runs", async () => {
    const dir = realpathSync(
      tempLab(`{ profile: "acme", profiles: [{ name: "acme", like: "1.10", release: "1.10.0", images: { master: "acme/mesos 1.10" } }] }`),
    );
    const r = await cli(["list"], { cwd: dir });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain("profiles.0.like: '1.10' is not a built-in profile (built in: 1.4, 1.11)");
    expect(r.stderr).toContain("profiles.0.images.master: an image reference like repo/name:tag");
    const v = await cli(["verify", "--all"], { cwd: dir });
    expect(v.exitCode).toBe(3);
  });

  it.skipIf(!hasDocker)(
    "verify --all --jobs 3 runs it on its own images and agrees with the recorded real Mesos 1.11 run",
    async () => {
      const dir = forkLab(await ensureStandinImages({ profile: "1.11" }));
      const report = path.join(dir, "report.json");
      const r = await cli(["verify", "--all", "--reporter", "json", "--output", report, "--jobs", "3"], { cwd: dir, timeout: 900_000 });
      const out = JSON.parse(readFileSync(report, "utf8")) as { profile: string; steps: StepResult[] };
      const real = JSON.parse(readFileSync(RECORDING, "utf8")) as Recording;
      expect(out.profile).toBe(PROFILE);
      expect(disagreements(out.steps, real), r.stdout.slice(-4000)).toEqual([]);
      expect({ exit: r.exitCode, failed: out.steps.filter((s) => s.status !== "passed").map((s) => `${s.exercise}:${s.step}`) }).toEqual({
        exit: 0,
        failed: [],
      });
      expect(await runtime.owned.list(labelFilter({ lab: labIdOf({ root: dir }) }))).toEqual([]);
    },
    900_000,
  );
});
