import type { LabBus, LabEvent } from "../engine/events.js";
import { citeText, failureLines, secs } from "./format.js";

/**
 * Line-oriented output for CI logs and non-TTY use: per step each expectation with pass/fail and time, and on
 * failure the expected pattern against the closest actual lines.
 */
export function attachPlain(bus: LabBus, write: (s: string) => void, redact: (s: string) => string, opts: { verbose?: boolean } = {}): () => void {
  let lastPull = 0;
  const out = (s: string) => write(redact(s) + "\n");
  return bus.on((ev: LabEvent) => {
    switch (ev.type) {
      case "run:start":
        out(`mesos-lab verify — profile ${ev.profile}, ${ev.exercises.length} exercise${ev.exercises.length === 1 ? "" : "s"}`);
        break;
      case "image:pull": {
        const now = Date.now();
        if (now - lastPull < 1000 && !/complete|Downloaded newer|up to date/i.test(ev.progress.status)) break;
        lastPull = now;
        const pct = ev.progress.total ? ` ${Math.round(((ev.progress.current ?? 0) / ev.progress.total) * 100)}%` : "";
        out(`  pull ${ev.progress.image}: ${ev.progress.status}${ev.progress.layer ? ` ${ev.progress.layer}` : ""}${pct}`);
        break;
      }
      case "exercise:start":
        out(`\n${ev.exercise.id} ${ev.exercise.title}`);
        break;
      case "step:start":
        out(`  step ${ev.index + 1}/${ev.total} ${ev.step.id}: ${ev.step.title}`);
        for (const [role, changes] of Object.entries(ev.diff)) for (const c of changes) if (!c.key.startsWith("LIBPROCESS_IP") && ev.index >= 0) opts.verbose && out(`      ${role}: ${c.op} ${c.key}${c.value !== undefined ? `=${c.value}` : ""}`);
        break;
      case "action:start":
        out(`    → ${ev.detail}`);
        break;
      case "log":
        if (opts.verbose) out(`      [${ev.source}] ${ev.text}`);
        break;
      case "expectation":
        if (ev.result.status === "passed") out(`    ✓ ${ev.result.says} (${ev.result.source}, ${secs(ev.result.elapsedMs)}) [${citeText(ev.result)}]`);
        break;
      case "step:end": {
        const r = ev.result;
        if (r.status !== "passed") for (const l of failureLines(r)) out(`    ${l}`);
        out(`    ${r.status === "passed" ? "passed" : "FAILED"} in ${secs(r.durationMs)} (containers: ${r.timings.created} started, ${r.timings.reused} reused)`);
        break;
      }
      case "cleanup":
        if (opts.verbose) out(`  removed ${ev.removed} container(s)/network(s)`);
        break;
      case "warning":
        out(`warning: ${ev.message}`);
        break;
      case "run:end":
        out(`\n${ev.passed} passed, ${ev.failed} failed (${secs(ev.durationMs)})`);
        break;
    }
  });
}
