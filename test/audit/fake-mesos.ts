import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { createCa, issueLeaf, type Pem } from "../../src/pki/index.js";

/**
 * A Mesos 1.11 master or agent, as far as `mesos-lab audit` looks at one, on 127.0.0.1: the routes the audit probes,
 * each in the realm Mesos routes it in (src/master/master.cpp:911-929, src/slave/slave.cpp:777-894,
 * src/files/files.cpp:225-240), answered as observed-1.11.md shows: `401 Unauthorized` with `WWW-Authenticate: Basic
 * realm="…"` (Bearer for the executor realm) and body `401 Unauthorized.`, 405 for a GET to a POST-only API, flags as
 * `{"flags": {…}}` with every value a string. It logs every request it gets, for the tests that check what the audit
 * sent. The transport is one of: plain, TLS, TLS requiring a client certificate, or both on one port (downgrade).
 */

export type Realm = "readonly" | "readwrite" | "scheduler" | "executor";
export type Transport = "plain" | "tls" | "mtls" | "downgrade";

export interface FakeConfig {
  role: "master" | "agent";
  transport: Transport;
  /** The authenticated realms (an authenticator is installed for them). */
  realms: Realm[];
  /** principal → secret, for the Basic realms. */
  credentials?: Record<string, string>;
  flags: Record<string, string>;
  /** /flags answers 403 to this principal even when authenticated (an ACL without its view_flags rule). */
  flagsForbiddenFor?: string[];
}

export interface LoggedRequest {
  method: string;
  path: string;
  body: string;
  authorization: boolean;
  tls: boolean;
}

export interface FakeMesos {
  url: string;
  port: number;
  requests: LoggedRequest[];
  close(): Promise<void>;
}

export interface FakePki {
  ca: Pem;
  server: Pem;
  client: Pem;
  /** A client certificate of another CA: what a rogue agent would present. */
  rogue: Pem;
}

/** A throw-away CA of the project's own PKI, a server leaf for 127.0.0.1 and localhost, and a client leaf. */
export function makePki(): FakePki {
  const ca = createCa("mesos-lab audit test CA", 2);
  const rogueCa = createCa("rogue CA", 2);
  return {
    ca,
    server: issueLeaf(ca, { commonName: "fake-mesos", dnsNames: ["localhost"], ips: ["127.0.0.1"], days: 2 }),
    client: issueLeaf(ca, { commonName: "audit-client", dnsNames: ["audit-client"], ips: [], days: 2 }),
    rogue: issueLeaf(rogueCa, { commonName: "rogue", dnsNames: ["rogue"], ips: [], days: 2 }),
  };
}

const REALM_NAME: Record<"master" | "agent", Record<Realm, string>> = {
  master: { readonly: "mesos-master-readonly", readwrite: "mesos-master-readwrite", scheduler: "mesos-master-scheduler", executor: "" },
  agent: { readonly: "mesos-agent-readonly", readwrite: "mesos-agent-readwrite", scheduler: "", executor: "mesos-agent-executor" },
};

/** src/version/version.cpp:77-80: what /version answers (no realm). */
export const VERSION_JSON = {
  version: "1.11.1",
  build_date: "2026-11-22 20:11:05",
  build_time: 1795382665,
  build_user: "root",
  git_sha: "7017e7905099461c42c8e96c148a31ccb84fe0d2",
  git_branch: "refs/heads/1.11.x",
};

interface Route {
  realm?: Realm;
  handle(req: IncomingMessage, body: string, principal: string | undefined): { status: number; body: string; headers?: Record<string, string> };
}

const json = (status: number, v: unknown) => ({ status, body: JSON.stringify(v), headers: { "Content-Type": "application/json" } });
const methodNotAllowed = { status: 405, body: "Expecting one of { 'POST' }, but received 'GET'", headers: { Allow: "POST" } };

