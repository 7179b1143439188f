import { readFileSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../catalogue/root.js";
import { redactor } from "../report/redact.js";
import { type Credentials, collect } from "./collect.js";
import { evaluate } from "./evaluate.js";
import { secretsOf } from "./flags.js";
import type { TlsMaterial } from "./http.js";
import { NOT_VISIBLE } from "./not-visible.js";
import { PROBES, probeById } from "./probes.js";
import { parseHttpTarget, parseZkTarget, type Target } from "./targets.js";
import { type AuditReport, atOrAbove, type Finding, SEVERITIES, type Severity } from "./types.js";

export interface AuditOptions {
  master: string;
  agents: string[];
  zk?: string;
  credentials?: Credentials;
  tls: TlsMaterial;
  /** Each request's bound (--timeout). */
  timeoutMs: number;
  active: boolean;
  failOn: Severity;
}

/**
 * The whole audit's bound: the requests run in at most four rounds (/version over http and https, a retry with the
 * client certificate, the endpoints, /flags with credentials), each bounded by --timeout; one second on top for the
 * rest. Past it, whatever has not answered counts as a timeout.
 */
export const overallBoundMs = (timeoutMs: number) => 5 * timeoutMs + 1000;

const ROLE_ORDER = { master: 0, agent: 1, zk: 2 } as const;

function toolVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(packageRoot(), "package.json"), "utf8")) as { version?: string }).version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/** Every string in a value, at any depth, through `redact`. */
function redactDeep<T>(value: T, redact: (s: string) => string): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => redactDeep(v, redact)) as T;
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, redact)])) as T;
  return value;
}

/**
 * Runs the audit: targets parsed (usage errors before anything is sent), everything observed, every probe judged, and
 * the report redacted as a whole: the audit's own secret, and whatever in the targets' flags could be one
 * (flags.ts secretsOf), is replaced by `******` in every string, whatever renders it.
 */
export async function runAudit(opts: AuditOptions): Promise<AuditReport> {
  const targets: Target[] = [
    parseHttpTarget("master", opts.master),
    ...opts.agents.map((a) => parseHttpTarget("agent", a)),
    ...(opts.zk ? [parseZkTarget(opts.zk)] : []),
  ];
  const startedAt = new Date();
  const obs = await collect(targets, {
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    tls: opts.tls,
    timeoutMs: opts.timeoutMs,
    signal: AbortSignal.timeout(overallBoundMs(opts.timeoutMs)),
  });
  const checks = evaluate(obs, { active: opts.active });
  const order = (id: string) => PROBES.findIndex((p) => p.id === id);
  const findings: Finding[] = checks
    .filter((c) => c.outcome === "finding")
    .map((c) => {
      const p = probeById(c.probe);
      return { id: p.id, severity: p.severity, title: p.title, target: c.target, role: c.role, evidence: c.evidence, exercise: p.exercise, flags: p.flags };
    })
    .sort(
      (a, b) =>
        SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) ||
        ROLE_ORDER[a.role] - ROLE_ORDER[b.role] ||
        a.target.localeCompare(b.target) ||
        order(a.id) - order(b.id),
    );
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length])) as Record<Severity, number>;
  const report: AuditReport = {
    format: "mesos-lab-audit/1",
    tool: { name: "mesos-lab", version: toolVersion() },
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    mode: opts.active ? "active" : "read-only",
    failOn: opts.failOn,
    targets: [
      ...obs.http.map((o) => ({
        role: o.target.role,
        url: o.target.url,
        ...(o.version ? { version: o.version } : {}),
        scheme: o.scheme,
        notes: o.notes,
      })),
      ...obs.zk.map((z) => ({ role: z.target.role, url: z.target.url, scheme: "tcp" as const, notes: [] })),
    ],
    findings,
    checks,
    notVisible: [...NOT_VISIBLE],
    summary: {
      ...counts,
      failed: findings.some((f) => atOrAbove(f.severity, opts.failOn)),
      notProbed: obs.http.filter((o) => o.scheme === "none").map((o) => o.target.url),
    },
  };
  const secrets = [...(opts.credentials ? [opts.credentials.secret] : []), ...obs.http.flatMap((o) => (o.flags ? secretsOf(o.flags) : []))];
  return redactDeep(report, redactor(secrets));
}
