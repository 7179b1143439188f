import { existsSync, realpathSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { labelFilter } from "../../src/runtime/labels.js";
import { createRuntime } from "../../src/runtime/factory.js";
import { labIdOf } from "../../src/lab/identity.js";
import { ensureStandinImages } from "../standin/image.js";
import { cli, tempLab } from "../helpers/cli.js";
import { hasDocker } from "../helpers/docker.js";
import { CITE, labWithExercises } from "../helpers/fixture-lab.js";

const runtime = createRuntime();
const nothingCreated = async (dir: string) => {
  expect(await runtime.owned.list(labelFilter({ lab: labIdOf({ root: dir }) }))).toEqual([]);
  expect(existsSync(path.join(dir, "ssl", "ca.pem"))).toBe(false);
};
const oneError = (stderr: string) => {
  const lines = stderr.trim().split("\n");
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[1]).toMatch(/^ {2}fix: /);
  expect(lines).toHaveLength(2);
};

describe.skipIf(!hasDocker)("bad input: one clear message, a distinct exit code, nothing changed", () => {
  it("Docker unreachable → 5", async () => {
    const dir = realpathSync(tempLab(`{}`));
    const r = await cli(["verify", "01"], { cwd: dir, env: { DOCKER_HOST: "tcp://127.0.0.1:1" } });
    expect(r.exitCode).toBe(5);
    oneError(r.stderr);
    expect(r.stderr).toContain("Docker engine unreachable at tcp://127.0.0.1:1");
    expect(existsSync(path.join(dir, "ssl"))).toBe(false);
  });

  it("a published port already bound: up goes on with the UI on a free port, says so, and leaves the bound port alone", async () => {
    const images = await ensureStandinImages({ profile: "1.11" });
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      const dir = realpathSync(tempLab(`{ images: ${JSON.stringify(images)}, ports: { master: ${taken}, agent: 0, exhibitor: 0, zk: 0 } }`));
      const r = await cli(["up", "01"], { cwd: dir });
      expect(r.exitCode, r.all).toBe(0);
      expect(r.all).toContain(`port ${taken} is in use on this machine: the master UI is published on a free port instead`);
      expect(r.all).toContain("ports.master");
      // the blocker still owns its port, and the master UI answers elsewhere
      expect(blocker.listening).toBe(true);
      const down = await cli(["down"], { cwd: dir });
      expect(down.exitCode, down.all).toBe(0);
      expect(await runtime.owned.list(labelFilter({ lab: labIdOf({ root: dir }) })), "down removed the lab's containers and network").toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it.each([
    ["a syntax error", `{ agents: 1 ,, }`, /could not be loaded/],
    ["a wrong type", `{ agents: "2" } as never`, /agents: .*number/i],
    ["an unknown key", `{ agnets: 2 } as never`, /unknown key 'agnets'/],
  ])("lab.config.ts with %s → 3", async (_what, body, msg) => {
    const dir = realpathSync(tempLab(body));
    const r = await cli(["verify", "01"], { cwd: dir });
    expect(r.exitCode).toBe(3);
    oneError(r.stderr);
    expect(r.stderr).toContain(path.join(dir, "lab.config.ts"));
    expect(r.stderr).toMatch(msg);
    await nothingCreated(dir);
  });

  it("an exercise with a broken expectation regex → 4, naming the file and the field", async () => {
    const dir = labWithExercises(`{}`, {
      "01-broken": `{ id: "01", slug: "broken", title: "b", summary: "s", text: "t", steps: [{ id: "s", title: "s", text: "t", hint: "h", expect: [{ id: "e", says: "e", source: { log: "master" }, pattern: "Registered with (master", cite: ${CITE} }] }] }`,
    });
    const r = await cli(["verify", "01"], { cwd: dir });
    expect(r.exitCode).toBe(4);
    oneError(r.stderr);
    expect(r.stderr).toContain(path.join("01-broken", "exercise.ts"));
    expect(r.stderr).toContain("steps.0.expect.0.pattern: not a valid regular expression");
    await nothingCreated(dir);
  });

  it("an ACL file with a typo → 4, naming the key, before any container starts", async () => {
    const acl = JSON.stringify({ permissive: true, run_task: [{ principals: { values: ["scheduler-principal"] }, users: { type: "NONE" } }] });
    const dir = labWithExercises(`{}`, {
      "01-acl": `{ id: "01", slug: "acl", title: "a", summary: "s", text: "t", steps: [{ id: "s", title: "s", text: "t", hint: "h",
        env: { master: { MESOS_ACLS: "file:///etc/mesos/acls.json" } },
        files: [{ roles: ["master"], path: "/etc/mesos/acls.json", content: ${JSON.stringify(acl)} }],
        expect: [{ id: "e", says: "e", source: { log: "master" }, pattern: "x", cite: ${CITE} }] }] }`,
    });
    const r = await cli(["verify", "01"], { cwd: dir });
    expect(r.exitCode).toBe(4);
    oneError(r.stderr);
    expect(r.stderr).toContain("unknown ACL key 'run_task' (did you mean 'run_tasks'?)");
    await nothingCreated(dir);
  });

  it("an unknown exercise id → 2", async () => {
    const dir = realpathSync(tempLab(`{}`));
    const r = await cli(["verify", "12x"], { cwd: dir });
    expect(r.exitCode).toBe(2);
    oneError(r.stderr);
    await nothingCreated(dir);
  });

  it("a missing image → 6 naming it and the pull command", async () => {
    const dir = realpathSync(tempLab(`{ images: { master: "mesos-lab-test/nope:1" } }`));
    const r = await cli(["verify", "01"], { cwd: dir });
    expect(r.exitCode).toBe(6);
    oneError(r.stderr);
    expect(r.stderr).toMatch(/mesos-lab-test\/nope:1.*\n.*mesos-lab pull/);
    await nothingCreated(dir);
  });
});
