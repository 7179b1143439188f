import { selectExercises } from "../../catalogue/load.js";
import type { ExpectationResult } from "../../engine/events.js";
import type { GlobalOpts } from "../../lab/global-options.js";
import { attackKept } from "../../lab/kept-attack.js";
import { LabRun } from "../../lab/run-service.js";
import { EXIT } from "../../util/errors.js";

/**
 * `mesos-lab attack 06[:step]`: the attack of the step the cluster `up` kept is at, sent again, and what it got. The
 * attendee sees the exploit work on the open cluster and, after `up` to the control, fail. What it prints comes from
 * the run's redacted stream: a secret shows only where the attack stole it (the lesson), marked as such.
 */
export async function attackCommand(g: GlobalOpts, target: string, opts: { verbose?: boolean; json?: boolean }): Promise<number> {
  const run = await LabRun.open({ configFile: g.config });
  try {
    const [sel] = selectExercises(run.catalogue, [target]);
    const ex = sel!.exercise;
    const out = (t: string) => void (opts.json ? process.stderr : process.stdout).write(t);
    const results = new Map<string, ExpectationResult>();
    run.reportStream.on((ev) => {
      if (ev.type === "expectation") results.set(ev.result.id, ev.result);
      else if (ev.type === "action:start") out(`  → ${ev.detail}\n`);
      else if (ev.type === "log" && (opts.verbose || ev.role === "attacker")) out(`    ${ev.role === "attacker" ? "" : `${ev.source}: `}${ev.text}\n`);
    });
    const prepared = await run.prepare({ exercises: [ex], pull: false, ports: "kept" });
    out(`attack ${ex.id} on the cluster \`mesos-lab up\` kept…\n`);
    const r = await attackKept(prepared, ex, sel!.step);
    const evidence = (side: "works" | "blocked") => r.evidence[side].map((e) => results.get(`${side}:${e.id}`) ?? e);
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ ...r, evidence: { works: evidence("works"), blocked: evidence("blocked") } }, null, 2)}\n`);
    } else {
      out(`\n"${r.attack.title}", at step ${r.exercise}:${r.step} (in the catalogue it ${r.expected === "works" ? "works here" : "is blocked here"}):\n`);
      for (const side of ["works", "blocked"] as const) {
        const ev = evidence(side);
        if (ev.length === 0) continue;
        out(`  evidence that it ${side === "works" ? "worked" : "was blocked"}:\n`);
        for (const e of ev) {
          const said = e.status === "passed" ? (e.matched ?? (e.negate ? "never appeared" : "")) : (e.reason ?? "");
          // a whole JSON answer on one line: its start says enough here (--json and -v carry all of it)
          const what = said.length > 160 && !opts.verbose ? `${said.slice(0, 157)}…` : said;
          out(`    ${e.status === "passed" ? "✔" : "✘"} ${e.says}${what ? `: ${what}` : ""}${e.stolen ? "  (stolen by the exploit, shown on purpose)" : ""}\n`);
        }
      }
      const verdict =
        r.outcome === "works"
          ? "☠ exploit worked: the cluster let the attacker through"
          : r.outcome === "blocked"
            ? "✔ exploit blocked: the control stopped it"
            : "? neither outcome was proven (see the evidence above)";
      out(`\n${verdict}  (${(r.durationMs / 1000).toFixed(1)} s)\n`);
    }
    return r.outcome === "unproven" ? EXIT.expectationsFailed : EXIT.ok;
  } finally {
    run.dispose();
  }
}
