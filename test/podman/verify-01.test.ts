import { realpathSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { labelFilter } from "../../src/runtime/labels.js";
import { createRuntime } from "../../src/runtime/factory.js";
import { labIdOf } from "../../src/lab/identity.js";
import { cli, junitFailureDetail, junitFailures, tempLab } from "../helpers/cli.js";
import { hasDocker } from "../helpers/docker.js";
import { ensureStandinImages } from "../standin/image.js";

/**
 * `npm run test:podman` (LAB_RUNTIME=podman, DOCKER_HOST at Podman's API socket): the real binary's `verify 01`
 * against the stand-ins, built into Podman's own storage, passes and leaves nothing of its lab behind. In `npm test`
 * (Docker) the whole catalogue runs in test/catalogue/verify-all.test.ts instead.
 */
const podmanRun = process.env.LAB_RUNTIME === "podman";

describe.runIf(podmanRun)("verify 01 on Podman", () => {
  it("passes every step against the stand-ins and leaves nothing behind", async () => {
    // under CI=true a missing engine has already failed the import of hasDocker; this names it off CI too
    expect(hasDocker, `no engine answers at DOCKER_HOST=${process.env.DOCKER_HOST}; start \`podman system service\``).toBe(true);
    const runtime = createRuntime();
    expect(await runtime.name()).toBe("podman");
    for (const profile of ["1.4", "1.11"] as const) {
      const images = await ensureStandinImages({ profile });
      const dir = realpathSync(tempLab(`{ profile: "${profile}", images: ${JSON.stringify(images)}, ports: { master: 0, agent: 0, exhibitor: 0, zk: 0 } }`));
      const r = await cli(["verify", "01", "--reporter", "junit"], { cwd: dir, timeout: 300_000 });
      const failing = junitFailures(r.stdout);
      expect({ profile, exit: r.exitCode, failing }, junitFailureDetail(r.stdout, r.stderr)).toEqual({ profile, exit: 0, failing: [] });
      expect(r.stdout, profile).toMatch(/<testsuite name="01 [^"]*" tests="[1-9]\d*" failures="0"/);
      expect(await runtime.owned.list(labelFilter({ lab: labIdOf({ root: dir }) }))).toEqual([]);
    }
  }, 600_000);
});
