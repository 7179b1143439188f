import { describe, expect, it } from "vitest";
import type { DiedProcess, ExpectationResult, StepResult } from "../../src/engine/events.js";
import { CAUSES, failureCause } from "../../src/engine/failure-cause.js";
import { failureLines as reportLines } from "../../src/report/format.js";
import { jsonReport } from "../../src/report/json.js";
import { failureLines as panelLines } from "../../src/tui/step-lines.js";
import { cite } from "../helpers/cite.js";

// Lines as Mesos 1.11.1 printed them (docs/facts/observed-1.11.md; test/catalogue/real-1.11-outcomes.json), with the
// glog prefix a container's stderr has in front of them.
const glog = (sev: string, text: string) => `${sev}1206 10:00:00.123456    17 ${text}`;
const REAL = {
  credentialsPath: glog(
    "E",
    "master.cpp:527] EXIT with status 1: Failed to read credentials file '/credentials/credentials.json': No such file or directory (see --credentials flag)",
  ),
  agentNoHttpCredentials: glog(
    "E",
    "slave.cpp:387] EXIT with status 1: Failed to create HTTP authenticator module 'basic': No credentials provided for the default 'basic' HTTP authenticator for realm 'mesos-agent-readonly'",
  ),
  executorRealm: glog(
    "E",
    "slave.cpp:387] EXIT with status 1: Failed to create HTTP authenticator module 'basic': No credentials provided for the default 'basic' HTTP authenticator for realm 'mesos-agent-executor'",
  ),
  refused: glog("E", "slave.cpp:1661] EXIT with status 1: Master master@10.213.46.3:5050 refused authentication"),
  framework401: glog("E", "execute.cpp:674] EXIT with status 1: Received an ERROR event: Received unexpected '401 Unauthorized' () for SUBSCRIBE"),
  notAuthorized: glog("E", "execute.cpp:674] EXIT with status 1: Received an ERROR event: Not authorized to register framework  with roles { * }"),
  frameworkRemoved: glog("E", "execute.cpp:674] EXIT with status 1: Received an ERROR event: Framework has been removed"),
  notAuthenticated: glog("W", "master.cpp:6239] Refusing registration of agent at slave(1)@10.213.103.4:5051 because it is not authenticated"),
  tls: glog(
    "I",
    "process.cpp:911] Failed to accept socket: Failed to complete SSL connection for 10.213.103.40:58494: error:0A000086:SSL routines::certificate verify failed",
  ),
  flags: glog("I", 'master.cpp:451] Flags at startup: --acls="" --agent_ping_timeout="15secs" --credentials="/credentials/credentials.json"'),
  taskFlag: "Failed to load flag 'task': Failed to load value '{\"name\":\"x\"}': Missing required fields: agent_id",
};

const tail = (lines: string[]) => ({ total: lines.length, head: lines, tail: [] });
const died = (role: DiedProcess["role"], stderr: string[]): DiedProcess => ({ role, exitCode: 1, stderr: tail(stderr), stdout: tail([]) });

function result(o: Partial<StepResult>): StepResult {
  return {
    exercise: "06",
    step: "s",
    title: "t",
    status: "failed",
    durationMs: 1000,
    expectations: [],
    hint: "the step's own hint",
    timings: { reconcileMs: 0, readyMs: 0, actionsMs: 0, settleMs: 0, created: 3, reused: 0 },
    ...o,
  };
}

function failed(o: Partial<ExpectationResult>): ExpectationResult {
  return { id: "e", says: "s", pattern: "x", negate: false, source: "master log", cite, status: "failed", elapsedMs: 10, ...o };
}

