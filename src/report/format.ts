import type { ExpectationResult, StepResult } from "../engine/events.js";

export const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** What a step restarted: only the roles whose flags changed, when it went on with the step before's cluster. */
export const containersText = (t: Pick<StepResult["timings"], "created" | "reused">) => `containers: ${t.created} started, ${t.reused} reused`;

export function citeText(e: Pick<ExpectationResult, "cite">): string {
  return `${e.cite.at}${e.cite.derived ? " (derived)" : ""}`;
}

/** The failure explanation shared by the plain and JUnit reporters: expected vs closest actual, death, hint. */
export function failureLines(step: StepResult): string[] {
  const out: string[] = [];
  if (step.error) out.push(`error: ${step.error}`);
  for (const e of step.expectations.filter((x) => x.status === "failed")) {
    out.push(`✗ ${e.says} — ${e.negate ? "must not match" : "expected"} /${e.pattern}/ in ${e.source} [${citeText(e)}]`);
    if (e.reason) out.push(`    ${e.reason}`);
    if (e.matched) out.push(`    matched: ${e.matched}`);
    if (e.closest?.length) {
      out.push("    closest actual lines:");
      for (const l of e.closest) out.push(`      | ${l}`);
    }
  }
  for (const d of step.died ?? []) {
    out.push(`${d.role} exited with code ${d.exitCode}; its last lines:`);
    for (const l of d.lastLines) out.push(`      | ${l}`);
  }
  out.push(`hint: ${step.hint}`);
  return out;
}
