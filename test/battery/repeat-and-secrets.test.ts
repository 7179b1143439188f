import { PRINCIPALS, REGISTRY_ACCOUNTS } from "../../src/pki/index.js";
import { readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ensureStandinImages } from "../standin/image.js";
import { cli, tempLab } from "../helpers/cli.js";
import { hasDocker } from "../helpers/docker.js";
import { CITE, labWithExercises } from "../helpers/fixture-lab.js";

interface JsonReport {
  exitCode: number;
  steps: Array<{ step: string; status: string; expectations: Array<{ id: string; status: string }> }>;
}
const shape = (r: JsonReport) => r.steps.map((s) => ({ step: s.step, status: s.status, exps: s.expectations.map((e) => `${e.id}:${e.status}`).sort() }));

const leaky = `{ id: "02", slug: "leak", title: "leak", summary: "s", text: "t", steps: [
  { id: "leak", title: "leak", text: "t", hint: "h",
    env: { master: { LAB_TEST_SECRET: "\${secret:scheduler-principal}" } },
    actions: [{ do: "exec", id: "echo", role: "master", cmd: ["sh", "-c", "echo token=$LAB_TEST_SECRET"] }],
    expect: [{ id: "echoed", says: "the secret is echoed", source: { exec: "echo" }, pattern: "^token=\\\\S{20,}$", cite: ${CITE} }] },
] }`;

describe.skipIf(!hasDocker)("repeatability, isolation and secrets", () => {
  it("verify twice in a row gives identical results, and two verify runs at once do not interfere", async () => {
    const images = await ensureStandinImages({ profile: "1.11" });
    const mk = () => realpathSync(tempLab(`{ images: ${JSON.stringify(images)} }`));
    const a = mk();
    const b = mk();
    const first = await cli(["verify", "01", "--reporter", "json"], { cwd: a });
    const second = await cli(["verify", "01", "--reporter", "json"], { cwd: a });
    expect(first.exitCode, first.all).toBe(0);
    expect(shape(JSON.parse(second.stdout) as JsonReport)).toEqual(shape(JSON.parse(first.stdout) as JsonReport));
    const [x, y] = await Promise.all([cli(["verify", "01", "--reporter", "json"], { cwd: a }), cli(["verify", "01", "--reporter", "json"], { cwd: b })]);
    expect(x.exitCode, x.all).toBe(0);
    expect(y.exitCode, y.all).toBe(0);
    expect(shape(JSON.parse(x.stdout) as JsonReport)).toEqual(shape(JSON.parse(first.stdout) as JsonReport));
    expect(shape(JSON.parse(y.stdout) as JsonReport)).toEqual(shape(JSON.parse(first.stdout) as JsonReport));
  });

  it("no secret appears in plain (verbose), JSON or JUnit output; the material is 0600", async () => {
    const images = await ensureStandinImages({ profile: "1.11" });
    const dir = labWithExercises(`{ images: ${JSON.stringify(images)} }`, { "02-leak": leaky });
    const outs = await Promise.all([
      cli(["verify", "02", "--verbose"], { cwd: dir }),
      cli(["verify", "02", "--reporter", "json"], { cwd: dir }),
      cli(["verify", "02", "--reporter", "junit"], { cwd: dir }),
    ]);
    const byName = JSON.parse(readFileSync(path.join(dir, "credentials", "secrets.json"), "utf8")) as Record<string, string>;
    const secrets = Object.values(byName);
    secrets.push(readFileSync(path.join(dir, "credentials", "executor_secret_key"), "utf8").trim());
    // the Mesos principals, the lab registry's accounts, the executor key; and the registry credentials' base64 form
    expect(secrets.length).toBe(PRINCIPALS.length + REGISTRY_ACCOUNTS.length + 1);
    for (const a of REGISTRY_ACCOUNTS) secrets.push(Buffer.from(`${a}:${byName[a]}`).toString("base64"));
    for (const o of outs) {
      expect(o.exitCode, o.all).toBe(0);
      for (const s of secrets) expect(o.all).not.toContain(s);
    }
    expect(outs[0]!.stdout).toContain("token=******");
    expect(outs[1]!.stdout).toContain("token=******");
    for (const f of ["credentials.json", "credential.json", "http_credentials.json", "executor_secret_key", "secrets.json"])
      expect(statSync(path.join(dir, "credentials", f)).mode & 0o777).toBe(0o600);
    for (const f of ["ca-key.pem", "master-key.pem", "key.pem"]) expect(statSync(path.join(dir, "ssl", f)).mode & 0o777).toBe(0o600);
  });
});
