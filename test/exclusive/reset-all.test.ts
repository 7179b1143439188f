import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labelFilter, runLabels } from "../../src/runtime/labels.js";
import { createRuntime } from "../../src/runtime/factory.js";
import { resetLab } from "../../src/lab/sweep.js";
import { ensureBusybox, hasDocker } from "../helpers/docker.js";
import { expectOnlyStuckNetworks, stuckNetworksOf } from "../helpers/stuck-networks.js";

/**
 * `reset --all` removes every mesos-lab resource on the engine — other test files' runs included — so the files in
 * test/exclusive/ run on their own, after the rest of the suite (see package.json "test").
 */

const run = `r${process.pid}${Date.now() % 100000}`;
const lab = `resetlab${process.pid}`;
const labels = runLabels({ lab, run });

describe.skipIf(!hasDocker)("reset --all on the real engine", () => {
  const runtime = createRuntime();
  const docker = new Docker();
  let image: string;
  let foreignId: string | undefined;
  let foreignNet: string | undefined;

  beforeAll(async () => {
    image = await ensureBusybox();
  });

  afterAll(async () => {
    await runtime.owned.remove(await runtime.owned.list(labelFilter({ run })));
    if (foreignId)
      await docker
        .getContainer(foreignId)
        .remove({ force: true })
        .catch(() => undefined);
    if (foreignNet)
      await docker
        .getNetwork(foreignNet)
        .remove()
        .catch(() => undefined);
  });

  it("reset --all removes labelled resources only: a hand-made container and a look-alike network survive", async () => {
    foreignId = (
      await docker.createContainer({ name: `mesos-lab-${run}-handmade`, Image: image, Cmd: ["sleep", "60"], Labels: { "io.mesos-lab.role": "master" } })
    ).id;
    await docker.getContainer(foreignId).start();
    foreignNet = (await docker.createNetwork({ Name: `mesos-lab-${run}-lookalike`, Labels: { "io.mesos-lab.run": run } })).id;
    const mine = await runtime.containers.create({ name: `mesos-lab-${run}-mine`, image, cmd: ["sleep", "60"], env: {}, labels });
    await runtime.containers.start(mine);
    const removed = await resetLab(runtime, { labId: lab, all: true }).catch(async (err: unknown) => {
      // a network an earlier test left, that Docker will not let go of: named, after everything else went
      await expectOnlyStuckNetworks(stuckNetworksOf(err), [`mesos-lab-${run}-lookalike`]);
      return undefined;
    });
    if (removed) {
      expect(removed.some((r) => r.id === mine)).toBe(true);
      expect(removed.some((r) => r.id === foreignId || r.id === foreignNet)).toBe(false);
    }
    expect((await docker.getContainer(foreignId).inspect()).State.Running).toBe(true);
    expect(await docker.getNetwork(foreignNet).inspect()).toBeTruthy();
    expect(await runtime.containers.inspect(mine)).toBeUndefined();
  });
});
