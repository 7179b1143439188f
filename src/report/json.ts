import type { StepResult } from "../engine/events.js";

/** Machine-readable outcome; secrets redacted like every other report. */
export function jsonReport(results: StepResult[], meta: { profile: string; exitCode: number; durationMs: number }, redact: (s: string) => string): string {
  return redact(JSON.stringify({ ...meta, passed: results.filter((r) => r.status === "passed").length, failed: results.filter((r) => r.status !== "passed").length, steps: results }, null, 2)) + "\n";
}
