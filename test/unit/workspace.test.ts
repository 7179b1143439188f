import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/load.js";
import { baselineEnv, renderExercise } from "../../src/engine/render.js";
import { knownFlags, loadWorkspace, parseWorkspace, starterText, workspacePath, writeSolution } from "../../src/lab/workspace.js";
import { LabError } from "../../src/util/errors.js";
import { cite } from "../helpers/cite.js";
import { fixture } from "../helpers/lab.js";
import { tempDir } from "../helpers/temp-dir.js";

const ex = fixture({
  id: "02",
  slug: "agent-auth",
  title: "Agent authentication",
  summary: "s",
  text: "t",
  steps: [
    { id: "open", title: "open", text: "t", hint: "h", expect: [{ id: "e", says: "s", source: { log: "master" }, pattern: "x", cite }] },
    {
      id: "require",
      title: "require",
      text: "t",
      hint: "h",
      env: { master: { MESOS_AUTHENTICATE_AGENTS: "true", MESOS_CREDENTIALS: "/etc/mesos/credentials" }, agent: { MESOS_CREDENTIAL: "/etc/mesos/credential" } },
      expect: [{ id: "e", says: "s", source: { log: "master" }, pattern: "x", cite }],
    },
  ],
});

const lab = () => resolveConfig({}, undefined, tempDir("ws"));

describe("render with an env override (hands-on)", () => {
  it("every step gets baseline + the override instead of the steps' deltas; files and steps stay", () => {
    const config = lab();
    const steps = renderExercise(ex, config, { envOverride: { master: { MESOS_AUTHENTICATE_AGENTS: "false", GLOG_v: "1" } } });
    expect(steps).toHaveLength(2);
    const base = baselineEnv(config);
    expect(steps[1]!.env.master).toEqual({ ...base.master, MESOS_AUTHENTICATE_AGENTS: "false", GLOG_v: "1" });
    expect(steps[1]!.env.agent).toEqual(base.agent);
    expect(steps[1]!.env.master.MESOS_CREDENTIALS).toBeUndefined();
    // without the override the step's own delta applies, as before
    expect(renderExercise(ex, config)[1]!.env.master.MESOS_AUTHENTICATE_AGENTS).toBe("true");
  });
});

describe("workspace file", () => {
  const known = knownFlags([ex], lab());
  const { acls } = lab().mesos;

  it("parses [role] sections of KEY=VALUE", () => {
    const { env, problems } = parseWorkspace(
      "# c\n[master]\nMESOS_AUTHENTICATE_AGENTS=true\n\n[agent]\nMESOS_CREDENTIAL = /etc/mesos/credential\nGLOG_v=2\n",
      known,
      acls,
    );
    expect(problems).toEqual([]);
    expect(env).toEqual({
      zk: {},
      master: { MESOS_AUTHENTICATE_AGENTS: "true" },
      agent: { MESOS_CREDENTIAL: "/etc/mesos/credential", GLOG_v: "2" },
      execute: {},
      registry: {},
      tokens: {},
      attacker: {},
      relay: {},
    });
  });

  it("names unknown flags and roles with a did-you-mean, and bad ACL JSON, by line", () => {
    const text = '[master]\nMESOS_AUTHENTICATE_AGENT=true\nMESOS_ACLS={"register_agent": []}\n[mastr]\nX=1\nnot a line\n';
    const { problems } = parseWorkspace(text, known, acls);
    expect(problems).toEqual([
      { line: 2, message: "unknown flag MESOS_AUTHENTICATE_AGENT (did you mean MESOS_AUTHENTICATE_AGENTS?): Mesos would ignore it or refuse to start" },
      { line: 3, message: "MESOS_ACLS: unknown ACL key 'register_agent' (did you mean 'register_agents'?): Mesos would silently ignore it" },
      { line: 4, message: "unknown role [mastr] (did you mean [master]?)" },
      { line: 5, message: "X is outside a [role] section (start one with [master], [agent], [zk] or [execute])" },
      { line: 6, message: "expected KEY=VALUE or [role], got 'not a line'" },
    ]);
  });

  it("is created with the previous step's flags, refuses bad input (exit 4), and solve writes the step's flags", () => {
    const config = lab();
    expect(starterText(ex, "require", config)).not.toContain("MESOS_AUTHENTICATE_AGENTS");
    const first = loadWorkspace(config, ex, "require");
    expect(first.created).toBe(true);
    expect(first.file).toBe(workspacePath(config, ex));
    expect(first.env.master).toEqual({});

    writeFileSync(first.file, "[master]\nMESOS_AUTHENTICATE_AGENT=true\n");
    let err: unknown;
    try {
      loadWorkspace(config, ex, "require");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).exitCode).toBe(4);
    expect((err as LabError).message).toContain("line 2: unknown flag MESOS_AUTHENTICATE_AGENT (did you mean MESOS_AUTHENTICATE_AGENTS?)");

    const { backup } = writeSolution(config, ex, "require");
    expect(readFileSync(backup!, "utf8")).toContain("MESOS_AUTHENTICATE_AGENT=true");
    const solved = loadWorkspace(config, ex, "require");
    expect(solved.env.master).toEqual({ MESOS_AUTHENTICATE_AGENTS: "true", MESOS_CREDENTIALS: "/etc/mesos/credentials" });
    expect(solved.env.agent).toEqual({ MESOS_CREDENTIAL: "/etc/mesos/credential" });
    // the solved file renders to exactly the env the guided step would give
    const guided = renderExercise(ex, config)[1]!.env;
    const handsOn = renderExercise(ex, config, { envOverride: solved.env })[1]!.env;
    expect(handsOn).toEqual(guided);
  });
});

