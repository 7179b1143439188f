import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";

/**
 * Opt-in (LAB_E2E=1): the catalogue against the real Mesos images, where Docker Hub is reachable. Not part of
 * `npm test`: the real images cannot be pulled on the machines the project is built on.
 */
describe.runIf(process.env.LAB_E2E === "1")("the real Mesos images", () => {
  it("pulls the configured images", async () => {
    const r = await cli(["pull"], { timeout: 1_800_000 });
    expect(r.exitCode, r.all).toBe(0);
  }, 1_800_000);

  it("exercise 01 passes against mesosphere/mesos-*:1.4.0-rc5", async () => {
    const r = await cli(["verify", "01", "--reporter", "junit"], { timeout: 600_000 });
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toContain('failures="0"');
  }, 600_000);

  it("the whole catalogue passes", async () => {
    const r = await cli(["verify", "--all", "--jobs", "2"], { timeout: 3_600_000 });
    expect(r.exitCode, r.all).toBe(0);
  }, 3_600_000);
});