describe("the cause table on lines real Mesos 1.11.1 printed", () => {
  const cases: Array<[string, StepResult, string, RegExp]> = [
    [
      "a credentials path that is not in the container",
      result({ died: [died("master", [REAL.flags, REAL.credentialsPath])], files: [{ role: "master", path: "/etc/credentials/credentials.json" }] }),
      "file-missing",
      /no file at \/credentials\/credentials\.json inside the master.*\/etc\/credentials\/credentials\.json/,
    ],
    [
      "the agent's realm without HTTP credentials",
      result({ died: [died("agent", [REAL.agentNoHttpCredentials])] }),
      "http-authenticator-without-credentials",
      /MESOS_HTTP_CREDENTIALS.*\[master\]/,
    ],
    [
      "the executor realm's default basic",
      result({ died: [died("agent", [REAL.executorRealm])] }),
      "http-authenticator-without-credentials",
      /MESOS_HTTP_AUTHENTICATORS=jwt/,
    ],
    ["a wrong agent secret", result({ died: [died("agent", [REAL.refused])] }), "agent-refused-authentication", /MESOS_CREDENTIAL file/],
    ["a framework without credentials", result({ died: [died("execute", [REAL.framework401])] }), "framework-unauthenticated", /--principal and --secret/],
    ["an ACL refusal", result({ died: [died("execute", [REAL.notAuthorized])] }), "not-authorized", /MESOS_ACLS/],
    ["an agent without credential", result({ expectations: [failed({ closest: [REAL.notAuthenticated] })] }), "agent-not-authenticated", /MESOS_CREDENTIAL=/],
    ["a TLS handshake", result({ expectations: [failed({ closest: [REAL.tls] })] }), "tls-mismatch", /LIBPROCESS_SSL_/],
    ["a flag value stout cannot read", result({ died: [died("execute", [REAL.taskFlag, "", "Usage: mesos-execute [options]"])] }), "flag-not-loaded", /--task/],
    ["any other EXIT", result({ died: [died("execute", [REAL.frameworkRemoved])] }), "exit", /EXIT with status/],
  ];
  for (const [name, r, id, hint] of cases)
    it(name, () => {
      const c = failureCause(r);
      expect(c?.id).toBe(id);
      expect(c?.hint).toMatch(hint);
      expect(c?.cite).toMatch(/\S/);
    });

  it("the explaining line wins over the 600-character Flags line printed before it, and loses glog's date and thread", () => {
    const c = failureCause(result({ died: [died("master", [REAL.flags, REAL.credentialsPath])] }));
    expect(c?.line).toBe(
      "E master.cpp:527] EXIT with status 1: Failed to read credentials file '/credentials/credentials.json': No such file or directory (see --credentials flag)",
    );
    expect(c?.where).toBe("master stderr");
  });

  it("the JSON report carries the cause of a failed step, and none for a passed one", () => {
    const failedStep = result({ died: [died("master", [REAL.flags, REAL.credentialsPath])] });
    const passedStep = { ...result({}), status: "passed" as const };
    const j = JSON.parse(jsonReport([failedStep, passedStep], { profile: "1.11", exitCode: 1, durationMs: 5 })) as {
      steps: Array<{ cause?: { id: string; line: string; where: string; hint: string } }>;
    };
    expect(j.steps[0]!.cause).toEqual(failureCause(failedStep));
    expect(j.steps[0]!.cause?.line).toContain("EXIT with status 1: Failed to read credentials file '/credentials/credentials.json'");
    expect(j.steps[1]!.cause).toBeUndefined();
  });

  it("an anonymous 200 where a 401 was expected names the realm left open and its flag", () => {
    const r = result({
      expectations: [
        failed({ id: "realm-mesos-master-readwrite", pattern: "Creating default 'basic' HTTP authenticator for realm 'mesos-master-readwrite'" }),
        failed({
          id: "api-anonymous-401",
          says: "POST /api/v1 without credentials is 401 Unauthorized",
          pattern: "^HTTP/1\\.1 401 Unauthorized$",
          source: "HTTP api-anonymous (status)",
          closest: ["HTTP/1.1 200 OK"],
        }),
      ],
    });
    const c = failureCause(r);
    expect(c).toMatchObject({ id: "answered-anonymously", line: "HTTP/1.1 200 OK", where: "HTTP api-anonymous (status)" });
    expect(c?.hint).toContain("The master answered POST /api/v1 without credentials with HTTP/1.1 200 OK: its realm");
    expect(c?.hint).toContain("mesos-master-readwrite does not ask who is calling. MESOS_AUTHENTICATE_HTTP_READWRITE=true is missing under [master]");
    // a 200 the step wanted is no cause
    expect(failureCause(result({ expectations: [failed({ pattern: "^HTTP/1\\.1 200 OK$", closest: ["HTTP/1.1 200 OK"] })] }))).toBeUndefined();
  });

  it("a passed step has no cause; every pattern cites where Mesos prints what it matches", () => {
    expect(failureCause(result({ status: "passed", died: [died("master", [REAL.credentialsPath])] }))).toBeUndefined();
    for (const p of CAUSES) expect(p.cite, p.id).toMatch(/\.(cpp|hpp|md|json)|glog/);
  });

  it("both failure panels lead with the cause and its hint, and keep the step's own hint after", () => {
    const r = result({ error: "master exited with code 1 before it was ready", died: [died("master", [REAL.flags, REAL.credentialsPath])] });
    const plain = reportLines(r);
    expect(plain[0]).toMatch(/^cause: E master\.cpp:527\] EXIT with status 1: Failed to read credentials file/);
    expect(plain[1]).toMatch(/→ Mesos found no file at \/credentials\/credentials\.json/);
    expect(plain.at(-1)).toBe("hint: the step's own hint");
    const panel = panelLines(r, 100).map((l) => l.map((s) => s.text).join(""));
    expect(panel[1]).toMatch(/^┃ cause: E master\.cpp:527\] EXIT with status 1: Failed to read/);
    expect(panel.slice(1, 4).join(" ")).toContain("No such file or directory");
    expect(panel.slice(2, 6).join(" ")).toContain("→ Mesos found no file at");
    for (const l of panelLines(r, 80)) expect(l.map((s) => s.text).join("").length).toBeLessThanOrEqual(80);
  });
});