function routes(cfg: FakeConfig): Record<string, Route> {
  const flags: Route = {
    realm: "readonly",
    handle: (_r, _b, p) => (p && cfg.flagsForbiddenFor?.includes(p) ? { status: 403, body: "" } : json(200, { flags: cfg.flags })),
  };
  const common: Record<string, Route> = {
    "/version": { handle: () => json(200, VERSION_JSON) },
    "/health": { handle: () => ({ status: 200, body: "" }) },
    "/files/debug": {
      realm: "readonly",
      handle: () =>
        json(200, {
          "/frameworks/25311df9-2ca6-470f-8825-c629d2aabed8-0000/executors/payroll/runs/latest":
            "/var/tmp/mesos/slaves/25311df9-S0/frameworks/25311df9-2ca6-470f-8825-c629d2aabed8-0000/executors/payroll/runs/2d29ac56",
        }),
    },
  };
  if (cfg.role === "master") {
    const state: Route = {
      realm: "readonly",
      // the real /master/state carries the flags too: the audit must never print this body
      handle: () => json(200, { version: "1.11.1", activated_slaves: 1, deactivated_slaves: 0, flags: cfg.flags, slaves: [] }),
    };
    return {
      ...common,
      "/master/flags": flags,
      "/flags": flags,
      "/master/state": state,
      "/state": state,
      "/master/frameworks": {
        realm: "readonly",
        handle: () =>
          json(200, {
            frameworks: [
              { id: "25311df9-2ca6-470f-8825-c629d2aabed8-0000", name: "mesos-execute instance", user: "root", principal: "scheduler-principal", active: true },
            ],
            completed_frameworks: [],
            unregistered_frameworks: [],
          }),
      },
      "/api/v1": { realm: "readwrite", handle: (r) => (r.method === "POST" ? { status: 400, body: "Failed to parse body into Call" } : methodNotAllowed) },
      "/api/v1/scheduler": { realm: "scheduler", handle: (r) => (r.method === "POST" ? { status: 400, body: "" } : methodNotAllowed) },
      "/master/teardown": { realm: "readwrite", handle: (r) => (r.method === "POST" ? { status: 200, body: "" } : methodNotAllowed) },
    };
  }
  return {
    ...common,
    "/flags": flags,
    "/slave(1)/flags": flags,
    "/state": { realm: "readonly", handle: () => json(200, { version: "1.11.1", flags: cfg.flags, frameworks: [] }) },
    "/api/v1": {
      realm: "readwrite",
      handle: (r, body) => {
        if (r.method !== "POST") return methodNotAllowed;
        const call = JSON.parse(body || "{}") as { type?: string };
        if (call.type === "GET_CONTAINERS")
          return json(200, {
            type: "GET_CONTAINERS",
            get_containers: { containers: [{ container_id: { value: "4bd3fd1a-2f39-4a36-9ba1-04a3d9a0ad2f" }, executor_id: { value: "payroll" } }] },
          });
        return { status: 400, body: "unexpected call" };
      },
    },
    "/slave(1)/api/v1/executor": { realm: "executor", handle: (r) => (r.method === "POST" ? { status: 400, body: "" } : methodNotAllowed) },
  };
}

function basicPrincipal(req: IncomingMessage, credentials: Record<string, string>): string | undefined {
  const h = req.headers.authorization;
  if (!h?.startsWith("Basic ")) return undefined;
  const [p, ...rest] = Buffer.from(h.slice(6), "base64").toString("utf8").split(":");
  return p && credentials[p] === rest.join(":") ? p : undefined;
}

