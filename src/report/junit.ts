import type { StepResult } from "../engine/events.js";
import { failureLines, keptLines, processGist, processHeadline } from "./format.js";
import { type ExerciseSkipped, StepCollector, type Reporter, type ShardLabel } from "./reporter.js";

const esc = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 cannot carry these characters, so they are dropped
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");

/** The root's name: `mesos-lab`, or for a part `<testsuites name="mesos-lab shard 2/3">`, which junit-merge reads to find a missing part. */
export const junitRootName = (shard?: Pick<ShardLabel, "index" | "total">) => `mesos-lab${shard ? ` shard ${shard.index}/${shard.total}` : ""}`;

/**
 * JUnit XML: one testsuite per exercise, one testcase per step; the failure body is the plain explanation. A part of
 * `verify --shard` holds whole exercises, so the parts' suite names never collide and any JUnit merger can join them.
 * An exercise that cannot run on this host (`skipped`) is a suite whose steps are each `<skipped message="cannot run
 * here: …">` with the fix as its text; the `skipped` counts appear only when there is one.
 */
export function junitXml(
  results: StepResult[],
  titles: Record<string, string>,
  redact: (s: string) => string = (t) => t,
  shard?: Pick<ShardLabel, "index" | "total">,
  skipped: ExerciseSkipped[] = [],
): string {
  const byEx = new Map<string, StepResult[]>();
  for (const r of results) byEx.set(r.exercise, [...(byEx.get(r.exercise) ?? []), r]);
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let time = 0;
  for (const [ex, steps] of byEx) {
    const f = steps.filter((s) => s.status === "failed").length;
    const e = steps.filter((s) => s.status === "error").length;
    const t = steps.reduce((a, s) => a + s.durationMs, 0) / 1000;
    tests += steps.length;
    failures += f;
    errors += e;
    time += t;
    const cases = steps.map((s) => {
      // an attack step names its attack and what it saw: a CI report reads "exploit worked" / "exploit blocked"
      const attack = s.attack
        ? ` [attack ${s.attack.id}: ${s.attack.outcome === "works" ? "exploit worked" : s.attack.outcome === "blocked" ? "exploit blocked" : "unproven"}]`
        : "";
      const name = `${s.step}: ${s.title}${attack}`;
      const attrs = `classname="mesos-lab.${esc(ex)}" name="${esc(name)}" time="${(s.durationMs / 1000).toFixed(3)}"`;
      if (s.status === "passed") return `    <testcase ${attrs}/>`;
      const body = esc(redact(failureLines(s).join("\n")));
      const d = s.died?.[0];
      const gist = d && processGist(d);
      const first = [s.error ?? s.expectations.find((x) => x.status === "failed")?.says ?? "failed", d && `${processHeadline(d)}${gist ? `: ${gist}` : ""}`]
        .filter(Boolean)
        .join(" — ");
      const tag = s.status === "error" ? "error" : "failure";
      // what the processes that ended printed, whole as far as it was kept: CI tools show these next to the failure
      const streams = (name: "stdout" | "stderr") =>
        (s.died ?? [])
          .filter((p) => p[name].total > 0)
          .map((p) => [`── ${processHeadline(p)}: ${name}${p.command ? ` of ${p.command}` : ""}`, ...keptLines(p[name])].join("\n"));
      const sys = (el: string, parts: string[]) => (parts.length ? `\n      <${el}>${esc(redact(parts.join("\n")))}</${el}>` : "");
      return `    <testcase ${attrs}>\n      <${tag} message="${esc(redact(first))}">${body}</${tag}>${sys("system-out", streams("stdout"))}${sys("system-err", streams("stderr"))}\n    </testcase>`;
    });
    suites.push(
      `  <testsuite name="${esc(`${ex} ${titles[ex] ?? ""}`.trim())}" tests="${steps.length}" failures="${f}" errors="${e}" time="${t.toFixed(3)}">\n${cases.join("\n")}\n  </testsuite>`,
    );
  }
  let skippedTests = 0;
  for (const sk of skipped) {
    skippedTests += sk.steps.length;
    tests += sk.steps.length;
    const message = esc(redact(`cannot run here: ${sk.reason}`));
    const cases = sk.steps.map(
      (st) =>
        `    <testcase classname="mesos-lab.${esc(sk.exercise.id)}" name="${esc(`${st.id}: ${st.title}`)}" time="0.000">\n      <skipped message="${message}">${esc(redact(`fix: ${sk.fix}`))}</skipped>\n    </testcase>`,
    );
    suites.push(
      `  <testsuite name="${esc(`${sk.exercise.id} ${sk.exercise.title}`.trim())}" tests="${sk.steps.length}" failures="0" errors="0" skipped="${sk.steps.length}" time="0.000">\n${cases.join("\n")}\n  </testsuite>`,
    );
  }
  const skippedAttr = skippedTests ? ` skipped="${skippedTests}"` : "";
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${junitRootName(shard)}" tests="${tests}" failures="${failures}" errors="${errors}"${skippedAttr} time="${time.toFixed(3)}">\n${suites.join("\n")}\n</testsuites>\n`;
}

/** Collects the steps' results from the stream and writes the JUnit XML once, at the run's end. */
export function junitReporter(write: (s: string) => void, shard?: ShardLabel): Reporter {
  const steps = new StepCollector();
  return {
    event(ev) {
      steps.event(ev);
      if (ev.type === "run:end") write(junitXml(steps.results(), steps.titles, undefined, shard, steps.skipped));
    },
    close() {},
  };
}
