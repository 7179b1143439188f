import { readFileSync, realpathSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { labelFilter } from "../../src/runtime/labels.js";
import { createRuntime } from "../../src/runtime/factory.js";
import { labIdOf } from "../../src/lab/identity.js";
import { ensureStandinImages } from "../standin/image.js";
import { cli, junitFailures, tempLab } from "../helpers/cli.js";
import { hasDocker } from "../helpers/docker.js";

/**
 * `verify --shard` as a CI matrix runs it: each part through the real binary against the stand-ins, then
 * `junit-merge` on their reports. The parts together must be one unsharded run, case for case.
 */

const runtime = createRuntime();
const EXERCISES = ["01", "02", "03"];

/** A report's test cases by exercise and step; an attack step's verdict is left out (it is the outcome, not the case). */
const caseSet = (xml: string) =>
  [...xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"/g)].map((m) => `${m[1]} ${m[2]!.replace(/ \[attack [^\]]*\]$/, "")}`).sort();
const suiteIds = (xml: string) => [...xml.matchAll(/<testsuite name="(\d+) /g)].map((m) => m[1]!);

describe.skipIf(!hasDocker)("verify --shard against stand-in images (real binary, real engine)", () => {
  it("the parts of verify 01 02 03 --shard k/2 run the cases of one unsharded run, each once, and junit-merge joins them", async () => {
    const images = await ensureStandinImages({ profile: "1.11" });
    const dir = realpathSync(tempLab(`{ images: ${JSON.stringify(images)}, ports: { master: 0, agent: 0, exhibitor: 0, zk: 0 } }`));
    const file = (name: string) => path.join(dir, name);

    const whole = await cli(["verify", ...EXERCISES, "--jobs", "2", "--reporter", "junit", "--output", file("whole.xml")], { cwd: dir, timeout: 600_000 });
    expect({ exit: whole.exitCode, failing: junitFailures(readFileSync(file("whole.xml"), "utf8")) }, whole.all.slice(-4000)).toEqual({ exit: 0, failing: [] });
    const wholeCases = caseSet(readFileSync(file("whole.xml"), "utf8"));
    expect(wholeCases.length).toBeGreaterThan(EXERCISES.length);

    const parts: string[] = [];
    for (const k of [1, 2]) {
      const r = await cli(["verify", ...EXERCISES, "--shard", `${k}/2`, "--jobs", "2", "--reporter", "junit", "--output", file(`part-${k}.xml`)], {
        cwd: dir,
        timeout: 600_000,
      });
      const xml = readFileSync(file(`part-${k}.xml`), "utf8");
      expect({ exit: r.exitCode, failing: junitFailures(xml) }, r.all.slice(-4000)).toEqual({ exit: 0, failing: [] });
      // the first line says which part this is and what it runs: the exercises its report holds
      const first = /^mesos-lab verify — profile 1\.11, \d+ exercises? · shard (\d)\/2: ([\d ]+)$/.exec(r.stdout.split("\n")[0]!);
      expect(first?.[1], r.stdout.split("\n")[0]).toBe(String(k));
      expect(first![2]!.split(" "), "the exercises it names are those it ran").toEqual(suiteIds(xml));
      expect(xml).toContain(`<testsuites name="mesos-lab shard ${k}/2"`);
      parts.push(xml);
    }
    expect(
      parts.every((xml) => suiteIds(xml).length > 0),
      "both parts have work",
    ).toBe(true);
    const union = parts.flatMap(caseSet).sort();
    expect(union, "every case of the unsharded run, each once").toEqual(wholeCases);

    const merge = await cli(["junit-merge", file("part-2.xml"), file("part-1.xml"), "--output", file("merged.xml")], { cwd: dir });
    expect(merge.exitCode, merge.all).toBe(0);
    const merged = readFileSync(file("merged.xml"), "utf8");
    expect(caseSet(merged)).toEqual(wholeCases);
    expect(suiteIds(merged)).toEqual(EXERCISES);
    expect(/<testsuites [^>]*>/.exec(merged)![0].replace(/ time="[^"]*"/, "")).toBe(
      /<testsuites [^>]*>/.exec(readFileSync(file("whole.xml"), "utf8"))![0].replace(/ time="[^"]*"/, ""),
    );
    expect(await runtime.owned.list(labelFilter({ lab: labIdOf({ root: dir }) }))).toEqual([]);
  }, 900_000);
});

// neither needs an engine: an empty part never prepares a run, and the usage errors come before one opens
describe("verify --shard and junit-merge before any engine", () => {
  it("a part with nothing to run passes and writes an empty report; junit-merge refuses a set with a part missing", async () => {
    const dir = realpathSync(tempLab(`{ ports: { master: 0, agent: 0, exhibitor: 0, zk: 0 } }`));
    const empty = path.join(dir, "part-2.xml");
    const r = await cli(["verify", "01", "--shard", "2/2", "--reporter", "junit", "--output", empty], { cwd: dir });
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("mesos-lab verify — profile 1.11 · shard 2/2: nothing to run (the one exercise is in the other part)");
    expect(readFileSync(empty, "utf8")).toContain('<testsuites name="mesos-lab shard 2/2" tests="0"');

    const missing = await cli(["junit-merge", empty], { cwd: dir });
    expect({ exit: missing.exitCode, stderr: missing.stderr }).toEqual({
      exit: 2,
      stderr: "error: shard 1/2 is missing\n  fix: Pass the report of every part, 1/2 to 2/2: a missing part's steps would be missing from the merge.",
    });
    writeFileSync(path.join(dir, "other.xml"), '<?xml version="1.0"?><testsuites/>');
    const foreign = await cli(["junit-merge", path.join(dir, "other.xml")], { cwd: dir });
    expect(foreign.exitCode).toBe(2);
    expect(foreign.stderr).toContain("other.xml is not a JUnit report of mesos-lab verify");
  });

  it.each([["0/3"], ["4/3"], ["a/b"], ["1/0"]])("--shard %s is a usage error, exit 2, with a fix", async (shard) => {
    const dir = realpathSync(tempLab(`{}`));
    const r = await cli(["verify", "--all", "--shard", shard], { cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error: --shard .*\n {2}fix: Pass --shard i\/n /);
  });
});
