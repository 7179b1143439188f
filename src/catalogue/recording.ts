import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "./root.js";

/** A recorded real run: `NN:step` → its status, its attack's outcome, each expectation's status, and its duration. */
export interface Recording {
  source?: string;
  steps: Record<string, { status: string; attack?: string; durationMs?: number; expectations: Record<string, { status: string }> }>;
}

/** The recording of the real Mesos 1.11 catalogue run, kept in the repository (absent from an installed package). */
export const RECORDING_FILE = path.join(packageRoot(), "test", "catalogue", "real-1.11-outcomes.json");

/** The recording at RECORDING_FILE, or undefined where there is none (an installed package). */
export function readRecording(file = RECORDING_FILE): Recording | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Recording) : undefined;
}

/** `NN:step` → milliseconds, for the steps whose recording carries a duration (recordings before 2026-12 carry none). */
export function recordedDurations(recording: Recording | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, step] of Object.entries(recording?.steps ?? {}))
    if (typeof step.durationMs === "number" && Number.isFinite(step.durationMs) && step.durationMs >= 0) out.set(key, step.durationMs);
  return out;
}
