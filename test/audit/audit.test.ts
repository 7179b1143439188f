import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeById } from "../../src/audit/probes.js";
import type { AuditReport } from "../../src/audit/types.js";
import { EXIT, LabError } from "../../src/util/errors.js";
import {
  EXECUTOR_ENV_SECRET,
  OPEN_AGENT,
  OPEN_FINDINGS,
  OPEN_MASTER,
  REGISTRY_AUTH,
  REGISTRY_PASSWORD,
  SECURED_AGENT,
  SECURED_MASTER,
  VIEWER_SECRET,
  ZK_PASSWORD,
} from "./clusters.js";
import { type FakeMesos, type FakePki, makePki, startFake, startFakeZk } from "./fake-mesos.js";
import { audit, auditorFiles } from "./helpers.js";

/**
 * `mesos-lab audit` against fakes of a Mesos 1.11 master and agent (test/audit/fake-mesos.ts): the lab's open cluster
 * shows every finding it should, the cluster with the controls shows none, no secret of theirs reaches any output, an
 * address that is not a Mesos process is an error at once, and the default run sends nothing that changes state.
 */

let pki: FakePki;
let files: ReturnType<typeof auditorFiles>;
let open: { master: FakeMesos; agent: FakeMesos; zk: Awaited<ReturnType<typeof startFakeZk>> };
let secured: { master: FakeMesos; agent: FakeMesos; zk: Awaited<ReturnType<typeof startFakeZk>> };

beforeAll(async () => {
  pki = makePki();
  files = auditorFiles(pki);
  open = { master: await startFake(OPEN_MASTER, pki), agent: await startFake(OPEN_AGENT, pki), zk: await startFakeZk("open") };
  secured = { master: await startFake(SECURED_MASTER, pki), agent: await startFake(SECURED_AGENT, pki), zk: await startFakeZk("whitelisted") };
});

afterAll(async () => {
  for (const c of [open, secured]) if (c) await Promise.all([c.master.close(), c.agent.close(), c.zk.close()]);
});

const openArgs = () => ({ master: open.master.url, agent: [open.agent.url], zk: open.zk.address });
const securedArgs = () => ({
  master: secured.master.url,
  agent: [secured.agent.url],
  zk: secured.zk.address,
  principal: "viewer-principal",
  secretFile: files.secretFile,
  ca: files.ca,
  cert: files.cert,
  key: files.key,
});
const report = (out: string) => JSON.parse(out) as AuditReport;
const byProbe = (r: AuditReport) => {
  const seen: Record<string, string[]> = {};
  for (const f of r.findings) (seen[f.id] ??= []).push(f.role);
  return seen;
};

