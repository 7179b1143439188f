import { existsSync, realpathSync } from "node:fs";
import { labIdOf } from "../../src/lab/identity.js";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createRuntime } from "../../src/runtime/factory.js";
import { labelFilter } from "../../src/runtime/labels.js";
import { cli, tempLab } from "../helpers/cli.js";
import { hasDocker } from "../helpers/docker.js";

describe("mesos-lab CLI (the real binary)", () => {
  it("list prints exercise 01 and its steps", async () => {
    const r = await cli(["list"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/01\s+The default configuration \(insecure\)/);
    expect(r.stdout).toContain("run-task");
  });

  it("an unknown exercise id is a usage error naming the known ones", async () => {
    const r = await cli(["verify", "42"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("unknown exercise '42'");
    expect(r.stderr).toMatch(/fix: Pick one of: 01 \(insecure\)/);
  });

  it("a config with an unknown key exits 3 naming the file and the key", async () => {
    const dir = tempLab(`{ agents: 1, netwrok: {} } as never`);
    const r = await cli(["list"], { cwd: dir });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain(path.join(dir, "lab.config.ts"));
    expect(r.stderr).toContain("unknown key 'netwrok'");
  });

  it("doctor with the daemon unreachable says so in one line with the fix, exit 5", async () => {
    const r = await cli(["doctor"], { env: { DOCKER_HOST: "unix:///tmp/mesos-lab-no-such-docker.sock" } });
    expect(r.exitCode).toBe(5);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Docker engine unreachable at unix:\/\/\/tmp\/mesos-lab-no-such-docker\.sock.*Fix: Start Docker/);
  });

  it.skipIf(!hasDocker)("verify with absent images exits 6 naming the images and `mesos-lab pull`, leaving nothing behind", async () => {
    const dir = tempLab(
      `{ images: { zk: "mesos-lab-test/absent-zk:0", master: "mesos-lab-test/absent-master:0", agent: "mesos-lab-test/absent-agent:0", execute: "mesos-lab-test/absent-mesos:0" } }`,
    );
    const runtime = createRuntime();
    const lab = labIdOf({ root: realpathSync(dir) });
    const r = await cli(["verify", "01", "--reporter", "junit"], { cwd: dir });
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toContain("mesos-lab-test/absent-master:0");
    expect(r.stderr).toContain("mesos-lab pull");
    expect(r.stdout).toBe("");
    expect(await runtime.owned.list(labelFilter({ lab }))).toEqual([]);
    expect(existsSync(path.join(dir, "ssl", "ca.pem"))).toBe(false);
  });

  it("--help lists the commands for every audience", async () => {
    const r = await cli(["--help"]);
    expect(r.exitCode).toBe(0);
    for (const c of ["list", "verify", "up", "down", "reset", "doctor", "pull", "ssl"]) expect(r.stdout).toMatch(new RegExp(`\\n\\s+${c}\\b`));
  });
});
