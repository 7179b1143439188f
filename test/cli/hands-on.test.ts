import { existsSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { labelFilter } from "../../src/runtime/labels.js";
import { createRuntime } from "../../src/runtime/factory.js";
import { labIdOf } from "../../src/lab/identity.js";
import { ensureStandinImages } from "../standin/image.js";
import { cli, tempLab } from "../helpers/cli.js";
import { hasDocker } from "../helpers/docker.js";

const runtime = createRuntime();

// Hands-on checked without a TTY: the attendee's workspace file, not the step's delta, decides what Mesos gets.
describe.skipIf(!hasDocker)("verify --hands-on (real binary, real engine, stand-in images)", () => {
  it("writes the starter, refuses a typo before Docker, fails the starter's flags fast, and passes the solution", async () => {
    const images = await ensureStandinImages({ profile: "1.11" });
    const dir = realpathSync(
      tempLab(`{ images: ${JSON.stringify(images)}, ports: { master: 0, agent: 0, exhibitor: 0, zk: 0 }, timeouts: { negativeWindow: 1500 } }`),
    );
    const lab = labIdOf({ root: dir });
    const file = path.join(dir, "workspace", "03-agent-auth.env");

    const both = await cli(["verify", "01", "03", "--hands-on"], { cwd: dir });
    expect(both.exitCode, both.all).toBe(2);
    expect(both.stderr).toContain("--hands-on checks one step");

    const first = await cli(["verify", "03:master-requires", "--hands-on"], { cwd: dir });
    expect(first.exitCode, first.all).toBe(2);
    expect(first.stderr).toContain("wrote the starter workspace/03-agent-auth.env for step 'master-requires'");
    expect(first.stderr).toContain("mesos-lab solve 03:master-requires");
    expect(readFileSync(file, "utf8")).toMatch(/^# mesos-lab hands-on workspace: 03 .* — step 'master-requires'/);

    const starter = readFileSync(file, "utf8");
    writeFileSync(file, starter.replace("[master]\n", "[master]\nMESOS_AUTHENTICATE_AGENT=true\n"));
    const typo = await cli(["verify", "03", "--hands-on"], { cwd: dir });
    expect(typo.exitCode, typo.all).toBe(4);
    expect(typo.stderr).toMatch(/line \d+: unknown flag MESOS_AUTHENTICATE_AGENT \(did you mean MESOS_AUTHENTICATE_AGENTS\?\)/);
    expect(await runtime.owned.list(labelFilter({ lab }))).toEqual([]);

    // the starter of the first step holds no flags: the agent registers, and the step fails on that negative at
    // once instead of waiting the 60 s expectation timeout for the refusal lines
    writeFileSync(file, starter);
    const t0 = Date.now();
    const fail = await cli(["verify", "03", "--hands-on"], { cwd: dir });
    const failMs = Date.now() - t0;
    expect(fail.exitCode, fail.all).toBe(1);
    expect(fail.stdout).toContain("hands-on: the flags are yours, from workspace/03-agent-auth.env");
    expect(fail.stdout).toMatch(/✗ the agent does not register/);
    expect(fail.stdout).toContain("stopped waiting because 'the agent does not register' had already failed");
    expect(failMs).toBeLessThan(45_000);

    const solve = await cli(["solve", "03:master-requires"], { cwd: dir });
    expect(solve.exitCode, solve.all).toBe(0);
    expect(existsSync(`${file}.bak`)).toBe(true);
    const pass = await cli(["verify", "03", "--hands-on", "--reporter", "junit"], { cwd: dir });
    expect(pass.exitCode, pass.all).toBe(0);
    expect(pass.stdout.match(/<testcase /g)).toHaveLength(1);
    expect(pass.stdout).toContain('name="master-requires');
    expect(pass.stderr).toContain("✓ the master only lets authenticated agents register");
    expect(pass.stderr).toContain("✓ the agent does not register");
    expect(await runtime.owned.list(labelFilter({ lab }))).toEqual([]);
  });

  it("a solution for the wrong step fails that step: the flags, not the step's delta, are what runs", async () => {
    const images = await ensureStandinImages({ profile: "1.11" });
    const dir = realpathSync(
      tempLab(`{ images: ${JSON.stringify(images)}, ports: { master: 0, agent: 0, exhibitor: 0, zk: 0 }, timeouts: { negativeWindow: 1500 } }`),
    );
    // step 1's flags (master requires authentication) checked as step 2 (the agent has its credential)
    expect((await cli(["solve", "03:master-requires"], { cwd: dir })).exitCode).toBe(0);
    const r = await cli(["verify", "03:agent-credential", "--hands-on"], { cwd: dir });
    expect(r.exitCode, r.all).toBe(1);
    expect(r.stdout).toContain("step 1/1 agent-credential");
    expect(r.stdout).toMatch(/✗ .*(authenticat|Registered)/);
  });
});
