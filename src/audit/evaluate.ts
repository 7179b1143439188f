import { ANONYMOUS, ANY_OBJECT, type Acls, approved, describeRule, namedPrincipals, parseAcls, principal, some } from "./acls.js";
import type { HttpObservation, Observations, ZkObservation } from "./collect.js";
import { dockerConfigRegistries, type Flags, showFlag } from "./flags.js";
import { describeResult, describeTls, headerValues, type HttpResult, isTlsAlert } from "./http.js";
import { PROBES } from "./probes.js";
import type { Check, Outcome, Probe } from "./types.js";

/**
 * The judgement of each probe on each target, from what collect() saw. Each evaluator says finding, absent, unknown
 * or skipped, with the evidence it rests on: status lines, challenge headers and flag values (printable flags only,
 * see flags.ts). Nothing here sends anything.
 */

interface Verdict {
  outcome: Outcome;
  evidence: string[];
  reason?: string;
}

const finding = (...evidence: string[]): Verdict => ({ outcome: "finding", evidence });
const absent = (...evidence: string[]): Verdict => ({ outcome: "absent", evidence });
const unknown = (reason: string, ...evidence: string[]): Verdict => ({ outcome: "unknown", evidence, reason });
const skipped = (reason: string): Verdict => ({ outcome: "skipped", evidence: [], reason });

// ---- transport (TLS) ----

/** on: a TLS handshake completed, or was refused with an alert (TLS asking for a client certificate); off: only http answered. */
function tlsState(o: HttpObservation): "on" | "off" | "unknown" {
  if (o.tls.ok || o.tlsWithCert?.ok || o.tls.tls?.handshake || isTlsAlert(o.tls)) return "on";
  return o.plain.ok ? "off" : "unknown";
}

