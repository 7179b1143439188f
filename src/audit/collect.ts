import { LabError } from "../util/errors.js";
import { type Flags, parseFlags } from "./flags.js";
import { describeResult, type HttpResult, isTlsAlert, request, type TlsMaterial } from "./http.js";
import type { Target } from "./targets.js";
import { fourLetterWord, type ZkResult } from "./zk.js";

/**
 * What the audit sees of each target, gathered before anything is judged. Every request here is read-only: GETs, and
 * one POST of the agent's read-only GET_CONTAINERS call. Nothing is sent to an address the user did not name.
 */

export interface Credentials {
  principal: string;
  secret: string;
}

export interface CollectOptions {
  credentials?: Credentials;
  tls: TlsMaterial;
  timeoutMs: number;
  signal: AbortSignal;
}

interface RequestDef {
  key: string;
  method: "GET" | "POST";
  path: string;
  body?: string;
  maxBody: number;
}

const KIB = 1024;
const MIB = 1024 * KIB;

/**
 * The endpoint requests, per role. The GETs to /api/v1, /api/v1/scheduler and /api/v1/executor are how a realm is seen
 * without calling anything: libprocess authenticates a route's realm before its handler (401 if the realm has an
 * authenticator), and the handler refuses a GET with 405 before it reads a body (master/http.cpp:230-232 and
 * :499-501, slave/http.cpp:741-743).
 */
export const REQUESTS: Record<"master" | "agent", RequestDef[]> = {
  master: [
    { key: "flags", method: "GET", path: "/master/flags", maxBody: MIB },
    { key: "state", method: "GET", path: "/master/state", maxBody: 4 * MIB },
    { key: "frameworks", method: "GET", path: "/master/frameworks", maxBody: 4 * MIB },
    { key: "operator-api", method: "GET", path: "/api/v1", maxBody: 4 * KIB },
    { key: "scheduler-api", method: "GET", path: "/api/v1/scheduler", maxBody: 4 * KIB },
  ],
  agent: [
    { key: "flags", method: "GET", path: "/flags", maxBody: MIB },
    { key: "state", method: "GET", path: "/state", maxBody: 0 },
    { key: "files", method: "GET", path: "/files/debug", maxBody: MIB },
    // the one POST: GET_CONTAINERS only lists containers (src/slave/http.cpp:2821-2849); its answer is not kept
    { key: "operator-api", method: "POST", path: "/api/v1", body: '{"type":"GET_CONTAINERS"}', maxBody: 0 },
    { key: "executor-api", method: "GET", path: "/slave(1)/api/v1/executor", maxBody: 4 * KIB },
  ],
};

export interface HttpObservation {
  target: Target;
  /** GET /version over plain http, over TLS without a client certificate, and with one (--cert) when that failed. */
  plain: HttpResult;
  tls: HttpResult;
  tlsWithCert?: HttpResult;
  /** The scheme the endpoint requests used; none when neither answered the audit (a client certificate is required). */
  scheme: "http" | "https" | "none";
  version?: string;
  /** Anonymous answers, by request key. */
  anonymous: Record<string, HttpResult>;
  /** The request lines as sent, by request key (`GET /master/flags`). */
  sent: Record<string, string>;
  flags?: Flags;
  flagsVia?: "anonymously" | "with the audit's credentials";
  /** The answer to /flags with credentials, when the anonymous one was 401. */
  flagsWithCredentials?: HttpResult;
  notes: string[];
}

export interface ZkObservation {
  target: Target;
  srvr: ZkResult;
}

/** The JSON /version answers (src/version/version.cpp:77-80): it is how a Mesos process is told from anything else. */
function mesosVersion(r: HttpResult): string | undefined {
  if (!r.ok || r.status !== 200) return undefined;
  try {
    const v = JSON.parse(r.body) as Record<string, unknown>;
    return typeof v.version === "string" && ("build_date" in v || "build_time" in v || "git_sha" in v) ? v.version : undefined;
  } catch {
    return undefined;
  }
}

