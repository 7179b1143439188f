import { LabError } from "../util/errors.js";
import { junitRootName } from "./junit.js";

/**
 * `mesos-lab junit-merge`: the JUnit reports of `verify --shard 1/n … n/n` as one report. It reads only what
 * junit.ts writes (no XML parser: that text is exact), so it can refuse what would make the merge lie: a part
 * missing or given twice, an exercise in two reports, a report cut short or edited.
 */

interface Suite {
  name: string;
  tests: number;
  failures: number;
  errors: number;
  /** Test cases of an exercise that could not run on the part's host (junit.ts), 0 when the attribute is absent. */
  skipped: number;
  time: number;
  cases: string[];
  text: string;
}

export interface JunitReport {
  file: string;
  shard?: { index: number; total: number };
  suites: Suite[];
}

const HEAD =
  /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="mesos-lab(?: shard (\d+)\/(\d+))?" tests="(\d+)" failures="(\d+)" errors="(\d+)"(?: skipped="(\d+)")? time="\d+\.\d{3}">\n/;
const TAIL = "\n</testsuites>\n";
const SUITE =
  /^ {2}<testsuite name="([^"]*)" tests="(\d+)" failures="(\d+)" errors="(\d+)"(?: skipped="(\d+)")? time="(\d+\.\d{3})">\n[\s\S]*?\n {2}<\/testsuite>$/gm;
const CASE = /^ {4}<testcase classname="([^"]*)" name="([^"]*)"/gm;
const FIX = "Pass the files `mesos-lab verify --reporter junit --output <file>` wrote, whole and unedited, one per part.";

const count = (text: string, re: RegExp) => text.match(re)?.length ?? 0;

/** One report as junit.ts wrote it; anything else is a usage error naming the file. */
export function parseJunit(file: string, raw: string): JunitReport {
  const text = raw.replace(/\r\n/g, "\n");
  const head = HEAD.exec(text);
  if (!head || !text.endsWith(TAIL)) throw new LabError("usage", `${file} is not a JUnit report of mesos-lab verify`, FIX);
  const body = text.slice(head[0].length, text.length - TAIL.length);
  const suites: Suite[] = [...body.matchAll(SUITE)].map((m) => ({
    name: m[1]!,
    tests: Number(m[2]),
    failures: Number(m[3]),
    errors: Number(m[4]),
    skipped: Number(m[5] ?? 0),
    time: Number(m[6]),
    cases: [...m[0].matchAll(CASE)].map((c) => `${c[1]} ${c[2]}`),
    text: m[0],
  }));
  const whole =
    body.replace(SUITE, "").trim() === "" &&
    suites.every(
      (s) =>
        s.cases.length === s.tests &&
        count(s.text, /<failure message=/g) === s.failures &&
        count(s.text, /<error message=/g) === s.errors &&
        count(s.text, /<skipped message=/g) === s.skipped,
    ) &&
    [3, 4, 5, 6].every((i) => Number(head[i] ?? 0) === suites.reduce((a, s) => a + [s.tests, s.failures, s.errors, s.skipped][i - 3]!, 0));
  if (!whole) throw new LabError("usage", `${file} is a mesos-lab JUnit report whose counts do not add up (cut short or edited)`, FIX);
  return { file, shard: head[1] ? { index: Number(head[1]), total: Number(head[2]) } : undefined, suites };
}

/** Every part exactly once, or reports of whole runs only: a merge with a part missing would pass what never ran. */
function checkParts(reports: readonly JunitReport[]): void {
  const parts = reports.filter((r) => r.shard);
  if (parts.length === 0) return;
  const whole = reports.find((r) => !r.shard);
  if (whole)
    throw new LabError(
      "usage",
      `${whole.file} is a whole run and ${parts[0]!.file} a part of one (shard ${partText(parts[0]!)})`,
      "Merge the parts of one run only.",
    );
  const total = parts[0]!.shard!.total;
  const other = parts.find((r) => r.shard!.total !== total);
  if (other)
    throw new LabError("usage", `${parts[0]!.file} is part of ${total} but ${other.file} is part ${partText(other)}`, "Merge the parts of one run only.");
  const seen = new Map<number, string>();
  for (const r of parts) {
    const before = seen.get(r.shard!.index);
    if (before) throw new LabError("usage", `${before} and ${r.file} are both shard ${partText(r)}`, "Pass each part's report once.");
    seen.set(r.shard!.index, r.file);
  }
  const missing = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length)
    throw new LabError(
      "usage",
      `shard ${missing.map((i) => `${i}/${total}`).join(", ")} ${missing.length === 1 ? "is" : "are"} missing`,
      `Pass the report of every part, 1/${total} to ${total}/${total}: a missing part's steps would be missing from the merge.`,
    );
}

const partText = (r: JunitReport) => `${r.shard!.index}/${r.shard!.total}`;

/** The merged report: every suite once, in name order (an exercise's id first), with the root's totals summed. */
export function mergeJunit(reports: readonly JunitReport[]): string {
  checkParts(reports);
  const suites = new Map<string, { suite: Suite; file: string }>();
  const cases = new Map<string, string>();
  for (const r of reports)
    for (const s of r.suites) {
      const dup = suites.get(s.name);
      if (dup) throw new LabError("usage", `${dup.file} and ${r.file} both hold the steps of '${s.name}'`, "Merge each exercise's report once.");
      suites.set(s.name, { suite: s, file: r.file });
      for (const c of s.cases) {
        const before = cases.get(c);
        if (before) throw new LabError("usage", `${before} and ${r.file} both hold the test case '${c}'`, "Merge each exercise's report once.");
        cases.set(c, r.file);
      }
    }
  const all = [...suites.values()].map((x) => x.suite).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const sum = (k: "tests" | "failures" | "errors" | "skipped" | "time") => all.reduce((a, s) => a + s[k], 0);
  const skipped = sum("skipped") ? ` skipped="${sum("skipped")}"` : "";
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${junitRootName()}" tests="${sum("tests")}" failures="${sum("failures")}" errors="${sum("errors")}"${skipped} time="${sum("time").toFixed(3)}">\n${all.map((s) => s.text).join("\n")}\n</testsuites>\n`;
}
