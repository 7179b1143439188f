import { describe, expect, it } from "vitest";
import { labelFilter, LABEL } from "../../src/runtime/labels.js";
import { createRuntime } from "../../src/runtime/factory.js";
import { labIdOf } from "../../src/lab/identity.js";
import { ensureStandinImages } from "../standin/image.js";
import { cli, startCli, tempLab } from "../helpers/cli.js";
import { hasDocker } from "../helpers/docker.js";
import { pollUntil } from "../helpers/wait.js";
import { realpathSync } from "node:fs";

const runtime = createRuntime();
async function labItems(labId: string) {
  return runtime.owned.list(labelFilter({ lab: labId }));
}

/**
 * The lab's items once one of them is a container: the run is under way. A wait for the moment to send the signal,
 * not a timing under test: a fresh lab's first container took over 20 s on this 2-core machine under `npm test`.
 */
const withAContainer = (labId: string) =>
  pollUntil(
    () => labItems(labId),
    (items) => items.some((x) => x.kind === "container"),
    { timeoutMs: 60_000, everyMs: 100, failure: (items) => `no container of lab ${labId} within 60 s; it has ${JSON.stringify(items)}` },
  );

describe.skipIf(!hasDocker)("signals on the real mesos-lab process", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal} while containers run removes every container and network of the run`, async () => {
      const images = await ensureStandinImages({ profile: "1.11" });
      const dir = realpathSync(tempLab(`{ images: ${JSON.stringify(images)} }`));
      const labId = labIdOf({ root: dir });
      const child = startCli(["verify", "01"], { cwd: dir });
      await withAContainer(labId);
      child.kill(signal);
      const r = await child;
      expect(r.exitCode).toBe(signal === "SIGINT" ? 130 : 143);
      expect(r.stderr).toContain(`${signal}: removing this run's containers`);
      expect(await labItems(labId)).toEqual([]);
    });
  }

  it("a SIGKILLed run's leftovers are swept by the next start", async () => {
    const images = await ensureStandinImages({ profile: "1.11" });
    const dir = realpathSync(tempLab(`{ images: ${JSON.stringify(images)} }`));
    const labId = labIdOf({ root: dir });
    const child = startCli(["verify", "01"], { cwd: dir });
    const items = await withAContainer(labId);
    child.kill("SIGKILL");
    await child;
    const deadRun = items.find((x) => x.kind === "container")!.labels[LABEL.run];
    expect((await runtime.owned.list(labelFilter({ run: deadRun }))).length).toBeGreaterThan(0);
    // the next start (any verify) sweeps it before doing its own work
    const next = await cli(["verify", "01"], { cwd: dir });
    expect(next.stdout).toMatch(/removed \d+ leftover/);
    expect(await runtime.owned.list(labelFilter({ run: deadRun }))).toEqual([]);
  });
});