describe("audit of the lab's open cluster (a fake 1.11 master, agent and ZooKeeper)", () => {
  it("reports each weakness the open lab has, with its exercise and flags, and exits 1", async () => {
    const { code, out } = await audit({ ...openArgs(), json: true });
    const r = report(out);
    expect(byProbe(r)).toEqual(OPEN_FINDINGS);
    for (const f of r.findings) {
      expect(f.exercise).toEqual(probeById(f.id).exercise);
      expect(f.flags.length).toBeGreaterThan(0);
      expect(f.evidence.length).toBeGreaterThan(0);
    }
    expect(code).toBe(1);
    expect(r.summary.failed).toBe(true);
  });

  it("rests each finding on what the port answered: status lines and flag values", async () => {
    const r = report((await audit({ ...openArgs(), json: true })).out);
    const evidence = (id: string, role: string) => r.findings.find((f) => f.id === id && f.role === role)!.evidence.join("\n");
    expect(evidence("tls-off", "master")).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/version → HTTP\/1\.1 200 OK$/m);
    expect(evidence("agents-unauthenticated", "master")).toBe('flag authenticate_agents = "false" (GET /master/flags, read anonymously)');
    expect(evidence("master-readonly-anonymous", "master")).toContain("GET /master/flags (anonymous) → HTTP/1.1 200 OK");
    expect(evidence("http-frameworks-unauthenticated", "master")).toContain("GET /api/v1/scheduler (anonymous) → HTTP/1.1 405 Method Not Allowed");
    expect(evidence("agent-operator-api-anonymous", "agent")).toBe('POST /api/v1 {"type":"GET_CONTAINERS"} (anonymous) → HTTP/1.1 200 OK');
    expect(evidence("tasks-run-as-agent-user", "agent")).toBe('flag switch_user = "false" (GET /flags, read anonymously)');
    expect(evidence("registry-credential-in-flags", "agent")).toContain("credentials for 2 registries (127.0.0.1:5000, registry:5000)");
    expect(evidence("zk-four-letter-words", "zk")).toMatch(/^srvr → Zookeeper version: 3\.8\.4/);
  });

  it("prints one block per finding: severity, title, evidence, the exercise and the flags", async () => {
    const { out } = await audit(openArgs());
    const block = out.split("\n\n").find((b) => b.includes("agents-unauthenticated ·"))!;
    expect(block.split("\n")).toEqual([
      `HIGH    agents-unauthenticated · ${open.master.url} (master)`,
      "  any machine can join as an agent and be handed tasks, their secrets included",
      '  evidence: flag authenticate_agents = "false" (GET /master/flags, read anonymously)',
      "  fixed in exercise 03: Agent authentication (CRAM-MD5)",
      "  flags:    master: --authenticate_agents=true, --credentials=file:///<credentials.json>",
      "            agent: --credential=file:///<credential.json>",
    ]);
    expect(out).toContain("Not visible from outside");
    expect(out).toMatch(/16 finding\(s\): 11 high, 4 medium, 0 low, 1 info/);
  });

  it("sends only GETs and the agent's read-only GET_CONTAINERS: no teardown, no SUBSCRIBE, no DELETE", async () => {
    open.master.requests.length = 0;
    open.agent.requests.length = 0;
    await audit({ ...openArgs(), principal: "viewer-principal", secretFile: files.secretFile });
    const sent = [...open.master.requests, ...open.agent.requests];
    expect(sent.length).toBeGreaterThan(0);
    const writes = sent.filter((r) => r.method !== "GET");
    expect(writes).toEqual([{ method: "POST", path: "/api/v1", body: '{"type":"GET_CONTAINERS"}', authorization: false, tls: false }]);
    expect(open.agent.requests).toContainEqual(writes[0]);
    expect(sent.filter((r) => /teardown|scheduler$/.test(r.path) && r.method !== "GET")).toEqual([]);
    expect(sent.some((r) => /SUBSCRIBE|LAUNCH|KILL|REMOVE/.test(r.body))).toBe(false);
    // the flags were open: the credentials were never sent
    expect(sent.some((r) => r.authorization)).toBe(false);
    expect(open.zk.words.every((w) => w === "srvr")).toBe(true);
  });

  it("--active sends the same requests (no active probe exists yet) and says it ran active", async () => {
    const run = async (active: boolean) => {
      open.master.requests.length = 0;
      open.agent.requests.length = 0;
      const r = report((await audit({ ...openArgs(), json: true, active })).out);
      return { mode: r.mode, sent: [...open.master.requests, ...open.agent.requests].map((x) => `${x.method} ${x.path} ${x.body}`).sort() };
    };
    const quiet = await run(false);
    const active = await run(true);
    expect(quiet.mode).toBe("read-only");
    expect(active.mode).toBe("active");
    expect(active.sent).toEqual(quiet.sent);
  });
});

describe("audit of a cluster with every control an outside probe can see", () => {
  it("finds none of the open cluster's weaknesses: each of those checks proves the control in place", async () => {
    const { code, out } = await audit({ ...securedArgs(), json: true });
    const r = report(out);
    expect(r.findings).toEqual([]);
    for (const [id, roles] of Object.entries(OPEN_FINDINGS))
      for (const role of roles) {
        const c = r.checks.find((x) => x.probe === id && x.role === role);
        expect({ id, role, outcome: c?.outcome, reason: c?.reason }).toEqual({ id, role, outcome: "absent", reason: undefined });
      }
    expect(code).toBe(0);
    // the flags were read with the auditor's principal, over mutual TLS
    expect(r.targets.filter((t) => t.role !== "zk").map((t) => t.scheme)).toEqual(["https", "https"]);
    expect(secured.master.requests.filter((x) => x.authorization).map((x) => x.path)).toEqual(["/master/flags"]);
  });

  it("without a client certificate: TLS is judged, the endpoints are named as not probed, nothing is found, and it exits 9: not a clean audit", async () => {
    const { code, out } = await audit({ master: secured.master.url, agent: [secured.agent.url], json: true });
    const r = report(out);
    expect(code).toBe(EXIT.auditTarget);
    expect(r.summary.notProbed).toEqual([secured.master.url, secured.agent.url]);
    expect(r.findings).toEqual([]);
    expect(r.targets.map((t) => t.scheme)).toEqual(["none", "none"]);
    expect(r.targets[0]!.notes.join(" ")).toContain("requires a client certificate");
    expect(r.checks.find((c) => c.probe === "tls-client-cert-not-required" && c.role === "master")!.outcome).toBe("absent");
    expect(r.checks.find((c) => c.probe === "agents-unauthenticated")!.outcome).toBe("unknown");
  });

  it("without credentials: the flags' checks are unknown, with the reason, and the realm probes still judge", async () => {
    const { out } = await audit({ master: secured.master.url, ca: files.ca, cert: files.cert, key: files.key, json: true });
    const r = report(out);
    const check = (id: string) => r.checks.find((c) => c.probe === id)!;
    expect(check("agents-unauthenticated").outcome).toBe("unknown");
    expect(check("agents-unauthenticated").reason).toContain("no credentials were given");
    expect(check("http-frameworks-unauthenticated").outcome).toBe("absent");
    expect(check("master-readwrite-anonymous").outcome).toBe("absent");
  });
});

