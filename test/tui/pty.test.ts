import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, ROOT } from "../helpers/cli.js";
import { CITE, labWithExercises } from "../helpers/fixture-lab.js";
import { tempDir } from "../helpers/temp-dir.js";
import { pollUntil } from "../helpers/wait.js";

/**
 * The real, built binary in a real pseudo-terminal (tmux): `mesos-lab` with no arguments must open the TUI, take
 * keys, quit cleanly, and resume where the attendee left off after a restart. Nothing here needs Docker.
 */

const SOCKET = `mesos-lab-pty-${process.pid}`;
const tmux = (...args: string[]) => execFileSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8" });
const screenUntil = (session: string, check: (s: string) => boolean, timeoutMs = 15_000): Promise<string> =>
  pollUntil(() => tmux("capture-pane", "-p", "-t", session), check, { timeoutMs, everyMs: 100, failure: (s) => `screen never matched:\n${s}` });

const exercise = (
  id: string,
  title: string,
) => `{ id: "${id}", slug: "s${id}", title: "${title}", summary: "summary of ${id}", text: "Exercise **${id}**.", steps: [
  { id: "one", title: "First step", text: "Step one of ${id}.", hint: "h", env: { master: { MESOS_AUTHENTICATE_AGENTS: "true" } },
    expect: [{ id: "e", says: "something happens", source: { log: "master" }, pattern: "x", cite: ${CITE} }] },
  { id: "two", title: "Second step", text: "Step two of ${id}.", hint: "h",
    expect: [{ id: "e", says: "something else", source: { log: "master" }, pattern: "y", cite: ${CITE} }] },
] }`;

describe("the TUI in a pseudo-terminal (tmux)", () => {
  const lab = labWithExercises(`{ agents: 1 }`, { "01-first": exercise("01", "First exercise"), "02-second": exercise("02", "Second exercise") });
  const state = tempDir("state");
  const start = (session: string) =>
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", "-c", lab, `env -u CI XDG_STATE_HOME=${state} node ${BIN}; echo "EXIT=$?"; sleep 30`);
  afterAll(() => {
    try {
      tmux("kill-server");
    } catch {
      /* already gone */
    }
  });

  it("opens the list, moves to an exercise, steps, quits; a restart resumes there", async () => {
    expect(existsSync(path.join(ROOT, "dist/src/tui/launch.js"))).toBe(true);
    start("a");
    let screen = await screenUntil("a", (s) => s.includes("Second exercise"));
    expect(screen).toMatch(/▸\s+01 First exercise\s+0\/2\s+not started/);
    expect(screen).toContain("enter  open");
    tmux("send-keys", "-t", "a", "Down");
    screen = await screenUntil("a", (s) => /▸\s+02 Second exercise/.test(s));
    expect(screen).toContain("summary of 02");
    tmux("send-keys", "-t", "a", "Enter");
    screen = await screenUntil("a", (s) => s.includes("step 1/2: one"));
    expect(screen).toContain("Step one of 02.");
    expect(screen).toMatch(/master\s+\+ MESOS_AUTHENTICATE_AGENTS=true/);
    tmux("send-keys", "-t", "a", "n");
    screen = await screenUntil("a", (s) => s.includes("step 2/2: two"));
    // nothing ran, so no cluster of this session to ask about: q quits at once
    tmux("send-keys", "-t", "a", "q");
    screen = await screenUntil("a", (s) => s.includes("EXIT="));
    expect(screen).not.toContain("Quit: stop this lab's cluster too?");
    expect(screen).toContain("EXIT=0");

    const saved = JSON.parse(readFileSync(path.join(state, "mesos-lab", "progress.json"), "utf8")) as {
      labs: Record<string, { current: unknown; root: string }>;
    };
    const mine = Object.values(saved.labs).find((l) => l.root === lab);
    expect(mine?.current).toEqual({ exercise: "02", step: "two" });

    // restart: the cursor is on the exercise the attendee was on, and opening it lands on their step
    start("b");
    screen = await screenUntil("b", (s) => s.includes("Second exercise"));
    expect(screen).toMatch(/▸\s+02 Second exercise/);
    tmux("send-keys", "-t", "b", "Enter");
    screen = await screenUntil("b", (s) => s.includes("step 2/2: two"));
    tmux("send-keys", "-t", "b", "C-c");
    screen = await screenUntil("b", (s) => s.includes("EXIT="));
    expect(screen).toContain("EXIT=130");
  });
});
