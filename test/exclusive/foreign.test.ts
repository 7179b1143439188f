import { realpathSync } from "node:fs";
import Docker from "dockerode";
import { afterAll, describe, expect, it } from "vitest";
import { cli, tempLab } from "../helpers/cli.js";
import { EXIT } from "../../src/util/errors.js";
import { ensureBusybox, hasDocker } from "../helpers/docker.js";
import { expectOnlyStuckNetworks, stuckNetworksSaid } from "../helpers/stuck-networks.js";

const docker = new Docker();
const tag = `f${process.pid}`;
const made: Array<() => Promise<unknown>> = [];

describe.skipIf(!hasDocker)("resources mesos-lab did not create", () => {
  afterAll(async () => {
    // newest first: the network can go only once the container attached to it is gone
    for (const undo of made.reverse()) await undo().catch(() => undefined);
  });

  it("a foreign container and network with look-alike names and labels survive `down` and `reset --all`", async () => {
    const image = await ensureBusybox();
    // same name pattern, and even some of our label keys, but not the managed marker
    const net = await docker.createNetwork({ Name: `mesos-lab-${tag}`, Labels: { "io.mesos-lab.lab": "x", "io.mesos-lab.run": tag } });
    made.push(() => net.remove());
    const c = await docker.createContainer({
      name: `mesos-lab-${tag}-master`,
      Image: image,
      Cmd: ["sleep", "120"],
      Labels: { "io.mesos-lab.role": "master", "io.mesos-lab.managed": "false" },
      HostConfig: { NetworkMode: `mesos-lab-${tag}` },
    });
    made.push(() => c.remove({ force: true }));
    await c.start();
    const dir = realpathSync(tempLab(`{}`));
    expect((await cli(["down"], { cwd: dir })).exitCode).toBe(0);
    const reset = await cli(["reset", "--all"], { cwd: dir });
    // or 10: a network an earlier test left, that Docker will not let go of, named after everything else went
    if (reset.exitCode === EXIT.engineStuck) await expectOnlyStuckNetworks(stuckNetworksSaid(reset.stderr), [`mesos-lab-${tag}`]);
    else {
      expect(reset.exitCode, reset.all).toBe(0);
      expect(reset.stdout).toContain("every mesos-lab run on this engine");
    }
    expect((await c.inspect()).State.Running).toBe(true);
    expect((await net.inspect()).Name).toBe(`mesos-lab-${tag}`);
  });
});
