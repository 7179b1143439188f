import Docker from "dockerode";
import { describe, expect, it } from "vitest";
import { createRuntime } from "../../src/runtime/factory.js";
import { labelFilter } from "../../src/runtime/labels.js";
import { stepsUnder } from "./catalogue-steps.js";
import { fourLetterWord } from "../../src/engine/http.js";
import { labIdOf } from "../../src/lab/identity.js";
import { cli } from "../helpers/cli.js";
import { ensureRealImages } from "./images.js";
import { realAvailable, realImages, realLab } from "./real-mesos.js";
import { pollUntil } from "../helpers/wait.js";

/**
 * The images as users have them, on the real build: master, agent and mesos-execute from one image without an
 * entrypoint (as Apache's mesos/mesos-centos), and a ZooKeeper 3.8 at its default four-letter-word whitelist (as the
 * official zookeeper images), which answers `ruok` with a refusal.
 */

const docker = new Docker();
const runtime = createRuntime();

describe.runIf(await realAvailable())("real Mesos images as users have them", () => {
  it("the Mesos image has no entrypoint and reports 1.11; a second call only finds the images", async () => {
    const images = await realImages();
    expect(images.master).toBe(images.agent);
    expect(images.master).toBe(images.execute);
    const inspect = (await docker.getImage(images.master).inspect()) as { Config: { Entrypoint?: string[] | null } };
    if (images.origin.mesos === "built") expect(inspect.Config.Entrypoint ?? []).toEqual([]);
    const built: string[] = [];
    expect(await ensureRealImages({ log: (l) => built.push(l) })).toEqual(images);
    expect(built, "a warm call builds nothing").toEqual([]);
  }, 900_000);

  it("the ZooKeeper image refuses ruok (default whitelist) and answers srvr", async () => {
    const images = await realImages();
    const info = await runtime.info();
    const lab = `realzk${process.pid}`;
    const id = await runtime.containers.create({
      name: `mesos-lab-realzk-${process.pid}`,
      image: images.zk,
      env: {},
      labels: { "io.mesos-lab.managed": "true", "io.mesos-lab.lab": lab, "io.mesos-lab.run": "zk" },
      publish: { 2181: 0 },
    });
    try {
      await runtime.containers.start(id);
      const p = (await runtime.containers.inspect(id))!.ports[2181]!;
      const srvr = await pollUntil(
        () => fourLetterWord(info.publishHost, p, "srvr", 1000).catch((e: Error) => `(no answer: ${e.message})`),
        (answer) => /^Mode: standalone$/m.test(answer),
        {
          timeoutMs: 60_000,
          everyMs: 500,
          failure: (last) => `ZooKeeper on ${info.publishHost}:${p} did not answer srvr with "Mode: standalone" within 60 s; last answer: ${last}`,
        },
      );
      expect(srvr).toMatch(/^Zookeeper version: 3\.8\./m);
      expect(await fourLetterWord(info.publishHost, p, "ruok", 1000)).toBe("ruok is not executed because it is not in the whitelist.");
    } finally {
      await runtime.containers.remove(id);
    }
    expect(await runtime.owned.list(labelFilter({ lab }))).toEqual([]);
  }, 120_000);

  it("doctor finds the programs, the release and a serving ZooKeeper, and says ruok's refusal is fine", async () => {
    const dir = await realLab();
    const r = await cli(["doctor"], { cwd: dir, timeout: 120_000 });
    expect(r.stdout).toMatch(/✓ image \S+ \(master, agent, execute\): mesos-master, mesos-agent, mesos-execute present; mesos 1\.11\.\d/);
    expect(r.stdout).toMatch(
      /✓ image \S+ \(zk\): ZooKeeper 3\.8\.\d+ serves \(Mode: standalone\); srvr answered; ruok is not in its four-letter-word whitelist/,
    );
    expect(r.exitCode, r.stdout).toBe(0);
    expect(await runtime.owned.list(labelFilter({ lab: labIdOf({ root: dir }) })), "the probes' containers are gone").toEqual([]);
  }, 180_000);

  it("verify 01 passes with that ZooKeeper and one image for master, agent and mesos-execute", async () => {
    const dir = await realLab();
    const r = await cli(["verify", "01", "--reporter", "junit"], { cwd: dir, timeout: 300_000 });
    expect(r.exitCode, r.all.slice(-4000)).toBe(0);
    expect(r.stdout).toContain('failures="0"');
    expect(r.stdout).toMatch(new RegExp(`<testsuite name="01 [^"]*" tests="${(await stepsUnder("1.11", ["01"])).length}"`));
  }, 300_000);
});
