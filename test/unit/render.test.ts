import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/load.js";
import { baselineEnv, configHash, renderExercise } from "../../src/engine/render.js";
import { expand } from "../../src/engine/template.js";
import { exerciseSchema } from "../../src/model/exercise.js";
import { cite } from "../helpers/cite.js";

const ex = exerciseSchema.parse({
  id: "99",
  slug: "t",
  title: "t",
  summary: "t",
  text: "t",
  steps: [
    {
      id: "a",
      title: "a",
      text: "a",
      hint: "a",
      env: { master: { MESOS_AUTHENTICATE_AGENTS: "true", MESOS_CREDENTIALS: "file:///etc/credentials/credentials.json" } },
      files: [{ roles: ["master"], path: "/etc/credentials/credentials.json", from: "credentials/credentials.json" }],
      expect: [{ id: "x", says: "x", source: { log: "master" }, pattern: "x", cite }],
    },
    {
      id: "b",
      title: "b",
      text: "b",
      hint: "b",
      env: { agent: { MESOS_CREDENTIAL: "file:///etc/credentials/credential.json" }, master: { MESOS_AUTHENTICATE_AGENTS: null } },
      files: [{ roles: ["agent", "execute"], path: "/etc/ssl/cert.pem", from: "ssl/{role}.pem", mode: 0o644 }],
      expect: [{ id: "x", says: "x", source: { log: "master" }, pattern: "x", cite }],
    },
    {
      id: "c",
      title: "c",
      text: "c",
      hint: "c",
      since: "1.5",
      env: { agent: { MESOS_JWT_SECRET_KEY: "/k" } },
      expect: [{ id: "x", says: "x", source: { log: "master" }, pattern: "x", cite }],
    },
  ],
});

describe("rendering steps into container configuration", () => {
  const cfg = resolveConfig({}, undefined, "/");

  it("starts from the harness baseline (posix launcher, no switch_user, in-memory registry)", () => {
    const b = baselineEnv(cfg);
    expect(b.agent).toMatchObject({
      MESOS_LAUNCHER: "posix",
      MESOS_SWITCH_USER: "false",
      MESOS_SYSTEMD_ENABLE_SUPPORT: "false",
      MESOS_MASTER: "zk://${host.zk}:2181/mesos",
    });
    expect(b.master).toMatchObject({ MESOS_QUORUM: "1", MESOS_REGISTRY: "in_memory", MESOS_ZK: "zk://${host.zk}:2181/mesos", LIBPROCESS_IP: "${ip.master}" });
  });

  it("host-network mode binds everything to 127.0.0.1 like the workshop", () => {
    const b = baselineEnv(resolveConfig({ network: { mode: "host" } }, undefined, "/"));
    expect(b.master.LIBPROCESS_IP).toBe("127.0.0.1");
    expect(b.master.MESOS_HOSTNAME).toBeUndefined();
  });

  it("accumulates env deltas, removes with null, and reports the diff per step", () => {
    const [a, b] = renderExercise(ex, cfg);
    expect(a!.env.master.MESOS_AUTHENTICATE_AGENTS).toBe("true");
    expect(a!.diff.master.map((d) => `${d.op}${d.key}`)).toEqual(["+MESOS_AUTHENTICATE_AGENTS", "+MESOS_CREDENTIALS"]);
    expect(b!.env.master.MESOS_AUTHENTICATE_AGENTS).toBeUndefined();
    expect(b!.env.master.MESOS_CREDENTIALS).toBe("file:///etc/credentials/credentials.json");
    expect(b!.diff.master).toEqual([{ key: "MESOS_AUTHENTICATE_AGENTS", op: "-", previous: "true" }]);
    expect(b!.diff.agent).toEqual([{ key: "MESOS_CREDENTIAL", op: "+", value: "file:///etc/credentials/credential.json" }]);
  });

  it("keeps files of earlier steps, with modes, and resolves {role} (execute uses the scheduler's)", () => {
    const [, b] = renderExercise(ex, cfg);
    expect(b!.files).toEqual([
      { role: "master", path: "/etc/credentials/credentials.json", from: "credentials/credentials.json", content: undefined, mode: 0o600 },
      { role: "agent", path: "/etc/ssl/cert.pem", from: "ssl/agent.pem", content: undefined, mode: 0o644 },
      { role: "execute", path: "/etc/ssl/cert.pem", from: "ssl/scheduler.pem", content: undefined, mode: 0o644 },
    ]);
  });

  it("skips steps whose release range does not cover the profile's release", () => {
    expect(renderExercise(ex, resolveConfig({ profile: "1.4" }, undefined, "/")).map((s) => s.step.id)).toEqual(["a", "b"]);
    expect(renderExercise(ex, resolveConfig({ profile: "1.11" }, undefined, "/")).map((s) => s.step.id)).toEqual(["a", "b", "c"]);
  });

  it("config hashes change with env, files and modes only", () => {
    const base = { image: "i", env: { A: "1", B: "2" }, files: [{ path: "/f", content: "x", mode: 0o600 }] };
    expect(configHash(base)).toBe(configHash({ ...base, env: { B: "2", A: "1" } }));
    expect(configHash(base)).not.toBe(configHash({ ...base, env: { A: "1", B: "3" } }));
    expect(configHash(base)).not.toBe(configHash({ ...base, files: [{ path: "/f", content: "x", mode: 0o644 }] }));
  });

  it("expands templates; secrets come from the material", () => {
    const ctx = { host: { zk: "zk" }, ip: { master: "10.213.1.3" }, secretOf: (p: string) => `s3cr3t-${p}` };
    expect(expand("zk://${host.zk}:2181/mesos", ctx)).toBe("zk://zk:2181/mesos");
    expect(expand("--secret=${secret:scheduler-principal}", ctx)).toBe("--secret=s3cr3t-scheduler-principal");
    expect(() => expand("${ip.nope}", ctx)).toThrow(/unknown template/);
  });
});
