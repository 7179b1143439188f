/**
 * CLI cold start: `mesos-lab --help` and `mesos-lab list`, each a whole process, next to a bare `node -e 0` measured in
 * the same run. The two take turns (node, CLI, node, CLI, …) so that a machine that slows down slows both, and each
 * figure is the median of its runs, after one run of each that is not counted (the first `list` after a build keeps
 * what later starts read, src/util/memo.ts). The goal for `list` is at most 2× bare node (issue 23).
 *
 * Section 7 of `npm run bench`; alone, without Docker: `node --import tsx bench/cold-start.ts [--short]` (after
 * `npm run build`), in the checkout, so that `list` reads its lab.config.ts as an attendee's does.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";

export const LIST_GOAL = 2;

export interface ColdStart {
  args: string[];
  /** Median wall time of the command, ms. */
  ms: number;
  /** Median wall time of `node -e 0` in turn with it, ms. */
  bareMs: number;
  ratio: number;
  runs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function timed(file: string, args: string[]): number {
  const t0 = performance.now();
  execFileSync(file, args, { stdio: "ignore", env: { ...process.env, CI: "true" } });
  return performance.now() - t0;
}

/** `--help` and `list` of the binary `bin`, each against bare node, `runs` (at least 7) times each. */
export function coldStart(bin: string, runs = 7): ColdStart[] {
  const n = Math.max(7, runs);
  return [["--help"], ["list"]].map((args) => {
    timed("node", ["-e", "0"]);
    timed("node", [bin, ...args]);
    const bare: number[] = [];
    const cli: number[] = [];
    for (let i = 0; i < n; i++) {
      bare.push(timed("node", ["-e", "0"]));
      cli.push(timed("node", [bin, ...args]));
    }
    const [ms, bareMs] = [median(cli), median(bare)];
    return { args, ms, bareMs, ratio: ms / bareMs, runs: n };
  });
}

/** The goal as the bench's table says it (its ✓ or ✗ says whether it is met). */
export const describeListGoal = (r: ColdStart) => `≤ ${LIST_GOAL}× bare node (medians of ${r.runs}, in turn)`;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const short = process.argv.includes("--short");
  for (const r of coldStart(path.resolve("bin/mesos-lab.js"), short ? 7 : 11)) {
    const goal = r.args[0] === "list" ? `; goal ${describeListGoal(r)}: ${r.ratio <= LIST_GOAL ? "met ✓" : "not met ✗"}` : "";
    console.log(`CLI cold start \`${r.args.join(" ")}\`: ${r.ms.toFixed(1)} ms, bare \`node -e 0\` ${r.bareMs.toFixed(1)} ms: ${r.ratio.toFixed(2)}×${goal}`);
  }
}