const UNREACHABLE = /^(ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EDEADLINE|ECONNABORTED)$/;

/** Whether a target answered at all, and if it answered, whether like Mesos: a reason it cannot be audited, or undefined. */
function unusable(o: HttpObservation): string | undefined {
  const results = [o.plain, o.tls, ...(o.tlsWithCert ? [o.tlsWithCert] : [])];
  const answered = results.filter((r) => r.ok);
  if (answered.length > 0) {
    if (o.version) return undefined;
    const r = answered[0]!;
    return `${o.target.url} answers HTTP but not like Mesos: GET /version → ${describeResult(r)}`;
  }
  // TLS is on and refused a handshake without a client certificate: reachable, and that refusal is itself evidence
  if (o.tls.ok === false && (o.tls.tls?.handshake || isTlsAlert(o.tls))) return undefined;
  const codes = results.map((r) => (r.ok ? "" : r.code));
  if (codes.every((c) => UNREACHABLE.test(c))) return `${o.target.url} is unreachable: ${describeResult(o.plain)}`;
  return `${o.target.url} answered neither http nor https: ${describeResult(o.plain)}; https: ${describeResult(o.tls)}`;
}

async function version(target: Target, opts: CollectOptions): Promise<Pick<HttpObservation, "plain" | "tls" | "tlsWithCert">> {
  const get = (scheme: "http" | "https", clientCert: boolean) =>
    request(
      target.address,
      { scheme, method: "GET", path: "/version", maxBody: 64 * KIB, timeoutMs: opts.timeoutMs, signal: opts.signal, clientCert },
      opts.tls,
    );
  const [plain, tls] = await Promise.all([get("http", false), get("https", false)]);
  // a port that refuses a handshake without a client certificate is asked again with the one --cert gives
  const tlsWithCert = !tls.ok && opts.tls.cert && opts.tls.key ? await get("https", true) : undefined;
  return { plain, tls, ...(tlsWithCert ? { tlsWithCert } : {}) };
}

async function observeHttp(target: Target & { role: "master" | "agent" }, opts: CollectOptions): Promise<HttpObservation> {
  const v = await version(target, opts);
  const useCert = !v.tls.ok && v.tlsWithCert?.ok === true;
  // https when it answers (never send a request in clear that TLS could carry), else http
  const scheme = v.tls.ok || useCert ? "https" : v.plain.ok ? "http" : "none";
  const o: HttpObservation = {
    target,
    ...v,
    scheme,
    anonymous: {},
    sent: {},
    notes: [],
  };
  if (scheme !== "none" && scheme !== target.given)
    o.notes.push(
      target.given === "http" && v.plain.ok
        ? "given as http://; probed over https://, which the port answers too"
        : `given as ${target.given}://, but only ${scheme}:// answered on that port`,
    );
  const answered = scheme === "https" ? (useCert ? v.tlsWithCert! : v.tls) : scheme === "http" ? v.plain : undefined;
  o.version = answered ? mesosVersion(answered) : undefined;
  if (scheme === "none") {
    if (!v.tls.ok && (v.tls.tls?.handshake || isTlsAlert(v.tls)))
      o.notes.push(
        opts.tls.cert
          ? "the port refused the audit's TLS handshake, client certificate included: its endpoints were not probed"
          : "the port requires a client certificate: its endpoints were not probed (give --cert and --key)",
      );
    return o;
  }
  if (!o.version) return o;
  const send = (def: RequestDef, auth?: Credentials) =>
    request(
      target.address,
      {
        scheme,
        method: def.method,
        path: def.path,
        ...(def.body === undefined ? {} : { body: def.body }),
        maxBody: def.maxBody,
        timeoutMs: opts.timeoutMs,
        signal: opts.signal,
        clientCert: useCert,
        ...(auth ? { auth, verify: true } : {}),
      },
      opts.tls,
    );
  const defs = REQUESTS[target.role];
  const results = await Promise.all(defs.map((d) => send(d)));
  defs.forEach((d, i) => {
    o.anonymous[d.key] = results[i]!;
    o.sent[d.key] = `${d.method} ${d.path}`;
  });
  const flagsDef = defs.find((d) => d.key === "flags")!;
  const anon = o.anonymous.flags!;
  if (anon.ok && anon.status === 200) {
    o.flags = parseFlags(anon.body);
    o.flagsVia = "anonymously";
  } else if (anon.ok && anon.status === 401) {
    if (!opts.credentials) o.notes.push(`${flagsDef.path} needs credentials: the checks that read flags were not judged (give --principal and --secret-file)`);
    else if (scheme === "https" && !answeredVerified(answered!)) {
      o.notes.push(
        `credentials withheld: the certificate of ${target.url} did not verify${answered!.ok && answered!.tls?.verifyError ? ` (${answered!.tls.verifyError})` : ""}; give --ca with the cluster's CA`,
      );
    } else {
      if (scheme === "http") o.notes.push("the audit's credentials crossed the network in clear (plain http): see basic-auth-over-http");
      const r = await send(flagsDef, opts.credentials);
      o.flagsWithCredentials = r;
      if (r.ok && r.status === 200) {
        o.flags = parseFlags(r.body);
        o.flagsVia = "with the audit's credentials";
        o.notes.push(`flags read as ${opts.credentials.principal}`);
      } else o.notes.push(`${flagsDef.path} with the audit's credentials → ${describeResult(r)}: the checks that read flags were not judged`);
    }
  }
  return o;
}