export async function startFake(cfg: FakeConfig, pki?: FakePki): Promise<FakeMesos> {
  const requests: LoggedRequest[] = [];
  const table = routes(cfg);
  const handler = (tls: boolean) => (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const path = (req.url ?? "/").split("?")[0]!;
      requests.push({ method: req.method ?? "", path, body, authorization: req.headers.authorization !== undefined, tls });
      const route = table[path];
      if (!route) {
        res.writeHead(404).end();
        return;
      }
      let principal: string | undefined;
      // libprocess authenticates the route's realm before the handler runs (process.cpp:3791-3816)
      if (route.realm && cfg.realms.includes(route.realm)) {
        const name = REALM_NAME[cfg.role][route.realm];
        if (route.realm === "executor") {
          res.writeHead(401, { "WWW-Authenticate": `Bearer realm="${name}"` }).end("401 Unauthorized.");
          return;
        }
        principal = basicPrincipal(req, cfg.credentials ?? {});
        if (!principal) {
          res.writeHead(401, { "WWW-Authenticate": `Basic realm="${name}"` }).end("401 Unauthorized.");
          return;
        }
      }
      const out = route.handle(req, body, principal);
      res.writeHead(out.status, out.headers ?? {}).end(out.body);
    });
  };
  const plain = http.createServer(handler(false));
  const secure = pki
    ? https.createServer(
        {
          key: pki.server.keyPem,
          cert: pki.server.certPem,
          ca: [pki.ca.certPem],
          requestCert: cfg.transport === "mtls",
          rejectUnauthorized: cfg.transport === "mtls",
        },
        handler(true),
      )
    : undefined;
  if (cfg.transport !== "plain" && !secure) throw new Error("a TLS transport needs the PKI");
  let front: net.Server;
  if (cfg.transport === "plain") front = plain;
  else if (cfg.transport === "downgrade")
    // one port, both protocols: the first byte of a TLS record is 0x16 (handshake), as libprocess peeks it
    front = net.createServer((socket) => {
      socket.once("data", (first: Buffer) => {
        socket.pause();
        socket.unshift(first);
        (first[0] === 0x16 ? secure! : plain).emit("connection", socket);
        process.nextTick(() => socket.resume());
      });
    });
  else front = secure!;
  await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
  const port = (front.address() as AddressInfo).port;
  const sockets = new Set<net.Socket>();
  front.on("connection", (s: net.Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  const scheme = cfg.transport === "plain" ? "http" : "https";
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        front.close(() => resolve());
      }),
  };
}

/** A ZooKeeper that answers `srvr` (open) or refuses it as ZooKeeper 3.5+'s default whitelist does. */
export async function startFakeZk(mode: "open" | "whitelisted"): Promise<{ address: string; words: string[]; close(): Promise<void> }> {
  const words: string[] = [];
  const server = net.createServer((socket) => {
    socket.once("data", (d: Buffer) => {
      const word = d.toString("utf8").trim();
      words.push(word);
      socket.end(
        mode === "open" && word === "srvr"
          ? "Zookeeper version: 3.8.4-9316c2a7a97e1666d8f4593f34dd6fc36ecc436c, built on 2024-02-12 22:16 UTC\nLatency min/avg/max: 0/0.0/0\nReceived: 1\nSent: 0\nConnections: 1\nOutstanding: 0\nZxid: 0x2a\nMode: standalone\nNode count: 12\n"
          : `${word} is not executed because it is not in the whitelist.\n`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return { address: `127.0.0.1:${port}`, words, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The ACLs as the master's /flags prints them: protobuf's DebugString of the JSON the flag was given (src/authorizer/acls.cpp:25-28). */
export function debugString(acls: Record<string, unknown>): string {
  const entity = (name: string, e: { type?: string; values?: string[] }, indent: string) => [
    `${indent}${name} {`,
    ...(e.type ? [`${indent}  type: ${e.type}`] : []),
    ...(e.values ?? []).map((v) => `${indent}  values: ${JSON.stringify(v)}`),
    `${indent}}`,
  ];
  const lines: string[] = [];
  if (acls.permissive !== undefined) lines.push(`permissive: ${String(acls.permissive)}`);
  for (const [action, rules] of Object.entries(acls)) {
    if (action === "permissive") continue;
    for (const rule of rules as Array<Record<string, { type?: string; values?: string[] }>>) {
      lines.push(`${action} {`);
      for (const [field, e] of Object.entries(rule)) lines.push(...entity(field, e, "  "));
      lines.push("}");
    }
  }
  return `${lines.join("\n")}\n`;
}
