/**
 * The shapes of `mesos-lab audit`: a probe (data: what it sends, what proves the weakness, what proves it absent), a
 * check (one probe against one target), a finding (a check that proved the weakness) and the report the renderers
 * print. docs/audit/report.schema.json describes the report as `--json` prints it.
 */

/** Ordered from least to most severe: `--fail-on LEVEL` fails on LEVEL and everything after it. */
export const SEVERITIES = ["info", "low", "medium", "high"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const atOrAbove = (s: Severity, floor: Severity): boolean => SEVERITIES.indexOf(s) >= SEVERITIES.indexOf(floor);

/** What a target is: the audit never guesses it, the user names each address with its role. */
export type Role = "master" | "agent" | "zk";

/** The lab exercise that teaches the fix, as the catalogue names it (test/audit/probes.test.ts keeps them in step). */
export interface ExerciseRef {
  id: string;
  title: string;
}

/**
 * A probe, as data. `mode` says whether it can change the cluster: "read-only" probes run by default; "active" ones
 * only with `--active` (none exists yet, see ACTIVE_PROBES_NOTE in probes.ts).
 */
export interface Probe {
  id: string;
  /** The weakness, as a finding names it. */
  title: string;
  severity: Severity;
  roles: Role[];
  mode: "read-only" | "active";
  /** null: no exercise of the lab teaches it (ZooKeeper). */
  exercise: ExerciseRef | null;
  /** The flags (or libprocess environment variables) that close it, each prefixed with the process it belongs to. */
  flags: string[];
  /** What the probe sends. */
  sends: string[];
  /** What proves the weakness. */
  finding: string;
  /** What proves it absent. */
  absent: string;
  /** Where Mesos 1.11.x decides what the probe observes (path:line on the 1.11.x branch). */
  cite: string[];
}

/**
 * finding: the weakness was seen. absent: what proves it closed was seen. unknown: neither could be seen (a 403 on
 * /flags, a timeout). skipped: the probe does not apply (TLS probes on a plain port, ACL details without ACLs).
 */
export type Outcome = "finding" | "absent" | "unknown" | "skipped";

export interface Check {
  probe: string;
  target: string;
  role: Role;
  outcome: Outcome;
  /** Status lines, challenge headers, flag values (redacted): what the outcome rests on. */
  evidence: string[];
  /** Why the outcome is unknown or skipped. */
  reason?: string;
}

export interface Finding {
  id: string;
  severity: Severity;
  title: string;
  target: string;
  role: Role;
  evidence: string[];
  exercise: ExerciseRef | null;
  flags: string[];
}

export interface TargetSummary {
  role: Role;
  url: string;
  /** The Mesos version /version reported (absent for ZooKeeper, or when TLS refused the audit without a client certificate). */
  version?: string;
  /** The scheme the HTTP probes used ("tcp" for ZooKeeper). */
  scheme: "http" | "https" | "tcp" | "none";
  /** Whether the audit's credentials were used (and for what), or why they were not. */
  notes: string[];
}

export interface NotVisible {
  exercise: ExerciseRef;
  control: string;
  reason: string;
}

export interface AuditReport {
  format: "mesos-lab-audit/1";
  tool: { name: "mesos-lab"; version: string };
  startedAt: string;
  durationMs: number;
  mode: "read-only" | "active";
  failOn: Severity;
  targets: TargetSummary[];
  findings: Finding[];
  checks: Check[];
  notVisible: NotVisible[];
  /**
   * failed: a finding is at or above failOn. notProbed: targets whose endpoints the audit could not reach (a port that
   * requires a client certificate it was not given): their checks are unknown, so "no findings" would be a false clean.
   */
  summary: Record<Severity, number> & { failed: boolean; notProbed: string[] };
}