/** Whether the server's certificate verified against --ca (or Node's roots), so credentials may go to it. */
const answeredVerified = (r: HttpResult) => r.ok && r.tls?.verified === true;

export interface Observations {
  http: HttpObservation[];
  zk: ZkObservation[];
}

/**
 * Every target at once (each at most a few requests, in parallel), then a role check: the audit refuses to judge an
 * address that is not what the user said it is. Unreachable and non-Mesos targets are one error, naming them all.
 */
export async function collect(targets: Target[], opts: CollectOptions): Promise<Observations> {
  const httpTargets = targets.filter((t): t is Target & { role: "master" | "agent" } => t.role !== "zk");
  const [http, zk] = await Promise.all([
    Promise.all(httpTargets.map((t) => observeHttp(t, opts))),
    Promise.all(
      targets.filter((t) => t.role === "zk").map(async (t) => ({ target: t, srvr: await fourLetterWord(t.address, "srvr", opts.timeoutMs, opts.signal) })),
    ),
  ]);
  const problems: string[] = [];
  for (const o of http) {
    const why = unusable(o);
    if (why) problems.push(why);
    else if (o.target.role === "master" && o.anonymous.flags?.ok && o.anonymous.flags.status === 404)
      problems.push(`${o.target.url} is Mesos but not a master: GET /master/flags → ${describeResult(o.anonymous.flags)}`);
    else if (o.target.role === "agent" && o.anonymous["executor-api"]?.ok && o.anonymous["executor-api"].status === 404)
      problems.push(`${o.target.url} is Mesos but not an agent: GET /slave(1)/api/v1/executor → ${describeResult(o.anonymous["executor-api"])}`);
  }
  for (const z of zk) if (!z.srvr.ok) problems.push(`ZooKeeper ${z.target.url} is unreachable: ${z.srvr.code}: ${z.srvr.message}`);
  if (problems.length > 0)
    throw new LabError(
      "auditTarget",
      problems.length === 1 ? problems[0]! : `${problems.length} targets cannot be audited: ${problems.join("; ")}`,
      "Check each address (scheme, host and port of the master, agents and ZooKeeper as this machine reaches them), that the processes run, and that no firewall is in the way; then audit again.",
    );
  return { http, zk };
}