describe("the flags a workspace may set are the profile's release's", () => {
  const flagsOf = (profile: string) => knownFlags([ex], resolveConfig({ profile }, undefined, "/"));

  it("1.4 knows --executor_secret_key and the old certificate checks; 1.11 the renamed ones too, and hostname validation", () => {
    const [v14, v111] = [flagsOf("1.4"), flagsOf("1.11")];
    for (const f of ["MESOS_EXECUTOR_SECRET_KEY", "LIBPROCESS_SSL_VERIFY_CERT", "SSL_REQUIRE_CERT", "LIBPROCESS_SSL_ECDH_CURVES"])
      expect([v14.has(f), v111.has(f)], f).toEqual([true, true]);
    for (const f of [
      "MESOS_JWT_SECRET_KEY",
      "LIBPROCESS_SSL_VERIFY_SERVER_CERT",
      "LIBPROCESS_SSL_HOSTNAME_VALIDATION_SCHEME",
      "LIBPROCESS_SSL_ENABLE_TLS_V1_3",
    ])
      expect([v14.has(f), v111.has(f)], f).toEqual([false, true]);
  });

  it("the catalogue's flags count on the releases its steps set them for", async () => {
    const { loadCatalogue } = await import("../../src/catalogue/load.js");
    const catalogue = await loadCatalogue();
    const of = (profile: string) => knownFlags(catalogue, resolveConfig({ profile }, undefined, "/"));
    // exercise 08 sets the renamed certificate checks from 1.10 on: 1.4 does not read them
    expect(of("1.4").has("LIBPROCESS_SSL_REQUIRE_CLIENT_CERT")).toBe(false);
    expect(of("1.11").has("LIBPROCESS_SSL_REQUIRE_CLIENT_CERT")).toBe(true);
  });
});

describe("a flag under the wrong [role] is caught before the run, as a misspelled one is (issue 19)", () => {
  const config = lab();
  const known = knownFlags([ex], config);

  it("names the role that reads it; flags both read, or roles not checked, pass", () => {
    const text =
      "[agent]\nMESOS_AUTHENTICATE_HTTP_READONLY=true\nMESOS_CREDENTIALS=file:///etc/credentials/credentials.json\n[master]\nMESOS_CREDENTIAL=/c\nMESOS_AUTHENTICATE_HTTP_READONLY=true\n";
    expect(parseWorkspace(text, known, config.mesos.acls).problems).toEqual([
      { line: 3, message: "MESOS_CREDENTIALS is a flag of the master, not the agent (move it under [master]): the agent would ignore it" },
      { line: 5, message: "MESOS_CREDENTIAL is a flag of the agent, not the master (move it under [agent]): the master would ignore it" },
    ]);
  });

  it("no step of the catalogue sets a flag under a role that does not read it", async () => {
    const { loadCatalogue } = await import("../../src/catalogue/load.js");
    const { wrongRole } = await import("../../src/model/profiles/flag-roles.js");
    const wrong: string[] = [];
    for (const profile of ["1.4", "1.11"]) {
      const c = resolveConfig({ profile }, undefined, "/");
      for (const e of await loadCatalogue())
        for (const rs of renderExercise(e, c))
          for (const [role, env] of Object.entries(rs.env))
            for (const key of Object.keys(env)) if (wrongRole(key, role as "master")) wrong.push(`${e.id}:${rs.step.id} ${role} ${key}`);
    }
    expect(wrong).toEqual([]);
  });

  it("the starter names the in-container paths of the files the step uses", () => {
    const withFiles = fixture({
      ...ex,
      steps: ex.steps.map((s) =>
        s.id === "require" ? { ...s, files: [{ roles: ["master"], path: "/etc/credentials/credentials.json", from: "credentials/credentials.json" }] } : s,
      ),
    });
    const starter = starterText(withFiles, "require", config);
    expect(starter).toContain("# Files in the containers (a file:// flag names the path inside the container, not on your machine):");
    expect(starter).toContain("#   /etc/credentials/credentials.json  (master)");
    expect(parseWorkspace(starter, known, config.mesos.acls).problems).toEqual([]);
  });
});

describe("the step text names the in-container path of every file the step uses (issue 19)", () => {
  it("in the TUI's catalogue, for every step of every exercise", async () => {
    const { loadCatalogue } = await import("../../src/catalogue/load.js");
    const { exerciseInfos } = await import("../../src/tui/catalogue.js");
    const config = resolveConfig({}, undefined, "/");
    const catalogue = await loadCatalogue();
    const infos = exerciseInfos(catalogue, config);
    const unnamed: string[] = [];
    for (const e of catalogue)
      for (const rs of renderExercise(e, config)) {
        const text = infos.find((i) => i.id === e.id)!.steps.find((s) => s.id === rs.step.id)!.text;
        for (const f of rs.files)
          if (["master", "agent", "execute"].includes(f.role) && !text.includes(`\`${f.path}\``)) unnamed.push(`${e.id}:${rs.step.id} ${f.path}`);
      }
    expect(unnamed).toEqual([]);
    const s06 = infos.find((i) => i.id === "06")!.steps.find((s) => s.id === "master-readwrite")!;
    expect(s06.text).toContain("**Files in the containers** (what a `file://` flag names): `/etc/credentials/credentials.json` (master).");
  });
});
