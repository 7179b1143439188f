import { NOT_VISIBLE } from "../audit/not-visible.js";
import { PROBES } from "../audit/probes.js";
import type { AuditReport, Role, Severity } from "../audit/types.js";
import { cell, line, type Line, sanitize, truncate, widthOf, wrap } from "./lines.js";
import type { AuditView } from "./state.js";
import { SPINNER } from "./step-lines.js";

/**
 * The panel an exercise ends with (issue 21 point 5): the lab audits its own cluster, and the attendee sees what this
 * exercise closed, what is still open, and which exercise closes each. Pure: a report and an exercise in, lines out.
 */

export interface AuditPanel {
  exercise: string;
  /** This exercise's probes that a check saw closed and none saw open. */
  closed: Array<{ id: string; title: string }>;
  /** This exercise's probes no check could judge (a 401 on /flags, a port that wants a client certificate). */
  unjudged: Array<{ id: string; title: string; reason: string }>;
  /** Every finding, once per probe (the master and the agent may both show it), by the exercise that closes it. */
  open: Array<{ id: string; title: string; severity: Severity; roles: Role[]; exercise: string | null }>;
  /** Checks no outcome could be given for: a clean panel is not a clean cluster when this is not 0. */
  notJudged: number;
  /** Why an outside audit cannot see this exercise's control, when it cannot. */
  notVisible?: string;
}

export function auditPanel(report: AuditReport, exercise: string): AuditPanel {
  const mine = PROBES.filter((p) => p.exercise?.id === exercise);
  const found = new Set(report.findings.map((f) => f.id));
  const checksOf = (id: string) => report.checks.filter((c) => c.probe === id);
  const closed = mine.filter((p) => !found.has(p.id) && checksOf(p.id).some((c) => c.outcome === "absent"));
  const unjudged = mine
    .filter((p) => !found.has(p.id) && !closed.includes(p))
    .map((p) => ({ id: p.id, title: p.title, reason: checksOf(p.id).find((c) => c.reason)?.reason ?? "not probed" }));
  const order = (id: string) => PROBES.findIndex((p) => p.id === id);
  const byProbe = new Map<string, AuditPanel["open"][number]>();
  for (const f of report.findings) {
    const seen = byProbe.get(f.id);
    if (seen) {
      if (!seen.roles.includes(f.role)) seen.roles.push(f.role);
    } else byProbe.set(f.id, { id: f.id, title: f.title, severity: f.severity, roles: [f.role], exercise: f.exercise?.id ?? null });
  }
  // by the exercise that closes it: the attendee reads the list as the road ahead
  const open = [...byProbe.values()].sort((a, b) => (a.exercise ?? "99").localeCompare(b.exercise ?? "99") || order(a.id) - order(b.id));
  const nv = NOT_VISIBLE.find((n) => n.exercise.id === exercise);
  return {
    exercise,
    closed: closed.map((p) => ({ id: p.id, title: p.title })),
    unjudged,
    open,
    notJudged: report.checks.filter((c) => c.outcome === "unknown").length,
    ...(nv ? { notVisible: nv.reason } : {}),
  };
}

const SEVERITY_COLOR: Record<Severity, string | undefined> = { high: "red", medium: "yellow", low: undefined, info: undefined };

/** One item: its mark, its title cut to what the suffix leaves, and the suffix whole (it is the answer). */
function item(mark: Line, title: string, suffix: Line, width: number): Line {
  const room = Math.max(4, width - 2 - widthOf(suffix));
  return truncate([...cell(mark, 2), ...truncate(line(sanitize(title)), room), ...suffix], width);
}

function closesIt(o: AuditPanel["open"][number], exercise: string): Line {
  if (o.exercise === exercise) return line("  still seen after this exercise", { color: "yellow" });
  return line(o.exercise ? `  exercise ${o.exercise} closes it` : "  no exercise closes it", { dim: true });
}

export function auditPanelLines(view: AuditView, width: number, tick = 0): Line[] {
  if (view.status === "running") return [truncate(line(`${SPINNER[tick % SPINNER.length]} auditing the lab…`, { color: "yellow" }), width)];
  if (view.status === "failed") return [truncate(line(`audit of the lab not available: ${sanitize(view.reason)}`, { color: "yellow" }), width)];
  const p = auditPanel(view.report, view.exercise);
  const out: Line[] = [
    truncate(
      [
        ...line("Audit of the lab's cluster", { bold: true }),
        ...line(` (read-only, as the operator)${p.notJudged ? ` · ${p.notJudged} check(s) could not be judged` : ""}`, { dim: true }),
      ],
      width,
    ),
    line(`Closed by exercise ${p.exercise}`, { bold: true }),
  ];
  if (p.closed.length + p.unjudged.length === 0) out.push(line("  nothing an outside probe checks", { dim: true }));
  for (const c of p.closed) out.push(item(line("✓", { color: "green" }), c.title, [], width));
  for (const u of p.unjudged) out.push(item(line("?", { color: "yellow" }), u.title, line(`  not judged: ${sanitize(u.reason)}`, { dim: true }), width));
  if (p.notVisible) out.push(...wrap(line(`an outside audit cannot see this control: ${sanitize(p.notVisible)}`, { dim: true }), width, "  "));
  out.push(line(`Still open (${p.open.length})`, { bold: true }));
  if (p.open.length === 0) out.push(line("  nothing the audit can see", { color: "green" }));
  for (const o of p.open)
    out.push(item(line("☠", { color: SEVERITY_COLOR[o.severity], dim: !SEVERITY_COLOR[o.severity] }), o.title, closesIt(o, p.exercise), width));
  return out;
}
