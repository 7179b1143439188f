import type { DiedProcess, ExpectationResult, StepResult, StreamTail } from "../engine/events.js";
import { failureCause } from "../engine/failure-cause.js";

export const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** What a step restarted: only the roles whose flags changed, when it went on with the step before's cluster. */
export const containersText = (t: Pick<StepResult["timings"], "created" | "reused">) => `containers: ${t.created} started, ${t.reused} reused`;

export function citeText(e: Pick<ExpectationResult, "cite">): string {
  return `${e.cite.at}${e.cite.derived ? " (derived)" : ""}`;
}

/** Who ended and how: `mesos-execute (action as-nobody) exited with code 1`, `agent container exited with code 1`. */
export function processHeadline(d: DiedProcess): string {
  const who = d.role === "execute" ? `mesos-execute${d.action ? ` (action ${d.action})` : ""}` : `${d.role}${d.instance ? `-${d.instance}` : ""} container`;
  const how = d.stoppedAfterMs !== undefined ? `was stopped after ${secs(d.stoppedAfterMs)} without exiting` : `exited with code ${d.exitCode ?? "unknown"}`;
  return `${who} ${how}`;
}

const USAGE = /^Usage: /;

/**
 * The lines of one stream worth showing: all of them when few; when a usage text follows the reason (stout's
 * `flags.usage(message)`: `Failed to load flag 'task': …`, a blank line, `Usage: mesos-execute [options]`, the flag
 * list) the reason up to the usage line; otherwise the last `max` lines. `label` says which part it is.
 */
export function streamExcerpt(name: "stderr" | "stdout", t: StreamTail, max = 10): { label: string; lines: string[] } {
  const kept = [...t.head, ...t.tail];
  const omitted = t.total - kept.length;
  if (t.total === 0) return { label: `${name}: nothing`, lines: [] };
  const usage = t.head.findIndex((l) => USAGE.test(l));
  if (usage > 0 && t.total > usage + 1 + 2) {
    return {
      label: `${name}, ${t.total} lines (what it said before its usage text):`,
      lines: [...t.head.slice(0, usage + 1), `… ${t.total - usage - 1} more lines of usage text`],
    };
  }
  if (omitted === 0 && kept.length <= max) return { label: `${name}, ${t.total} line${t.total === 1 ? "" : "s"}:`, lines: kept };
  return { label: `${name}, last ${Math.min(max, kept.length)} of ${t.total} lines:`, lines: kept.slice(-max) };
}

/** A process that ended: headline, command, then stderr and stdout apart (stderr first: that is where Mesos explains). */
export function processLines(d: DiedProcess, max = 10): string[] {
  const out = [`${processHeadline(d)}${d.role === "execute" ? "" : " while the step waited"}`];
  if (d.command) out.push(`  $ ${d.command}`);
  for (const name of ["stderr", "stdout"] as const) {
    const x = streamExcerpt(name, d[name], max);
    out.push(`  ${x.label}`);
    for (const l of x.lines) out.push(l ? `    | ${l}` : "    |");
  }
  return out;
}

/** The one line that says most about why a process ended: the reason before a usage text, else its last word. */
export function processGist(d: DiedProcess): string | undefined {
  const said = (t: StreamTail) => {
    const usage = t.head.findIndex((l) => USAGE.test(l));
    const kept = usage > 0 ? t.head.slice(0, usage) : [...t.head, ...t.tail];
    return kept.filter((l) => l.trim()).at(usage > 0 ? 0 : -1);
  };
  const line = said(d.stderr) ?? said(d.stdout);
  // a long line loses its middle, not its end: `Failed to load value '<the task JSON>': Missing required fields: agent_id`
  return line && line.length > 200 ? `${line.slice(0, 80)} … ${line.slice(-117)}` : line;
}

/** Everything kept of a stream, with the gap between its first and last lines marked. */
export function keptLines(t: StreamTail): string[] {
  const omitted = t.total - t.head.length - t.tail.length;
  return omitted > 0 ? [...t.head, `… ${omitted} line${omitted === 1 ? "" : "s"} not kept …`, ...t.tail] : [...t.head, ...t.tail];
}

/** The line that explains the failure and the hint for it, as the reports lead with them. */
export function causeLines(step: StepResult): string[] {
  const c = failureCause(step);
  return c ? [`cause: ${c.line}  (${c.where})`, `  → ${c.hint}`] : [];
}

/**
 * The failure explanation shared by the plain and JUnit reporters: first the line that explains it and its hint, then
 * what ended and what it printed last, then expected vs closest actual per expectation, then the step's own hint.
 */
export function failureLines(step: StepResult): string[] {
  const out: string[] = causeLines(step);
  if (step.error) out.push(`error: ${step.error}`);
  for (const d of step.died ?? []) out.push(...processLines(d));
  for (const e of step.expectations.filter((x) => x.status === "failed")) {
    out.push(`✗ ${e.says} — ${e.negate ? "must not match" : "expected"} /${e.pattern}/ in ${e.source} [${citeText(e)}]`);
    if (e.reason) out.push(`    ${e.reason}`);
    if (e.matched) out.push(`    matched: ${e.matched}`);
    if (e.closest?.length) {
      out.push("    closest actual lines:");
      for (const l of e.closest) out.push(`      | ${l}`);
    }
  }
  out.push(`hint: ${step.hint}`);
  return out;
}

/** An attack step's verdict, as every report says it: what was seen, and whether that is what the step expected. */
export function attackVerdict(a: NonNullable<StepResult["attack"]>): string {
  const seen = a.outcome === "works" ? "exploit worked" : a.outcome === "blocked" ? "exploit blocked" : "exploit neither shown to work nor blocked";
  const where = a.expect === "works" ? "on the open cluster" : "after the control";
  return `attack ${a.id}: ${seen}${a.outcome === a.expect ? ` ${where}, as expected` : ` (expected: ${a.expect === "works" ? "it works" : "it is blocked"} ${where})`}`;
}