const hostPort = (o: HttpObservation) => o.target.url.replace(/^https?:\/\//, "");
const plainLine = (o: HttpObservation) => `GET http://${hostPort(o)}/version → ${describeResult(o.plain)}`;
const tlsLine = (o: HttpObservation, r: HttpResult = o.tls, how = "without a client certificate") => {
  const session = describeTls(r.tls);
  return `GET https://${hostPort(o)}/version ${how} → ${describeResult(r)}${session ? ` (${session})` : ""}`;
};

// ---- endpoint answers ----

/** `GET /master/flags (anonymous) → HTTP/1.1 401 Unauthorized`, then its challenge headers. */
function answerLines(o: HttpObservation, key: string, detail = ""): string[] {
  const r = o.anonymous[key];
  if (!r) return [];
  const line = `${o.sent[key]} (anonymous) → ${describeResult(r)}${detail}`;
  return [line, ...headerValues(r, "WWW-Authenticate").map((c) => `WWW-Authenticate: ${c}`)];
}

/**
 * A realm seen through one anonymous request: 401 means the realm has an authenticator; any other answer means the
 * request got past authentication (libprocess authenticates first: process.cpp:3791-3816), so the realm is open.
 */
function realm(o: HttpObservation, key: string): { state: "open" | "closed" | "unknown"; evidence: string[] } {
  const r = o.anonymous[key];
  if (!r) return { state: "unknown", evidence: [] };
  if (!r.ok) return { state: "unknown", evidence: answerLines(o, key) };
  if (r.status === 401) return { state: "closed", evidence: answerLines(o, key) };
  if (r.status === 403 || r.status === 404) return { state: "unknown", evidence: answerLines(o, key) };
  return { state: "open", evidence: answerLines(o, key, " (answered without asking who is calling)") };
}

function flagsReason(o: HttpObservation): string {
  if (o.scheme === "none") return "the port requires a client certificate: give --cert and --key";
  const a = o.anonymous.flags;
  if (!a) return "its flags were not read";
  if (o.flagsWithCredentials) return `${o.sent.flags} with the audit's credentials → ${describeResult(o.flagsWithCredentials)}`;
  if (a.ok && a.status === 401) {
    const withheld = o.notes.find((n) => n.startsWith("credentials withheld"));
    return withheld ?? `${o.sent.flags} → 401 and no credentials were given (--principal with --secret-file or --secret-env)`;
  }
  if (a.ok && a.status === 200) return `${o.sent.flags} answered something other than Mesos' flags JSON`;
  return `${o.sent.flags} → ${describeResult(a)}`;
}

const via = (o: HttpObservation) => `(${o.sent.flags}, read ${o.flagsVia})`;
const flagLine = (o: HttpObservation, flags: Flags, name: string) => `${showFlag(flags, name)} ${via(o)}`;

/** A boolean flag: finding when it is not "true". `names`: the flag and the names older releases printed. */
function booleanFlag(o: HttpObservation, names: string[], openWhenMissing: string | undefined = undefined): Verdict {
  const flags = o.flags;
  if (!flags) return unknown(flagsReason(o));
  const name = names.find((n) => flags[n] !== undefined);
  if (!name) return openWhenMissing ? finding(`flag ${names[0]}: not in /flags ${via(o)}: ${openWhenMissing}`) : unknown(`flag ${names[0]} is not in /flags`);
  return flags[name] === "true" ? absent(flagLine(o, flags, name)) : finding(flagLine(o, flags, name));
}

/** The ACLs of the local authorizer, or why they cannot be judged. `authorizerFlag`: master `authorizers`, agent `authorizer`. */
function aclsOf(o: HttpObservation, authorizerFlag: string): { acls?: Acls; none?: string; verdict?: Verdict } {
  const flags = o.flags;
  if (!flags) {
    const forbidden = [o.anonymous.flags, o.flagsWithCredentials].some((r) => r?.ok && r.status === 403);
    return {
      verdict: forbidden
        ? unknown(`${o.sent.flags} → 403 Forbidden: an authorizer refused to show the flags (VIEW_FLAGS), so its rules cannot be read`)
        : unknown(flagsReason(o)),
    };
  }
  const module = flags[authorizerFlag] ?? "local";
  if (module !== "local")
    return { verdict: unknown(`flag ${authorizerFlag} = ${JSON.stringify(module)}: an authorizer module, whose rules are not in /flags`) };
  if (flags.acls === undefined) return { none: `flag acls: not set ${via(o)}: no authorizer is created, every action is allowed` };
  try {
    return { acls: parseAcls(flags.acls) };
  } catch (err) {
    return { verdict: unknown(`flag acls could not be read: ${(err as Error).message}`) };
  }
}

// ---- the evaluators, by probe id ----

type HttpEvaluator = (o: HttpObservation) => Verdict;

const NOBODY_NAMED = "a principal no rule names";
/** A name no ACL can contain (principals are printable), to ask the authorizer about a principal it does not know. */
const UNNAMED = "\u0000unnamed";

const httpEvaluators: Record<string, HttpEvaluator> = {
  "tls-off": (o) => {
    const s = tlsState(o);
    if (s === "off") return finding(plainLine(o), tlsLine(o));
    if (s === "on") return absent(o.tls.ok || o.tls.tls?.handshake ? tlsLine(o) : `${tlsLine(o)}: a TLS alert, TLS is on`);
    return unknown("neither http nor https answered /version");
  },
  "tls-downgrade": (o) => {
    const s = tlsState(o);
    if (s === "off") return skipped("TLS is off (tls-off)");
    if (s === "unknown") return unknown("neither http nor https answered /version");
    return o.plain.ok ? finding(plainLine(o), tlsLine(o, o.tls.ok ? o.tls : (o.tlsWithCert ?? o.tls))) : absent(plainLine(o));
  },
  "tls-client-cert-not-required": (o) => {
    const s = tlsState(o);
    if (s === "off") return skipped("TLS is off (tls-off)");
    if (s === "unknown") return unknown("neither http nor https answered /version");
    return o.tls.ok ? finding(tlsLine(o)) : absent(tlsLine(o));
  },
  "basic-auth-over-http": (o) => {
    if (!o.plain.ok) return absent(plainLine(o));
    const challenged = Object.keys(o.anonymous).filter((k) => headerValues(o.anonymous[k]!, "WWW-Authenticate").some((c) => /^Basic\b/i.test(c)));
    if (challenged.length === 0) return absent(plainLine(o), "no anonymous request was challenged for Basic credentials");
    return finding(plainLine(o), ...answerLines(o, challenged[0]!));
  },
  "agents-unauthenticated": (o) => booleanFlag(o, ["authenticate_agents", "authenticate_slaves"]),
  "frameworks-unauthenticated": (o) => booleanFlag(o, ["authenticate_frameworks", "authenticate"]),
  "http-frameworks-unauthenticated": (o) => {
    const r = realm(o, "scheduler-api");
    const flag = o.flags?.authenticate_http_frameworks !== undefined ? [flagLine(o, o.flags, "authenticate_http_frameworks")] : [];
    if (r.state === "open") return finding(...r.evidence, ...flag);
    if (r.state === "closed") return absent(...r.evidence, ...flag);
    const f = booleanFlag(o, ["authenticate_http_frameworks"]);
    return f.outcome === "unknown" ? unknown(f.reason ?? "", ...r.evidence) : { ...f, evidence: [...r.evidence, ...f.evidence] };
  },
  "acls-absent": (o) => {
    const a = aclsOf(o, "authorizers");
    if (a.none) return finding(a.none, flagLine(o, o.flags!, "authorizers"));
    if (a.acls) return absent(`flag acls: set ${via(o)}`);
    const forbidden = [o.anonymous.flags, o.flagsWithCredentials].find((r) => r?.ok && r.status === 403);
    if (forbidden) return absent(`${o.sent.flags} → ${describeResult(forbidden)}: an authorizer refused VIEW_FLAGS`);
    if (o.flags) return absent(flagLine(o, o.flags, "authorizers"));
    return a.verdict!;
  },
  "acls-permissive": (o) => {
    const a = aclsOf(o, "authorizers");
    if (a.none) return skipped("no ACLs (acls-absent)");
    if (!a.acls) return a.verdict!;
    return a.acls.permissive
      ? finding(`flag acls ${via(o)}: no \`permissive: false\`, so it is true: what no rule names is allowed`)
      : absent(`flag acls ${via(o)}: permissive: false`);
  },
  "acls-grant-any": (o) => {
    const a = aclsOf(o, "authorizers");
    if (a.none) return skipped("no ACLs (acls-absent)");
    if (!a.acls) return a.verdict!;
    const wide = Object.entries(a.acls.rules).flatMap(([action, rules]) =>
      rules.filter((r) => r.subject.type === "ANY" && r.object.type === "ANY").map((r) => describeRule(action, r)),
    );
    return wide.length > 0 ? finding(...wide.map((w) => `${w} ${via(o)}`)) : absent(`flag acls ${via(o)}: no rule gives ANY principal ANY object`);
  },
  "master-readonly-anonymous": (o) => readonlyEndpoints(o, ["flags", "state", "frameworks"]),
  "agent-readonly-anonymous": (o) => readonlyEndpoints(o, ["flags", "state", "files"]),
  "master-readwrite-anonymous": (o) => {
    const r = realm(o, "operator-api");
    if (r.state === "open") return finding(...r.evidence);
    if (r.state === "closed") return absent(...r.evidence);
    const f = booleanFlag(o, ["authenticate_http_readwrite"]);
    return f.outcome === "unknown" ? unknown(f.reason ?? "", ...r.evidence) : { ...f, evidence: [...r.evidence, ...f.evidence] };
  },
  "executor-api-unauthenticated": (o) => {
    const r = realm(o, "executor-api");
    const flags = o.flags
      ? ["authenticate_http_executors", "jwt_secret_key", "executor_secret_key", "http_authenticators"]
          .filter((n) => o.flags![n] !== undefined || n === "authenticate_http_executors")
          .map((n) => flagLine(o, o.flags!, n))
      : [];
    if (r.state === "open") return finding(...r.evidence, ...flags);
    if (r.state === "closed") return absent(...r.evidence, ...flags);
    // authenticate_http_executors exists only in SSL builds (src/slave/flags.cpp:1433-1440): without it, nothing asks
    const f = booleanFlag(o, ["authenticate_http_executors"], "a build without SSL, which cannot authenticate executors");
    return f.outcome === "unknown" ? unknown(f.reason ?? "", ...r.evidence) : { ...f, evidence: [...r.evidence, ...f.evidence] };
  },
  "tasks-run-as-agent-user": (o) => booleanFlag(o, ["switch_user"]),
  "run-tasks-as-root": (o) => {
    const a = aclsOf(o, "authorizers");
    const asRoot = frameworksAsRoot(o);
    if (a.none) return finding(a.none, ...asRoot);
    if (!a.acls) return a.verdict!;
    const acls = a.acls;
    const subjects: Array<[string, ReturnType<typeof principal>]> = [
      ["anonymous frameworks", ANONYMOUS],
      ...namedPrincipals(acls).map((p): [string, ReturnType<typeof principal>] => [p, principal(p)]),
      [NOBODY_NAMED, principal(UNNAMED)],
    ];
    const allowed = subjects
      .map(([who, s]) => ({ who, d: approved(acls, "run_tasks", s, some("root")) }))
      .filter((x) => x.d.allowed)
      .map((x) => `run_tasks as root: allowed for ${x.who} (${x.d.rule ? describeRule("run_tasks", x.d.rule) : "no rule matches, permissive"}) ${via(o)}`);
    return allowed.length > 0
      ? finding(...allowed, ...asRoot)
      : absent(`run_tasks as root: refused to anonymous frameworks, to ${subjects.length - 2} named principal(s) and to others ${via(o)}`);
  },
  "agent-operator-api-anonymous": (o) => {
    const r = o.anonymous["operator-api"];
    const call = 'POST /api/v1 {"type":"GET_CONTAINERS"} (anonymous)';
    if (r?.ok && r.status === 200) return finding(`${call} → ${r.statusLine}`);
    if (r?.ok && r.status === 401) return absent(`${call} → ${r.statusLine}`, ...headerValues(r, "WWW-Authenticate").map((c) => `WWW-Authenticate: ${c}`));
    const f = booleanFlag(o, ["authenticate_http_readwrite"]);
    const seen = r ? [`${call} → ${describeResult(r)}`] : [];
    return f.outcome === "unknown" ? unknown(f.reason ?? "", ...seen) : { ...f, evidence: [...seen, ...f.evidence] };
  },
  "agent-sessions-unrestricted": (o) => {
    const a = aclsOf(o, "authorizer");
    if (a.none) return finding(a.none.replace("every action is allowed", "every principal the agent lets in may open a session in any task"));
    if (!a.acls) return a.verdict!;
    const acls = a.acls;
    // a session needs all three (src/slave/http.cpp:3360 and :4485); its own user: none named, so ANY (source-1.11.md §8)
    const asks: Array<[string, ReturnType<typeof some>]> = [
      ["launch_nested_container_sessions_as_user", ANY_OBJECT],
      ["launch_nested_container_sessions_under_parent_with_user", some("root")],
      ["attach_containers_output", some("root")],
    ];
    const decisions = asks.map(([action, object]) => ({ action, d: approved(acls, action, principal(UNNAMED), object) }));
    const lines = decisions.map(
      ({ action, d }) =>
        `${action} for ${NOBODY_NAMED}: ${d.allowed ? "allowed" : "refused"} (${d.rule ? describeRule(action, d.rule) : "no rule matches, permissive"})`,
    );
    return decisions.every((x) => x.d.allowed) ? finding(...lines.map((l) => `${l} ${via(o)}`)) : absent(...lines.filter((l) => l.includes("refused")));
  },
  "registry-credential-in-flags": (o) => {
    const flags = o.flags;
    if (!flags) return unknown(flagsReason(o));
    const v = flags.docker_config;
    if (v === undefined) return absent(`flag docker_config: not set ${via(o)}`);
    const d = dockerConfigRegistries(v);
    if (!d) return unknown("flag docker_config is set but is not Docker's config JSON", `flag docker_config: set (value not shown) ${via(o)}`);
    return d.withCredential > 0
      ? finding(
          `flag docker_config: credentials for ${d.withCredential} registr${d.withCredential === 1 ? "y" : "ies"} (${d.registries.join(", ")}) ${via(o)}; values not shown`,
        )
      : absent(`flag docker_config: no credential ${via(o)}`);
  },
};

/** The read-only endpoints: any 200 proves the weakness, all 401 prove it closed. */
function readonlyEndpoints(o: HttpObservation, keys: string[]): Verdict {
  const answers = keys.map((k) => ({ k, r: o.anonymous[k] })).filter((x): x is { k: string; r: HttpResult } => x.r !== undefined);
  if (answers.length === 0) return unknown(o.scheme === "none" ? flagsReason(o) : "the endpoints were not probed (the port did not answer the audit)");
  const open = answers.filter((x) => x.r.ok && x.r.status === 200);
  if (open.length > 0) return finding(...open.flatMap((x) => answerLines(o, x.k, detail(x.k, x.r))));
  if (answers.every((x) => x.r.ok && x.r.status === 401)) return absent(...answers.flatMap((x) => answerLines(o, x.k)));
  return unknown("the endpoints answered neither 200 nor 401", ...answers.flatMap((x) => answerLines(o, x.k)));
}

/** A few words on what an open endpoint gave away: counts, never contents. */
function detail(key: string, r: HttpResult): string {
  if (!r.ok || r.truncated) return "";
  try {
    const doc = JSON.parse(r.body) as Record<string, unknown>;
    if (key === "files") return ` (lists ${Object.keys(doc).length} sandbox path(s))`;
    if (key === "state" && typeof doc.activated_slaves === "number") return ` (the master's state: ${doc.activated_slaves} active agent(s))`;
    if (key === "frameworks" && Array.isArray(doc.frameworks)) return ` (${doc.frameworks.length} framework(s))`;
  } catch {
    // not JSON: the status line says enough
  }
  return "";
}

/** `GET /master/frameworks: 2 of 3 framework(s) registered as user root`, when the answer was readable. */
function frameworksAsRoot(o: HttpObservation): string[] {
  const r = o.anonymous.frameworks;
  if (!r?.ok || r.status !== 200 || r.truncated) return [];
  try {
    const list = (JSON.parse(r.body) as { frameworks?: Array<{ user?: unknown }> }).frameworks ?? [];
    const root = list.filter((f) => f.user === "root").length;
    return root > 0 ? [`${o.sent.frameworks} (anonymous): ${root} of ${list.length} framework(s) registered as user root`] : [];
  } catch {
    return [];
  }
}

function zkEvaluator(z: ZkObservation): Verdict {
  if (!z.srvr.ok) return unknown(`${z.srvr.code}: ${z.srvr.message}`);
  const text = z.srvr.text;
  const first = text.split("\n")[0]?.trim() ?? "";
  if (/^Zookeeper version:/i.test(first)) {
    const mode = /^Mode: .*$/m.exec(text)?.[0];
    return finding(`srvr → ${first}`, ...(mode ? [mode] : []));
  }
  return absent(first ? `srvr → ${first}` : "srvr → the connection closed without an answer");
}

export interface EvaluateOptions {
  active: boolean;
}

/** Every probe that applies, on every target of its roles; active probes only with --active. */
export function evaluate(obs: Observations, opts: EvaluateOptions, probes: readonly Probe[] = PROBES): Check[] {
  const checks: Check[] = [];
  for (const probe of probes) {
    if (probe.mode === "active" && !opts.active) continue;
    for (const o of obs.http) {
      if (!probe.roles.includes(o.target.role)) continue;
      const f = httpEvaluators[probe.id];
      if (!f) throw new Error(`audit probe ${probe.id} has no evaluator for ${o.target.role}`);
      checks.push({ probe: probe.id, target: o.target.url, role: o.target.role, ...f(o) });
    }
    if (probe.roles.includes("zk")) for (const z of obs.zk) checks.push({ probe: probe.id, target: z.target.url, role: "zk", ...zkEvaluator(z) });
  }
  return checks;
}

/** The evaluators' ids, for the test that every probe has one and no evaluator lacks a probe. */
export const EVALUATED = [...Object.keys(httpEvaluators), "zk-four-letter-words"];
