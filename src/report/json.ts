import type { StepResult } from "../engine/events.js";
import { StepCollector, type Reporter, type ShardLabel } from "./reporter.js";

/** Machine-readable outcome. `redact` is for callers outside a run: a run's stream comes redacted already. */
export function jsonReport(
  results: StepResult[],
  meta: { profile: string; exitCode: number; durationMs: number; shard?: string },
  redact: (s: string) => string = (t) => t,
): string {
  return `${redact(
    JSON.stringify(
      { ...meta, passed: results.filter((r) => r.status === "passed").length, failed: results.filter((r) => r.status !== "passed").length, steps: results },
      null,
      2,
    ),
  )}\n`;
}

/** Collects the steps' results from the stream and writes the JSON report once, at the run's end. */
export function jsonReporter(write: (s: string) => void, shard?: ShardLabel): Reporter {
  const steps = new StepCollector();
  return {
    event(ev) {
      steps.event(ev);
      if (ev.type === "run:end")
        write(
          jsonReport(steps.results(), {
            profile: steps.profile,
            exitCode: ev.exitCode,
            durationMs: ev.durationMs,
            ...(shard ? { shard: `${shard.index}/${shard.total}` } : {}),
          }),
        );
    },
    close() {},
  };
}