describe("audit of TLS variants", () => {
  const fakes: FakeMesos[] = [];
  afterAll(async () => {
    await Promise.all(fakes.map((f) => f.close()));
  });

  it("TLS without client certificates: no tls-off, but tls-client-cert-not-required", async () => {
    const m = await startFake({ ...SECURED_MASTER, transport: "tls" }, pki);
    fakes.push(m);
    const r = report((await audit({ master: m.url, json: true, ca: files.ca })).out);
    expect(r.findings.map((f) => f.id)).toEqual(["tls-client-cert-not-required"]);
    expect(r.findings[0]!.evidence[0]).toMatch(/without a client certificate → HTTP\/1\.1 200 OK \(TLSv1\.[23], .*certificate verified\)/);
  });

  it("a downgrade: https and plain http on one port, the password asked for over http", async () => {
    const m = await startFake({ ...SECURED_MASTER, transport: "downgrade" }, pki);
    fakes.push(m);
    const r = report((await audit({ master: m.url, json: true })).out);
    expect(r.findings.map((f) => f.id).sort()).toEqual(["basic-auth-over-http", "tls-client-cert-not-required", "tls-downgrade"]);
    const over = r.findings.find((f) => f.id === "basic-auth-over-http")!;
    expect(over.evidence).toContain('WWW-Authenticate: Basic realm="mesos-master-readonly"');
  });

  it("credentials are withheld from an https target whose certificate does not verify (no --ca)", async () => {
    const m = await startFake({ ...SECURED_MASTER, transport: "tls" }, pki);
    fakes.push(m);
    const r = report((await audit({ master: m.url, principal: "viewer-principal", secretFile: files.secretFile, json: true })).out);
    expect(r.targets[0]!.notes.join(" ")).toContain("credentials withheld");
    expect(m.requests.some((x) => x.authorization)).toBe(false);
  });
});

describe("secrets never reach an output", () => {
  const SECRETS = [
    REGISTRY_PASSWORD,
    REGISTRY_AUTH,
    `ci:${REGISTRY_PASSWORD}`,
    ZK_PASSWORD,
    EXECUTOR_ENV_SECRET,
    VIEWER_SECRET,
    "operator-secret-1b2c3d",
    // flags that name credentials or keys show only that they are set
    "/etc/credentials/credentials.json",
    "/etc/credentials/http_credentials.json",
    "/etc/mesos/executor_secret_key",
  ];
  for (const format of ["human", "json", "sarif"] as const)
    it(`${format}: open and secured clusters`, async () => {
      const fmt = { json: format === "json", sarif: format === "sarif" };
      const outs = [
        (await audit({ ...openArgs(), ...fmt, principal: "viewer-principal", secretFile: files.secretFile })).out,
        (await audit({ ...securedArgs(), ...fmt })).out,
      ];
      for (const out of outs) for (const s of SECRETS) expect(out.includes(s), `${format} output holds ${s}`).toBe(false);
      expect(outs[0]).toContain("flag docker_config: credentials for 2 registries");
    });

  it("a secret of the flags is redacted even where a printable value carries it (the report is redacted as a whole)", async () => {
    // contrived on purpose: an authorizer module named like the ZooKeeper password, printed as evidence of acls-permissive
    const m = await startFake({ ...OPEN_MASTER, flags: { ...OPEN_MASTER.flags, authorizers: ZK_PASSWORD } });
    try {
      const human = (await audit({ master: m.url })).out;
      const json = (await audit({ master: m.url, json: true })).out;
      const sarif = (await audit({ master: m.url, sarif: true })).out;
      for (const out of [human, json, sarif]) expect(out).not.toContain(ZK_PASSWORD);
      expect(human).toContain('flag authorizers = "******"');
      expect(JSON.stringify(JSON.parse(json).checks)).toContain('flag authorizers = \\"******\\"');
    } finally {
      await m.close();
    }
  });
});

