import type { StepResult } from "../engine/events.js";
import { failureCause } from "../engine/failure-cause.js";
import { type ExerciseSkipped, StepCollector, type Reporter, type ShardLabel } from "./reporter.js";

/**
 * Machine-readable outcome. `redact` is for callers outside a run: a run's stream comes redacted already. `skipped`:
 * the exercises that cannot run on this host (`verify --all`), with the reason, the fix and the steps they hold. A
 * failed step whose lines hold the one that explains it has `cause` (failure-cause.ts: id, line, where, hint, cite).
 */
export function jsonReport(
  results: StepResult[],
  meta: { profile: string; exitCode: number; durationMs: number; shard?: string },
  redact: (s: string) => string = (t) => t,
  skipped: ExerciseSkipped[] = [],
): string {
  return `${redact(
    JSON.stringify(
      {
        ...meta,
        passed: results.filter((r) => r.status === "passed").length,
        failed: results.filter((r) => r.status !== "passed").length,
        // a failed step leads with the line that explains it, as the plain and JUnit reports and the TUI's panel do
        steps: results.map((r) => {
          const cause = failureCause(r);
          return cause ? { ...r, cause } : r;
        }),
        skipped: skipped.map((s) => ({ exercise: s.exercise.id, title: s.exercise.title, steps: s.steps.map((st) => st.id), reason: s.reason, fix: s.fix })),
      },
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
          jsonReport(
            steps.results(),
            {
              profile: steps.profile,
              exitCode: ev.exitCode,
              durationMs: ev.durationMs,
              ...(shard ? { shard: `${shard.index}/${shard.total}` } : {}),
            },
            undefined,
            steps.skipped,
          ),
        );
    },
    close() {},
  };
}
