import path from "node:path";
import type { StepResult } from "../../src/engine/events.js";

/** Outcomes of a real Mesos 1.11 run of the whole catalogue, kept in git: the stand-in must agree with them. */
export const RECORDING = path.resolve(import.meta.dirname, "../catalogue/real-1.11-outcomes.json");

export interface Recording {
  /** How the recording was made. */
  source: string;
  recordedAt: string;
  /**
   * `NN:step` → the step's status and each expectation's, with the line real Mesos printed for it, and how long the
   * step took at `--jobs 1` (what `verify --shard` balances its parts by).
   */
  steps: Record<
    string,
    { status: StepResult["status"]; attack?: string; durationMs?: number; expectations: Record<string, { status: string; matched?: string }> }
  >;
}

/** A JWT's signature is the part that makes it a credential: the recording keeps header and claims only. */
const unsigned = (line: string) => line.replace(/\b(eyJ[\w-]+\.eyJ[\w-]+)\.[\w-]+/g, "$1.<signature>");

export function outcomesOf(results: StepResult[]): Recording {
  const steps: Recording["steps"] = {};
  for (const r of results) {
    const expectations: Recording["steps"][string]["expectations"] = {};
    for (const e of r.expectations)
      expectations[e.id] = { status: e.status, ...(e.matched !== undefined && !e.negate ? { matched: unsigned(e.matched) } : {}) };
    steps[`${r.exercise}:${r.step}`] = { status: r.status, ...(r.attack ? { attack: r.attack.outcome } : {}), durationMs: r.durationMs, expectations };
  }
  return {
    source: "npm run test:real with MESOS_LAB_RECORD=1: verify --all --jobs 1 under profile 1.11 on the real Mesos build of ../shared/real-mesos",
    recordedAt: new Date().toISOString(),
    steps,
  };
}
