import { realpathSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadCatalogue } from "../../src/catalogue/load.js";
import { labelFilter } from "../../src/docker/labels.js";
import { DockerPort } from "../../src/docker/port.js";
import { stepApplies } from "../../src/engine/render.js";
import { labIdOf } from "../../src/lab/identity.js";
import { PROFILES } from "../../src/model/roles.js";
import { cli, tempLab } from "../helpers/cli.js";
import { hasDocker } from "../helpers/docker.js";
import { ensureStandinImages } from "../standin/image.js";

/**
 * The whole catalogue through the real binary against the stand-ins, under each profile: every step passes and the
 * JUnit report has exactly one test case per step that applies to the profile.
 */

const port = new DockerPort();
const catalogue = await loadCatalogue();

describe.skipIf(!hasDocker)("verify --all against the stand-ins", () => {
  it.each(PROFILES.map((p) => [p] as const))(
    "profile %s: verify --all --jobs 3 --reporter junit passes with one testcase per step",
    async (profile) => {
      const images = await ensureStandinImages({ profile });
      const dir = realpathSync(
        tempLab(`{ profile: ${JSON.stringify(profile)}, images: ${JSON.stringify(images)}, ports: { master: 0, agent: 0, exhibitor: 0, zk: 0 }, timeouts: { negativeWindow: 2000, execute: 30000, expectation: 30000 } }`),
      );
      const r = await cli(["verify", "--all", "--reporter", "junit", "--jobs", "3"], { cwd: dir, timeout: 900_000 });
      const failing = [...r.stdout.matchAll(/<testcase [^>]*name="([^"]+)"[^/]*>\s*<(?:failure|error) message="([^"]*)"/g)].map((m) => `${m[1]}: ${m[2]}`);
      expect({ exit: r.exitCode, failing }, r.stderr.slice(-4000)).toEqual({ exit: 0, failing: [] });
      for (const ex of catalogue.filter((e) => e.profiles.includes(profile))) {
        const steps = ex.steps.filter((s) => stepApplies(s, profile));
        const suite = new RegExp(`<testsuite name="${ex.id} [^"]*" tests="(\\d+)"`).exec(r.stdout);
        expect(suite?.[1], `exercise ${ex.id}`).toBe(String(steps.length));
        for (const s of steps) expect(r.stdout, `${ex.id}:${s.id}`).toContain(`classname="mesos-lab.${ex.id}" name="${s.id}: `);
      }
      expect(await port.listOwned(labelFilter({ lab: labIdOf({ root: dir }) }))).toEqual([]);
    },
    900_000,
  );
});
