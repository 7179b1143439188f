import type { StepResult } from "../../src/engine/events.js";
import type { Recording } from "../real/recording.js";

/**
 * Where a stand-in run and the recorded real Mesos 1.11 run disagree: a step only one of them ran, a step's status,
 * or an expectation's status. Empty when they agree.
 */
export function disagreements(standin: StepResult[], real: Recording): string[] {
  const out: string[] = [];
  const ran = new Map(standin.map((r) => [`${r.exercise}:${r.step}`, r]));
  for (const key of Object.keys(real.steps)) if (!ran.has(key)) out.push(`${key}: real Mesos ran it, the stand-in did not`);
  for (const [key, r] of ran) {
    const rec = real.steps[key];
    if (!rec) {
      out.push(`${key}: the stand-in ran it, the recording has no such step (re-record: MESOS_LAB_RECORD=1 npm run test:real)`);
      continue;
    }
    if (r.status !== rec.status) out.push(`${key}: stand-in ${r.status}, real Mesos ${rec.status}`);
    for (const e of r.expectations) {
      const want = rec.expectations[e.id];
      if (!want) out.push(`${key} ${e.id}: not in the recording`);
      else if (want.status !== e.status)
        out.push(
          `${key} ${e.id}: stand-in ${e.status}${e.reason ? ` (${e.reason})` : ""}, real Mesos ${want.status}${want.matched ? ` ('${want.matched}')` : ""}`,
        );
    }
    for (const id of Object.keys(rec.expectations))
      if (!r.expectations.some((e) => e.id === id)) out.push(`${key} ${id}: real Mesos checked it, the stand-in did not`);
  }
  return out;
}
