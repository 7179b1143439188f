import type { AuditReport, Finding } from "./types.js";

/**
 * The audit for a person: the targets, one block per finding (severity, title, target, evidence, the exercise that
 * teaches the fix, the flags that close it), what could not be judged and why, what no outside probe can see, and
 * the verdict that sets the exit code.
 */

const exercise = (f: Finding) => (f.exercise ? `fixed in exercise ${f.exercise.id}: ${f.exercise.title}` : "fixed in: no exercise of the lab (see flags)");

function block(f: Finding): string[] {
  const pad = "            ";
  return [
    `${f.severity.toUpperCase().padEnd(7)} ${f.id} · ${f.target} (${f.role})`,
    `  ${f.title}`,
    ...f.evidence.map((e, i) => `  ${i === 0 ? "evidence: " : pad.slice(2)}${e}`),
    `  ${exercise(f)}`,
    ...f.flags.map((fl, i) => `  ${i === 0 ? "flags:    " : pad.slice(2)}${fl}`),
  ];
}

export function renderHuman(r: AuditReport): string {
  const out: string[] = [];
  out.push(`mesos-lab audit (${r.mode === "active" ? "active: read-only probes and the active ones" : "read-only"}) · ${r.startedAt}`);
  for (const t of r.targets) {
    const how = t.role === "zk" ? "four-letter words over TCP" : t.scheme === "none" ? "endpoints not probed" : `probed over ${t.scheme}`;
    out.push(`  ${t.role.padEnd(6)} ${t.url}  ${t.version ? `Mesos ${t.version}, ` : ""}${how}`);
    for (const n of t.notes) out.push(`         note: ${n}`);
  }
  out.push("");
  if (r.findings.length === 0) out.push(r.summary.notProbed.length > 0 ? "No findings in what could be probed (see Not judged)." : "No findings.", "");
  for (const f of r.findings) out.push(...block(f), "");
  const notJudged = r.checks.filter((c) => c.outcome === "unknown" || c.outcome === "skipped");
  if (notJudged.length > 0) {
    out.push(`Not judged (${notJudged.length}):`);
    for (const c of notJudged) out.push(`  ${c.probe} · ${c.target}: ${c.outcome}, ${c.reason ?? ""}`);
    out.push("");
  }
  out.push("Not visible from outside (a clean audit says nothing about these):");
  for (const n of r.notVisible) out.push(`  ${n.exercise.id} ${n.exercise.title}: ${n.control}`, `     why: ${n.reason}`);
  out.push("");
  const s = r.summary;
  const absent = r.checks.filter((c) => c.outcome === "absent").length;
  out.push(
    `${r.findings.length} finding(s): ${s.high} high, ${s.medium} medium, ${s.low} low, ${s.info} info; ${absent} check(s) found the control in place. ` +
      (s.failed
        ? `Findings at or above ${r.failOn} (--fail-on ${r.failOn}): exit 1.`
        : s.notProbed.length > 0
          ? `Incomplete: the endpoints of ${s.notProbed.join(", ")} were not probed (the note under each says why): exit 9.`
          : `Nothing at or above ${r.failOn} (--fail-on ${r.failOn}).`),
  );
  return `${out.join("\n")}\n`;
}
