import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ANONYMOUS, ANY_OBJECT, approved, parseAcls, principal, some } from "../../src/audit/acls.js";
import { EVALUATED } from "../../src/audit/evaluate.js";
import { secretsOf, showFlag } from "../../src/audit/flags.js";
import { NOT_VISIBLE } from "../../src/audit/not-visible.js";
import { ACTIVE_PROBES_NOTE, EXERCISES, PROBES } from "../../src/audit/probes.js";
import { parseHttpTarget, parseZkTarget } from "../../src/audit/targets.js";
import { ROOT } from "../helpers/cli.js";
import { debugString } from "./fake-mesos.js";

/** The probe table as data: complete, in step with the catalogue, and the parsers and ACL evaluation it relies on. */

describe("the probe table", () => {
  it("has an evaluator for every probe and a probe for every evaluator", () => {
    expect([...EVALUATED].sort()).toEqual(PROBES.map((p) => p.id).sort());
    expect(new Set(PROBES.map((p) => p.id)).size).toBe(PROBES.length);
  });

  it("names each exercise as the catalogue titles it", async () => {
    const dirs = readdirSync(path.join(ROOT, "exercises")).filter((d) => /^\d\d-/.test(d));
    const titles: Record<string, string> = {};
    for (const d of dirs) {
      const ex = (await import(path.join(ROOT, "exercises", d, "exercise.ts"))) as { default: { id: string; title: string } };
      titles[ex.default.id] = ex.default.title;
    }
    for (const e of Object.values(EXERCISES)) expect(titles[e.id], `exercise ${e.id}`).toBe(e.title);
    for (const p of PROBES) if (p.exercise) expect(EXERCISES[p.exercise.id as keyof typeof EXERCISES]).toEqual(p.exercise);
    for (const n of NOT_VISIBLE) expect(titles[n.exercise.id]).toBe(n.exercise.title);
  });

  it("says what each probe sends and what proves it either way, with the Mesos lines it relies on", () => {
    for (const p of PROBES) {
      expect(p.sends.length, p.id).toBeGreaterThan(0);
      expect(p.flags.length, p.id).toBeGreaterThan(0);
      expect(p.finding && p.absent, p.id).toBeTruthy();
      for (const c of p.cite) expect(c, p.id).toMatch(/^(src|3rdparty|include)\/\S+:\d+(-\d+)?$|^docs\/facts\//);
    }
  });

  it("has no active probe yet, and says why", () => {
    expect(PROBES.filter((p) => p.mode === "active")).toEqual([]);
    expect(ACTIVE_PROBES_NOTE).toMatch(/none yet/);
  });
});

describe("ACLs as /flags prints them, judged as the local authorizer does", () => {
  const SESSIONS = {
    launch_nested_container_sessions_as_user: [
      { principals: { values: ["operator-principal"] }, users: { type: "ANY" } },
      { principals: { type: "ANY" }, users: { type: "NONE" } },
    ],
  };
  const ALLOW_LIST_05 = {
    permissive: false,
    register_frameworks: [{ principals: { values: ["scheduler-principal"] }, roles: { type: "ANY" } }],
    run_tasks: [{ principals: { values: ["scheduler-principal"] }, users: { values: ["root"] } }],
  };

  it("reads protobuf's text format and the JSON alike", () => {
    for (const acls of [SESSIONS, ALLOW_LIST_05]) expect(parseAcls(debugString(acls))).toEqual(parseAcls(JSON.stringify(acls)));
    expect(
      parseAcls('run_tasks {\n  principals {\n    values: "a\\"b\\303\\251"\n  }\n  users {\n    type: NONE\n  }\n}\n').rules.run_tasks![0]!.subject,
    ).toEqual({
      type: "SOME",
      values: ['a"bé'],
    });
    expect(parseAcls("").permissive).toBe(true);
    expect(() => parseAcls("run_tasks {")).toThrow(/unbalanced/);
  });

  it("exercise 11's session ACLs: the operator may, a principal they do not name may not", () => {
    const acls = parseAcls(debugString(SESSIONS));
    expect(approved(acls, "launch_nested_container_sessions_as_user", principal("operator-principal"), ANY_OBJECT).allowed).toBe(true);
    const other = approved(acls, "launch_nested_container_sessions_as_user", principal("viewer-principal"), ANY_OBJECT);
    expect(other.allowed).toBe(false);
    expect(other.rule?.index).toBe(2);
  });

  it("exercise 05's allow-list lets scheduler-principal run tasks as root; nobody else, anonymous included", () => {
    const acls = parseAcls(debugString(ALLOW_LIST_05));
    expect(approved(acls, "run_tasks", principal("scheduler-principal"), some("root")).allowed).toBe(true);
    expect(approved(acls, "run_tasks", principal("someone"), some("root")).allowed).toBe(false);
    expect(approved(acls, "run_tasks", ANONYMOUS, some("root")).allowed).toBe(false);
    // without permissive: false, what no rule matches is allowed
    expect(approved(parseAcls(debugString({ ...ALLOW_LIST_05, permissive: undefined })), "run_tasks", ANONYMOUS, some("root")).allowed).toBe(true);
  });
});

describe("flags and secrets", () => {
  const flags = {
    authenticate_agents: "false",
    credentials: "file:///etc/credentials/credentials.json",
    docker_config: JSON.stringify({ auths: { "registry:5000": { auth: Buffer.from("ci:pw-123456").toString("base64"), email: "ci@example.org" } } }),
    zk: "zk://mesos:zk-secret@zk:2181/mesos",
    executor_environment_variables: JSON.stringify({ LIBPROCESS_SSL_ENABLED: "true", DB_PASSWORD: "db-pw-9999" }),
  };

  it("prints switches, never paths or JSON", () => {
    expect(showFlag(flags, "authenticate_agents")).toBe('flag authenticate_agents = "false"');
    expect(showFlag(flags, "credentials")).toBe("flag credentials: set (value not shown)");
    expect(showFlag(flags, "docker_config")).toBe("flag docker_config: set (value not shown)");
    expect(showFlag(flags, "acls")).toBe("flag acls: not set");
  });

  it("collects the credential, its decoded user:password, URL user-info and secret-named JSON values; never a plain `true`", () => {
    const s = secretsOf(flags);
    for (const x of [
      "ci:pw-123456",
      "pw-123456",
      Buffer.from("ci:pw-123456").toString("base64"),
      "mesos:zk-secret",
      "zk-secret",
      "db-pw-9999",
      flags.credentials,
    ])
      expect(s, x).toContain(x);
    expect(s).not.toContain("true");
    expect(s).not.toContain("ci@example.org");
  });
});

describe("target addresses", () => {
  it("reads http(s)://host:port, host:port, the role's default port; ZooKeeper as Mesos' --zk writes it", () => {
    expect(parseHttpTarget("master", "10.0.0.1").url).toBe("http://10.0.0.1:5050");
    expect(parseHttpTarget("agent", "https://agent-1").url).toBe("https://agent-1:5051");
    expect(parseHttpTarget("master", "https://m:443").address).toEqual({ host: "m", port: 443 });
    expect(parseHttpTarget("master", "http://[::1]:5050").address).toEqual({ host: "::1", port: 5050 });
    expect(parseZkTarget("zk://zk:2181/mesos").url).toBe("zk://zk:2181");
    expect(parseZkTarget("zk").address).toEqual({ host: "zk", port: 2181 });
    expect(() => parseHttpTarget("master", "http://m:5050/master/state")).toThrow(/path or query/);
    expect(() => parseZkTarget("zk1:2181,zk2:2181")).toThrow(/not one ZooKeeper address/);
  });
});
