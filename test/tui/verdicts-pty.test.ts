import { execFileSync } from "node:child_process";
import { realpathSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { labIdOf } from "../../src/lab/identity.js";
import { NO_V1_REASON } from "../../src/lab/exercise-verdicts.js";
import { TEST_CGROUP_VERSION } from "../../src/lab/session.js";
import { createRuntime } from "../../src/runtime/factory.js";
import { labelFilter } from "../../src/runtime/labels.js";
import { BIN, tempLab } from "../helpers/cli.js";
import { hasDocker } from "../helpers/docker.js";
import { tempDir } from "../helpers/temp-dir.js";
import { pollUntil } from "../helpers/wait.js";
import { ensureStandinImages } from "../standin/image.js";

/**
 * The real TUI (the built binary in tmux) on a simulated cgroup-v2-only host whose kernel refuses cgroup-v1
 * hierarchies (MESOS_LAB_TEST_CGROUP_VERSION=2-no-v1, the session's test seam: the probe's result injected), with the built-in catalogue and the stand-in images: when it opens it asks the engine, marks
 * exercise 12 unavailable with the reason, shows the fix, and refuses to run its steps; nothing is started.
 */

const SOCKET = `mesos-lab-verdicts-${process.pid}`;
const tmux = (...args: string[]) => execFileSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8" });
const screenUntil = (check: (s: string) => boolean, timeoutMs = 20_000): Promise<string> =>
  pollUntil(() => tmux("capture-pane", "-p", "-J", "-t", "v2"), check, { timeoutMs, everyMs: 100, failure: (s) => `screen never matched:\n${s}` });
const flat = (s: string) => s.replace(/\s+/g, " ");

afterAll(() => {
  try {
    tmux("kill-server");
  } catch {
    /* already gone */
  }
});

describe.skipIf(!hasDocker)("the TUI on a simulated cgroup-v2-only host that refuses v1 hierarchies (tmux, real binary)", () => {
  it("marks 12 unavailable with the reason and the fix, and refuses to run its steps", async () => {
    const images = await ensureStandinImages({ profile: "1.11" });
    const lab = realpathSync(tempLab(`{ images: ${JSON.stringify(images)}, ports: { master: 0, agent: 0, exhibitor: 0, zk: 0 } }`));
    const state = tempDir("state");
    tmux(
      "new-session",
      "-d",
      "-s",
      "v2",
      "-x",
      "140",
      "-y",
      "45",
      "-c",
      lab,
      `env -u CI XDG_STATE_HOME=${state} ${TEST_CGROUP_VERSION}=2-no-v1 node ${BIN}; echo "EXIT=$?"; sleep 30`,
    );
    let screen = await screenUntil((s) => /12 .*unavailable/.test(s));
    expect(screen).toMatch(/12 Scope the agent's registry credentials\s+0\/4\s+unavailable\s+cannot run here: it needs the agent/);
    expect(screen).toMatch(/01 The default configuration \(insecure\)\s+0\/3\s+not started/);
    expect(screen.match(/unavailable/g)).toHaveLength(1);

    for (let i = 0; i < 11; i++) tmux("send-keys", "-t", "v2", "Down");
    screen = await screenUntil((s) => s.includes("✗ 12 cannot run here"));
    expect(flat(screen)).toContain(
      `✗ 12 cannot run here: it needs the agent capabilities mode (Mesos' Linux launcher, for container image support), not available here: ${NO_V1_REASON}`,
    );
    expect(flat(screen)).toContain("fix: Use a Linux host or VM whose container engine runs as root");

    tmux("send-keys", "-t", "v2", "Enter");
    screen = await screenUntil((s) => s.includes("This exercise cannot run here"));
    expect(screen).toContain("✗ cannot run here: it needs the agent capabilities mode");
    tmux("send-keys", "-t", "v2", "r");
    screen = await screenUntil((s) => /^cannot run here: it needs/m.test(s));
    expect(screen).not.toMatch(/running \d/);
    expect(await createRuntime().owned.list(labelFilter({ lab: labIdOf({ root: lab }) }))).toEqual([]);

    // nothing started, so q quits without asking about a cluster
    tmux("send-keys", "-t", "v2", "q");
    screen = await screenUntil((s) => s.includes("EXIT="));
    expect(screen).not.toContain("Quit: stop this lab's cluster too?");
    expect(screen).toContain("EXIT=0");
  });
});
