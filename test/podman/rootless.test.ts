import { realpathSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { labIdOf } from "../../src/lab/identity.js";
import { createRuntime } from "../../src/runtime/factory.js";
import { labelFilter } from "../../src/runtime/labels.js";
import { cli, junitFailureDetail, junitFailures, tempLab } from "../helpers/cli.js";
import { hasDocker } from "../helpers/docker.js";
import { tempDir } from "../helpers/temp-dir.js";
import { ensureStandinImages } from "../standin/image.js";

/**
 * `npm run test:rootless` (LAB_ROOTLESS=1, DOCKER_HOST at a rootless Podman service's socket: the one .ci/run starts
 * for a user of its own, PODMAN_ROOTLESS_HOST, else the caller's own `$XDG_RUNTIME_DIR/podman/podman.sock`):
 * attendees on Podman mostly run it rootless. The real binary's `verify --all` against the stand-ins, built into that
 * user's storage, passes every step of the eleven exercises that run there (03, 08, 09 and 10 failed a replay until
 * containers got fixed MACs and /etc/hosts peers), skips 12 with its reason, and leaves nothing of its lab behind; `doctor` says which exercises run there,
 * and that 12 cannot (its agent capabilities mode needs privileges a rootless engine cannot grant), and `list` shows
 * that verdict. Under CI=true a missing service fails the import of hasDocker: a CI run that silently skipped this
 * would prove nothing.
 */
const rootlessRun = process.env.LAB_ROOTLESS === "1";

const ROOTLESS_REASON =
  "it needs the agent capabilities mode (Mesos' Linux launcher, for container image support), not available here: the engine runs rootless: the CAP_SYS_ADMIN it grants holds only inside its user namespace, which may not mount the host's cgroup-v1 freezer hierarchy read-write";

describe.runIf(rootlessRun)("the catalogue on rootless Podman", () => {
  const runtime = createRuntime();
  const exerciseLines = (doctor: string) => doctor.split("\n").filter((l) => /^[✓!✗] exercise \d\d /.test(l));

  async function standinLab(): Promise<string> {
    // under CI=true a missing engine has already failed the import of hasDocker; this names it off CI too
    expect(hasDocker, `no engine answers at DOCKER_HOST=${process.env.DOCKER_HOST}; start a rootless \`podman system service\``).toBe(true);
    const info = await runtime.info();
    expect({ runtime: info.runtime, rootless: info.rootless }, `DOCKER_HOST=${process.env.DOCKER_HOST} must be a rootless Podman service`).toEqual({
      runtime: "podman",
      rootless: true,
    });
    const images = await ensureStandinImages({ profile: "1.11" });
    return realpathSync(tempLab(`{ images: ${JSON.stringify(images)}, ports: { master: 0, agent: 0, exhibitor: 0, zk: 0 } }`));
  }

  it("verify --all passes every step of 01-11 against the stand-ins, skips 12 with its reason, and leaves nothing behind", async () => {
    const dir = await standinLab();
    const r = await cli(["verify", "--all", "--reporter", "junit"], { cwd: dir, env: { XDG_STATE_HOME: tempDir("state") }, timeout: 500_000 });
    const failing = junitFailures(r.stdout);
    expect({ exit: r.exitCode, failing }, junitFailureDetail(r.stdout, r.stderr)).toEqual({ exit: 0, failing: [] });
    for (const id of ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11"])
      expect(r.stdout, `exercise ${id}`).toMatch(new RegExp(`<testsuite name="${id} [^"]*" tests="[1-9]\\d*" failures="0" errors="0"(?: skipped="0")? time=`));
    expect(r.stdout).toMatch(/<testsuite name="12 [^"]*"[^>]*>\s*<testcase[^>]*>\s*<skipped message="cannot run here: it needs the agent capabilities mode/);
    expect(await runtime.owned.list(labelFilter({ lab: labIdOf({ root: dir }) }))).toEqual([]);
  }, 600_000);

  it("doctor says rootless, that eleven exercises run and 12 cannot, and why; list shows it; verify 12 named fails before anything starts", async () => {
    const dir = await standinLab();
    const state = tempDir("state");
    const doctor = await cli(["doctor"], { cwd: dir, env: { XDG_STATE_HOME: state } });
    expect(doctor.exitCode, doctor.all).toBe(0);
    expect(doctor.stdout).toMatch(/^✓ engine: Podman \S+ rootless \(Docker-compatible API /m);
    expect(doctor.stdout).toMatch(/^! agent capabilities mode: not available: the engine runs rootless: /m);
    const lines = exerciseLines(doctor.stdout);
    expect(lines, doctor.stdout).toHaveLength(12);
    expect(lines.filter((l) => l.startsWith("✓ ") && l.endsWith(": runs here"))).toHaveLength(11);
    expect(lines.find((l) => l.includes(" exercise 01 "))).toMatch(/^✓ .*: runs here$/);
    expect(lines.find((l) => l.includes(" exercise 11 "))).toMatch(/^✓ .*: runs here$/);
    expect(lines[11]).toBe(`! exercise 12 ${lines[11]!.slice("! exercise 12 ".length).split(": cannot run here: ")[0]}: cannot run here: ${ROOTLESS_REASON}`);
    expect(doctor.stdout).toMatch(/! exercise 12 .*\n {4}fix: Run this exercise against an engine that runs as root/);
    expect(doctor.stdout).toContain("\n11 of 12 exercises run here; 12 cannot (see above).\nready.");

    // list, which never talks to the engine, shows what doctor recorded for this engine
    const list = await cli(["list"], { cwd: dir, env: { XDG_STATE_HOME: state } });
    expect(list.exitCode, list.all).toBe(0);
    expect(list.stdout).toMatch(/^On this engine \(unix:\/\/\S+, cgroup v\d\): 11 of 12 checked exercises run here; 12 cannot \(last checked by doctor at /m);
    expect(list.stdout).toContain(`      ✗ cannot run here: ${ROOTLESS_REASON} (last checked by doctor at `);
    expect(list.stdout.match(/\[unavailable here\]/g)).toHaveLength(1);

    // named, 12 fails with the reason (exit 3) and starts nothing
    const v12 = await cli(["verify", "12"], { cwd: dir, env: { XDG_STATE_HOME: state } });
    expect(v12.exitCode, v12.all).toBe(3);
    expect(v12.all).toContain(`exercise 12 cannot run here: ${ROOTLESS_REASON}`);
    expect(await runtime.owned.list(labelFilter({ lab: labIdOf({ root: dir }) }))).toEqual([]);
  }, 300_000);
});