describe("targets the audit cannot judge are a clear error, at once", () => {
  const expectTargetError = async (o: Parameters<typeof audit>[0], pattern: RegExp, withinMs: number) => {
    const t0 = Date.now();
    const err = await audit(o).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LabError);
    const e = err as LabError;
    expect(e.kind).toBe("auditTarget");
    expect(e.exitCode).toBe(EXIT.auditTarget);
    expect(e.message).toMatch(pattern);
    expect(e.fix).toMatch(/Check each address/);
    expect(Date.now() - t0).toBeLessThan(withinMs);
  };
  const listen = async (server: net.Server) => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return (server.address() as AddressInfo).port;
  };

  it("nothing listens on the port", async () => {
    const s = net.createServer();
    const port = await listen(s);
    await new Promise<void>((resolve) => s.close(() => resolve()));
    await expectTargetError({ master: `http://127.0.0.1:${port}` }, /is unreachable: no answer \(ECONNREFUSED/, 2000);
  });

  it("a port that accepts and never answers: bounded by --timeout", async () => {
    const held: net.Socket[] = [];
    const s = net.createServer((c) => held.push(c));
    const port = await listen(s);
    try {
      await expectTargetError({ master: `127.0.0.1:${port}`, timeout: "300" }, /is unreachable: no answer \(ETIMEDOUT: no answer within 300 ms\)/, 2000);
    } finally {
      for (const c of held) c.destroy();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });

  it("a server that sends a status line and never finishes its body: bounded by --timeout too", async () => {
    const held: http.ServerResponse[] = [];
    const s = http.createServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write('{"version":');
      held.push(res);
    });
    const port = await listen(s);
    try {
      await expectTargetError(
        { master: `http://127.0.0.1:${port}`, timeout: "300" },
        /answers HTTP but not like Mesos: GET \/version → HTTP\/1\.1 200 OK/,
        2000,
      );
    } finally {
      for (const r of held) r.destroy();
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });

  it("an HTTP server that is not Mesos", async () => {
    const s = http.createServer((_req, res) => res.writeHead(404, { "Content-Type": "text/html" }).end("<html>not found</html>"));
    const port = await listen(s);
    try {
      await expectTargetError({ master: `http://127.0.0.1:${port}` }, /answers HTTP but not like Mesos: GET \/version → HTTP\/1\.1 404 Not Found/, 2000);
    } finally {
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });

  it("an agent given as the master, and an unreachable ZooKeeper, named together", async () => {
    const s = net.createServer();
    const port = await listen(s);
    await new Promise<void>((resolve) => s.close(() => resolve()));
    await expectTargetError(
      { master: open.agent.url, zk: `127.0.0.1:${port}` },
      /2 targets cannot be audited: .* is Mesos but not a master: GET \/master\/flags → HTTP\/1\.1 404 Not Found; ZooKeeper zk:\/\/127\.0\.0\.1:\d+ is unreachable/,
      2000,
    );
  });
});

describe("--fail-on drives the exit code", () => {
  it("open cluster: 1 at high; secured: 0; secured with an open ZooKeeper: 0 at low, 1 at info", async () => {
    expect((await audit({ ...openArgs(), failOn: "high" })).code).toBe(1);
    expect((await audit({ ...securedArgs() })).code).toBe(0);
    const infoOnly = { ...securedArgs(), zk: open.zk.address };
    expect((await audit({ ...infoOnly, failOn: "low" })).code).toBe(0);
    expect((await audit({ ...infoOnly, failOn: "info" })).code).toBe(1);
  });
});

describe("usage errors, before anything is sent", () => {
  const usage = async (o: Parameters<typeof audit>[0], pattern: RegExp) => {
    const err = (await audit(o).then(
      () => undefined,
      (e: unknown) => e,
    )) as LabError;
    expect(err).toBeInstanceOf(LabError);
    expect(err.kind).toBe("usage");
    expect(err.message).toMatch(pattern);
  };

  it("refuses a secret on the command line, in --secret or in an address", async () => {
    await usage({ master: "http://127.0.0.1:1", principal: "p", secret: "s3cret" }, /--secret on the command line is visible/);
    await usage({ master: "http://op:s3cret@127.0.0.1:1" }, /carries a user or password/);
    await usage({ master: "http://127.0.0.1:1", zk: "zk://u:p@zk:2181/mesos" }, /carries a user or password/);
  });

  it("refuses incomplete or contradictory options", async () => {
    await usage({ master: "http://127.0.0.1:1", principal: "p" }, /--principal without a secret/);
    await usage({ master: "http://127.0.0.1:1", secretEnv: "X" }, /a secret without --principal/);
    await usage({ master: "http://127.0.0.1:1", json: true, sarif: true }, /--json and --sarif/);
    await usage({ master: "http://127.0.0.1:1", failOn: "critical" }, /--fail-on critical/);
    await usage({ master: "http://127.0.0.1:1", timeout: "10" }, /--timeout 10/);
    await usage({}, /--master is required/);
  });
});
