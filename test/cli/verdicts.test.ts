import { existsSync, readFileSync, realpathSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { labIdOf } from "../../src/lab/identity.js";
import { CAPABILITIES_HOST_FIX, NO_V1_REASON } from "../../src/lab/exercise-verdicts.js";
import { TEST_CGROUP_VERSION } from "../../src/lab/session.js";
import { createRuntime } from "../../src/runtime/factory.js";
import { labelFilter } from "../../src/runtime/labels.js";
import { cli, tempLab } from "../helpers/cli.js";
import { hasDocker } from "../helpers/docker.js";
import { CITE, labWithExercises } from "../helpers/fixture-lab.js";
import { tempDir } from "../helpers/temp-dir.js";
import { ensureStandinImages } from "../standin/image.js";

/**
 * Issue 22, "say it before it starts", through the real binary against the stand-in images. A cgroup-v2-only host is
 * simulated with the session's test seam (src/lab/session.ts): with MESOS_LAB_TEST_CGROUP_VERSION=2 the engine's info
 * says cgroup v2 and the capabilities mode's probe mounts a freezer hierarchy of its own (for real, on this machine),
 * so exercise 12 runs; with `2-no-v1` the kernel refuses cgroup-v1 hierarchies (the probe's result injected), and
 * exercise 12 cannot run. doctor gives a verdict per exercise, list shows the one doctor recorded, `verify 12` named fails with
 * the reason before anything starts, and `verify --all` reports an exercise that cannot run as skipped, exit 0.
 */

const runtime = createRuntime();
/** A cgroup-v2 host: the capabilities mode's probe takes its own-hierarchy way, for real on this machine. */
const V2 = { [TEST_CGROUP_VERSION]: "2" };
/** A cgroup-v2 host whose kernel refuses cgroup-v1 hierarchies: the probe's result is injected. */
const NO_V1 = { [TEST_CGROUP_VERSION]: "2-no-v1" };
const REASON_V2 = `it needs the agent capabilities mode (Mesos' Linux launcher, for container image support), not available here: ${NO_V1_REASON}`;
const FIX = "Use a Linux host or VM whose container engine runs as root";
const info = hasDocker ? await runtime.info() : undefined;

async function standinLab(): Promise<string> {
  const images = await ensureStandinImages({ profile: "1.11" });
  return realpathSync(tempLab(`{ images: ${JSON.stringify(images)}, ports: { master: 0, agent: 0, exhibitor: 0, zk: 0 } }`));
}

/** The lab's containers and networks left on the engine. */
const leftOf = (dir: string) => runtime.owned.list(labelFilter({ lab: labIdOf({ root: dir }) }));
const exerciseLines = (doctor: string) => doctor.split("\n").filter((l) => /^[✓!✗] exercise \d\d /.test(l));

/** A fixture exercise whose one step waits for the stand-in master's election; `caps`: its agent in the capabilities mode. */
const electing = (
  id: string,
  title: string,
  caps = false,
) => `{ id: "${id}", slug: "s${id}", title: "${title}", summary: "s", text: "t",${caps ? " agentCapabilities: true," : ""}
  steps: [{ id: "elect", title: "the master is elected", text: "t", hint: "h",
    expect: [{ id: "elected", says: "the master is elected leader", source: { log: "master" }, pattern: "Elected as the leading master", cite: ${CITE} }] }] }`;

describe.skipIf(!hasDocker)("exercise verdicts through the real binary (stand-in images)", () => {
  it("doctor on a simulated cgroup-v2-only host whose kernel refuses v1 hierarchies: twelve lines, 12 cannot run here with the reason and fix, the eleven others run; list shows it", async () => {
    const dir = await standinLab();
    const env = { ...NO_V1, XDG_STATE_HOME: tempDir("state") };
    const doctor = await cli(["doctor"], { cwd: dir, env });
    expect(doctor.exitCode, doctor.all).toBe(0);
    expect(doctor.stdout).toMatch(/✓ cgroups: cgroup v2 .*\(simulated by MESOS_LAB_TEST_CGROUP_VERSION=2-no-v1, a test seam/);
    expect(doctor.stdout).toContain(`! agent capabilities mode: not available: ${NO_V1_REASON}`);
    const lines = exerciseLines(doctor.stdout);
    expect(lines).toHaveLength(12);
    expect(lines.filter((l) => l.startsWith("✓ ") && l.endsWith(": runs here"))).toHaveLength(11);
    expect(lines[11]).toMatch(/^! exercise 12 .*: cannot run here: /);
    expect(lines[11]).toContain(REASON_V2);
    expect(doctor.stdout).toMatch(new RegExp(`! exercise 12 .*\\n {4}fix: ${FIX}`));
    expect(doctor.stdout).toContain("\n11 of 12 exercises run here; 12 cannot (see above).\nready.");
    expect(await leftOf(dir)).toEqual([]);

    // list, which never talks to the engine, shows what doctor recorded for this engine, and when
    const list = await cli(["list"], { cwd: dir, env: { XDG_STATE_HOME: env.XDG_STATE_HOME } });
    expect(list.exitCode, list.all).toBe(0);
    expect(list.stdout).toMatch(
      /^On this engine \(\S+, cgroup v2\): 11 of 12 checked exercises run here; 12 cannot \(last checked by doctor at \d{4}-\d\d-\d\d \d\d:\d\d UTC\)$/m,
    );
    expect(list.stdout).toMatch(/\n {2}12 {2}.*\(4 steps\) {2}\[unavailable here\]\n/);
    expect(list.stdout).toContain(`      ✗ cannot run here: ${REASON_V2} (last checked by doctor at `);
    expect(list.stdout).toContain(`        fix: ${FIX}`);
    expect(list.stdout.match(/\[unavailable here\]/g)).toHaveLength(1);
    const json = JSON.parse((await cli(["list", "--json"], { cwd: dir, env: { XDG_STATE_HOME: env.XDG_STATE_HOME } })).stdout) as Array<{
      id: string;
      runsHere?: { runs: boolean; reason?: string; checkedBy: string; cgroupVersion: string };
    }>;
    expect(json.find((e) => e.id === "12")!.runsHere).toMatchObject({ runs: false, reason: REASON_V2, checkedBy: "doctor", cgroupVersion: "2" });
    expect(json.find((e) => e.id === "01")!.runsHere).toMatchObject({ runs: true });

    // without a record (another state folder), list marks nothing
    const none = await cli(["list"], { cwd: dir, env: { XDG_STATE_HOME: tempDir("state") } });
    expect(none.stdout).not.toMatch(/On this engine|unavailable here|cannot run here|last checked/);
  });

  it.runIf(info?.cgroupVersion === "1")(
    "doctor on a simulated cgroup-v2 host that allows v1 hierarchies: the probe mounts a freezer hierarchy of its own, and 12 runs here",
    async () => {
      const dir = await standinLab();
      const doctor = await cli(["doctor"], { cwd: dir, env: { ...V2, XDG_STATE_HOME: tempDir("state") } });
      expect(doctor.exitCode, doctor.all).toBe(0);
      expect(doctor.stdout).toMatch(/✓ cgroups: cgroup v2 .*the capabilities mode mounts a freezer hierarchy of its own/);
      expect(doctor.stdout).toMatch(
        /✓ agent capabilities mode: available: cgroup v2, CAP_SYS_ADMIN granted, a cgroup-v1 freezer hierarchy of its own mounts read-write/,
      );
      expect(exerciseLines(doctor.stdout)[11]).toMatch(/^✓ exercise 12 .*: runs here$/);
      expect(doctor.stdout).toContain("\n12 of 12 exercises run here.\nready.");
      expect(await leftOf(dir)).toEqual([]);
      expect(existsSync(`/sys/fs/cgroup/freezer/mesos-lab/${labIdOf({ root: dir })}`), "the probe's cgroups went with it").toBe(false);
    },
  );

  it.runIf(info?.cgroupVersion === "1")(
    "doctor on this host (cgroup v1, the capabilities mode available): a verdict for each of the twelve, 12 runs here; list follows",
    async () => {
      const dir = await standinLab();
      const state = tempDir("state");
      // first the simulated v2 host's record, then this host's: list shows the engine's newest
      expect((await cli(["doctor"], { cwd: dir, env: { ...NO_V1, XDG_STATE_HOME: state } })).exitCode).toBe(0);
      const doctor = await cli(["doctor"], { cwd: dir, env: { XDG_STATE_HOME: state } });
      expect(doctor.exitCode, doctor.all).toBe(0);
      expect(doctor.stdout).toMatch(/✓ cgroups: cgroup v1 /);
      expect(doctor.stdout).toMatch(/✓ agent capabilities mode: available: cgroup v1, CAP_SYS_ADMIN granted/);
      const lines = exerciseLines(doctor.stdout);
      expect(lines).toHaveLength(12);
      expect(lines.every((l) => l.startsWith("✓ ") && l.endsWith(": runs here"))).toBe(true);
      expect(lines[11]).toMatch(/^✓ exercise 12 .*: runs here$/);
      expect(doctor.stdout).toContain("\n12 of 12 exercises run here.\nready.");
      const list = await cli(["list"], { cwd: dir, env: { XDG_STATE_HOME: state } });
      expect(list.stdout).toMatch(/^On this engine \(\S+, cgroup v1\): 12 of 12 checked exercises run here \(last checked by doctor at /m);
      expect(list.stdout).not.toContain("unavailable here");
      expect(await leftOf(dir)).toEqual([]);
    },
  );

  it("verify 12, named, on the simulated host that refuses the mode fails with the reason and the fix (exit 3) before anything starts; so do `verify 01 12` and `up 12`", async () => {
    const dir = await standinLab();
    const env = { ...NO_V1, XDG_STATE_HOME: tempDir("state") };
    for (const args of [
      ["verify", "12", "--reporter", "junit"],
      ["verify", "01", "12"],
      ["up", "12"],
    ]) {
      const r = await cli(args, { cwd: dir, env });
      expect(r.exitCode, `${args.join(" ")}: ${r.all}`).toBe(3);
      expect(r.stderr).toBe(`error: exercise 12 cannot run here: ${REASON_V2}\n  fix: ${CAPABILITIES_HOST_FIX}`); // execa strips the last newline
      expect(r.stdout).toBe("");
    }
    expect(await leftOf(dir)).toEqual([]);
    expect(existsSync(path.join(dir, "ssl"))).toBe(false); // not even the lab material was made
  });

  it("verify --all on the simulated host that refuses the mode: the exercise that needs the capabilities mode is skipped with the reason in plain, JSON and JUnit; the other passes; exit 0", async () => {
    const images = await ensureStandinImages({ profile: "1.11" });
    const dir = labWithExercises(`{ images: ${JSON.stringify(images)}, ports: { master: 0, agent: 0, exhibitor: 0, zk: 0 } }`, {
      "01-runs": electing("01", "Runs anywhere"),
      "02-needs-caps": electing("02", "Needs the capabilities mode", true),
    });
    const env = { ...NO_V1, XDG_STATE_HOME: tempDir("state") };

    const junit = await cli(["verify", "--all", "--reporter", "junit"], { cwd: dir, env });
    expect(junit.exitCode, junit.all).toBe(0);
    expect(junit.stdout).toContain('<testsuites name="mesos-lab" tests="2" failures="0" errors="0" skipped="1" time="');
    expect(junit.stdout).toMatch(/<testcase classname="mesos-lab\.01" name="elect: the master is elected" time="[\d.]+"\/>/);
    expect(junit.stdout).toContain(
      `<testcase classname="mesos-lab.02" name="elect: the master is elected" time="0.000">\n      <skipped message="cannot run here: ${REASON_V2}">fix: ${FIX}`,
    );
    // the plain progress (stderr beside a machine-readable report): skipped, the reason, the fix, and the summary
    expect(junit.stderr).toContain(`\n02 Needs the capabilities mode\n  skipped: cannot run here: ${REASON_V2}\n    fix: ${FIX}`);
    expect(junit.stderr).toMatch(/\n1 passed, 0 failed, exercise 02 skipped \(cannot run here\) \(/);
    // nothing of 02 ran: no step of it started
    expect(junit.stderr).toContain("step 1/1 elect");
    expect(junit.stderr.match(/step 1\/1 elect/g)).toHaveLength(1);

    const report = path.join(tempDir("report"), "report.json");
    const json = await cli(["verify", "--all", "--reporter", "json", "--output", report], { cwd: dir, env });
    expect(json.exitCode, json.all).toBe(0);
    const j = JSON.parse(readFileSync(report, "utf8")) as {
      exitCode: number;
      passed: number;
      failed: number;
      steps: Array<{ exercise: string }>;
      skipped: unknown[];
    };
    expect(j).toMatchObject({ exitCode: 0, passed: 1, failed: 0 });
    expect(j.steps.map((s) => s.exercise)).toEqual(["01"]);
    expect(j.skipped).toEqual([
      { exercise: "02", title: "Needs the capabilities mode", steps: ["elect"], reason: REASON_V2, fix: expect.stringContaining(FIX) },
    ]);
    expect(json.stdout).toContain("skipped: cannot run here:");
    expect(await leftOf(dir)).toEqual([]);

    // named, the same exercise fails the command
    const named = await cli(["verify", "02"], { cwd: dir, env });
    expect(named.exitCode).toBe(3);
    expect(named.stderr).toContain(`error: exercise 02 cannot run here: ${REASON_V2}`);
  });

  it("verify --all where no exercise of the run can run here is an error naming why, not a pass with nothing run", async () => {
    const images = await ensureStandinImages({ profile: "1.11" });
    const dir = labWithExercises(`{ images: ${JSON.stringify(images)} }`, { "01-needs-caps": electing("01", "Needs the capabilities mode", true) });
    const r = await cli(["verify", "--all"], { cwd: dir, env: { ...NO_V1, XDG_STATE_HOME: tempDir("state") } });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain(`error: no exercise of this run can run here: 01 cannot, ${REASON_V2}`);
    expect(await leftOf(dir)).toEqual([]);
  });
});
