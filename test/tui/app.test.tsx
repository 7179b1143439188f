import { render } from "ink-testing-library";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "../../src/tui/App.js";
import { Checklist } from "../../src/tui/components/Checklist.js";
import { FailurePanel } from "../../src/tui/components/FailurePanel.js";
import { FlagDiff } from "../../src/tui/components/FlagDiff.js";
import { PullBars } from "../../src/tui/components/PullBars.js";
import { initialState } from "../../src/tui/state.js";
import { emptyProgress, FakeController, infos, recorded, stepEvents, pressKey, tick, waitForCalls, waitForFrame } from "./helpers.js";

const mounted: Array<{ unmount: () => void }> = [];
afterEach(() => mounted.splice(0).forEach((m) => m.unmount()));

async function mount(progress = emptyProgress(), replay = {}) {
  const controller = new FakeController(replay);
  let exitCode: number | undefined;
  const r = render(<App initial={initialState(await infos(), progress)} controller={controller} onExit={(c) => (exitCode = c)} />);
  mounted.push(r);
  await tick(50); // useInput attaches after the first render
  const press = (k: string) => pressKey(r, k);
  return { ...r, controller, press, exitCode: () => exitCode };
}

const ENTER = "\r";
const DOWN = "\u001B[B";

describe("exercise list", () => {
  it("shows each exercise with status, step count and last result, and moves the cursor", async () => {
    const progress = {
      exercises: { "90": { passed: [], failed: ["never"], last: { step: "never", status: "failed" as const, at: "2026-01-01T00:00:00Z", durationMs: 1800 } } },
    };
    const { lastFrame, press } = await mount(progress);
    const f = lastFrame()!;
    expect(f).toMatch(/▸\s+01 The default configuration \(insecure\)\s+0\/3\s+not started\s+—/);
    expect(f).toMatch(/90 A failing step\s+0\/1\s+failed\s+never failed \(1\.8 s\)/);
    expect(f).toContain("enter  open");
    await press(DOWN);
    expect(lastFrame()).toMatch(/▸\s+90 A failing step/);
    expect(lastFrame()).toContain("An exercise whose only step fails.");
  });
});

describe("step view", () => {
  it("renders the attendee text, the flag diff, and a live checklist from recorded events", async () => {
    const ev = recorded("01-pass");
    const { lastFrame, press, controller } = await mount(emptyProgress(), { "01:cluster": stepEvents(ev, "cluster"), "90:never": recorded("90-fail") });
    await press(ENTER);
    let f = lastFrame()!;
    expect(f).toContain("step 1/3: cluster — Start the cluster");
    expect(f).toContain("Watch the master say it lets unauthenticated");
    expect(f).not.toContain("**"); // markdown rendered, not shown raw
    expect(f).toMatch(/·\s+the master is elected leader/);
    await press("r");
    await waitForCalls(controller, ["run 01:cluster"]);
    f = await waitForFrame(lastFrame, (x) => x.includes("Step passed"));
    expect(f).toMatch(/Step passed in \d+\.\d s \(containers: 3 started, 0 reused\)/);
    expect(f).toMatch(/✓\s+the master is elected leader\s+master log\s+\d+\.\d s/);
    expect(f).toMatch(/✓\s+the agent registers with the master/);
    // the line that proved the expectation is highlighted in its pane
    expect(f).toMatch(/▶ I\d+ [\d:.]+\s+1 master\.cpp:2163\]/);
    expect(f).toContain("── master (");
    expect(f).toContain("re-run");
    // progress is saved after the frame that shows the pass
    await waitForFrame(
      () => JSON.stringify(controller.saved.at(-1)?.exercises["01"]?.passed),
      (x) => x === '["cluster"]',
    );
  });

  it("on failure shows expected vs the closest actual lines, the exit code of the container that died, and the hint", async () => {
    const { lastFrame, press } = await mount(emptyProgress(), { "90:never": recorded("90-fail") });
    await press("2");
    expect(lastFrame()).toContain("+ MESOS_AUTHENTICATE_AGENTS=true");
    await press("r");
    const f = await waitForFrame(lastFrame, (x) => x.includes("Step failed"));
    expect(f).toMatch(/✗ the master says hello/);
    expect(f).toContain("expected /hello from the master/ in master log");
    expect(f).toContain("closest actual lines:");
    expect(f).toMatch(/\| I\d+ .*master\.cpp/);
    expect(f).toContain("agent container exited with code 0");
    expect(f).toMatch(/hint: Look at the master log pane\./);
  });

  it("when mesos-execute exits 1 the failure panel shows, first, its exit code, command and stderr lines apart from stdout", async () => {
    const { lastFrame, press } = await mount(emptyProgress(), { "93:bad-flag": recorded("93-execute-fails") });
    await press("3");
    await press("r");
    const f = await waitForFrame(lastFrame, (x) => x.includes("Step failed"));
    const panel = f.slice(f.indexOf("Step failed"));
    const row = (s: string) => panel.split("\n").findIndex((l) => l.includes(s));
    expect(panel).toMatch(/mesos-execute \(action run-task\) exited with code 1/);
    expect(panel).toContain("$ mesos-execute --name=foo --command=true --bogus=1");
    expect(panel).toMatch(/stderr, \d+ lines:/);
    expect(panel).toMatch(/\| Failed to load unknown flag 'bogus'/);
    expect(panel).toMatch(/\| Usage: mesos-execute \[options\]/);
    expect(panel).toContain("stdout: nothing");
    // the line that explains it leads, with the hint for that cause (issue 19), the step's own hint stays at the end
    expect(row("cause: Failed to load unknown flag 'bogus'")).toBe(row("┃ Step failed") + 1);
    expect(row("→ This program has no flag 'bogus'")).toBe(row("┃ Step failed") + 2);
    // then what ended comes before the expectations it failed, and in the order stderr, stdout
    expect(row("exited with code 1")).toBeLessThan(row("✗ the task finishes"));
    expect(row("stderr,")).toBeLessThan(row("| Failed to load unknown flag"));
    expect(row("| Failed to load unknown flag")).toBeLessThan(row("stdout: nothing"));
    expect(panel).toContain("mesos-execute exited with code 1"); // the expectation's reason
    expect(panel).toMatch(/hint: Read what mesos-execute printed on stderr\./);
  });

  it("keys: h hint, s solution with confirm, l focuses a log pane, / filters, n/p move, x resets, q quits", async () => {
    const { lastFrame, press, controller, exitCode } = await mount(emptyProgress(), { "01:cluster": stepEvents(recorded("01-pass"), "cluster") });
    await press(ENTER);
    await press("h");
    expect(lastFrame()).toContain("hint: The agent finds the master through ZooKeeper");
    await press("s");
    expect(lastFrame()).toContain("You have not passed this step yet. Show the solution anyway? [y/n]");
    await press("y");
    expect(lastFrame()).toContain("Solution: these flags");
    await press("r");
    await waitForFrame(lastFrame, (x) => x.includes("Step passed"));
    await press("l");
    expect(lastFrame()).toContain("logs: master");
    expect(lastFrame()).not.toContain("── agent (");
    await press("/");
    for (const ch of "Elected") await press(ch);
    await press(ENTER);
    const filtered = lastFrame()!;
    expect(filtered).toContain('filter "Elected"');
    const paneLines = filtered.split("\n").filter((l) => /^(▶ | {2})I\d{4} /.test(l));
    expect(paneLines.length).toBeGreaterThan(0);
    expect(paneLines.every((l) => l.toLowerCase().includes("elected"))).toBe(true);
    await press("n");
    expect(lastFrame()).toContain("step 2/3: run-task");
    await press("p");
    expect(lastFrame()).toContain("step 1/3: cluster ");
    await press("x");
    expect(lastFrame()).toContain("Reset this exercise");
    await press("y");
    await tick(50);
    expect(controller.calls).toContain("reset 01");
    expect(lastFrame()).toContain("exercise 01 reset");
    await press("q");
    expect(lastFrame()).toContain("Quit: stop this lab's cluster too?");
    await press("y");
    await tick(50);
    expect(controller.calls.at(-1)).toBe("quit stop=true interrupted=false");
    expect(exitCode()).toBe(0);
  });

  it("PgUp scrolls a focused log pane back through the recorded lines; f follows the stream again", async () => {
    const { lastFrame, press } = await mount(emptyProgress(), { "01:cluster": stepEvents(recorded("01-pass"), "cluster") });
    await press(ENTER);
    await press("r");
    await waitForFrame(lastFrame, (x) => x.includes("Step passed"));
    await press("l");
    const paneLines = (f: string) => f.split("\n").filter((l) => /^(▶ | {2})I\d{4} /.test(l));
    const following = paneLines(lastFrame()!);
    expect(following.length).toBeGreaterThan(0);
    expect(lastFrame()).toMatch(/── master \(\d+ lines\) · PgUp\/PgDn ↑↓ scroll/);
    await press("\u001B[5~"); // PgUp
    const back = lastFrame()!;
    expect(back).toMatch(/scrolled back: up to line \d+ of \d+, 10 newer \(f follows\)/);
    expect(paneLines(back).at(-1)).not.toBe(following.at(-1));
    await press("f");
    expect(lastFrame()).not.toContain("scrolled back");
    expect(paneLines(lastFrame()!).at(-1)).toBe(following.at(-1));
  });

  it("Ctrl-C cleans up and exits 130 whatever the screen", async () => {
    const { press, controller, exitCode } = await mount();
    await press("\u0003");
    await tick(50);
    expect(controller.calls).toEqual(["quit stop=true interrupted=true"]);
    expect(exitCode()).toBe(130);
  });

  it("d renders doctor as a checklist", async () => {
    const { lastFrame, press } = await mount();
    await press("d");
    const f = await waitForFrame(lastFrame, (x) => x.includes("problem(s)"));
    expect(f).toContain("✓ docker: Docker 27.0");
    expect(f).toContain("✗ image mesosphere/mesos-master:1.4.0-rc5: not present");
    expect(f).toContain("fix: Run `mesos-lab pull`.");
  });
});

describe("components", () => {
  it("checklist: pending dots, a spinner frame per tick while waiting, marks and times when resolved", () => {
    const items = [
      { id: "a", says: "first" },
      {
        id: "b",
        says: "second",
        result: {
          id: "b",
          says: "second",
          pattern: "x",
          negate: false,
          source: "agent log",
          cite: { at: "a.cpp:1", ref: "r" },
          status: "passed" as const,
          elapsedMs: 1234,
        },
      },
    ];
    const idle = render(<Checklist items={items} running={false} tick={0} elapsedMs={0} />);
    expect(idle.lastFrame()).toMatch(/·\s+first/);
    expect(idle.lastFrame()).toMatch(/✓\s+second\s+agent log\s+1\.2 s/);
    const t1 = render(<Checklist items={items} running tick={1} elapsedMs={2500} />);
    const t2 = render(<Checklist items={items} running tick={2} elapsedMs={2600} />);
    expect(t1.lastFrame()).toMatch(/⠙\s+first\s+2\.5 s/);
    expect(t2.lastFrame()).toMatch(/⠹\s+first\s+2\.6 s/);
    [idle, t1, t2].forEach((r) => r.unmount());
  });

  it("flag diff: + added, - removed, ~ changed old→new, per role", () => {
    const r = render(
      <FlagDiff
        diff={{
          zk: [],
          master: [
            { key: "MESOS_AUTHENTICATE_AGENTS", op: "+", value: "true" },
            { key: "MESOS_ACLS", op: "-", previous: "{}" },
          ],
          agent: [{ key: "LIBPROCESS_SSL_ENABLED", op: "~", previous: "false", value: "true" }],
          execute: [],
          registry: [],
          tokens: [],
          attacker: [],
          relay: [],
        }}
      />,
    );
    const f = r.lastFrame()!;
    expect(f).toMatch(/master\s+\+ MESOS_AUTHENTICATE_AGENTS=true/);
    expect(f).toMatch(/\n\s+- MESOS_ACLS/);
    expect(f).toMatch(/agent\s+~ LIBPROCESS_SSL_ENABLED=false→true/);
    r.unmount();
  });

  it("pull bars: one bar per layer with percent and size", () => {
    const r = render(
      <PullBars
        pulls={{
          a: { image: "m:1", layer: "abc123", status: "Downloading", current: 5e6, total: 10e6 },
          b: { image: "m:1", layer: "def456", status: "Pull complete" },
        }}
      />,
    );
    expect(r.lastFrame()).toMatch(/abc123\s+█{12}░{12}\s+50% 5\.0\/10\.0 MB Downloading/);
    expect(r.lastFrame()).toMatch(/def456\s+█{24}\s+100% Pull complete/);
    r.unmount();
  });

  it("failure panel: a long reason before the usage text keeps its end (real Mesos 1.11's --task without agent_id)", () => {
    const reason = `Failed to load flag 'task': Failed to load value '${JSON.stringify({ name: "foo", task_id: { value: "foo" }, command: { value: "true", user: "nobody" } })}': Missing required fields: agent_id`;
    const none = { total: 0, head: [], tail: [] };
    const result = { ...recorded("93-execute-fails").flatMap((e) => (e.type === "step:end" ? [e.result] : []))[0]! };
    result.died = [
      {
        role: "execute",
        action: "as-nobody",
        command: "mesos-execute --task={…}",
        exitCode: 1,
        stderr: { total: 173, head: [reason, "", "Usage: mesos-execute [options]", "", "  --appc_image=VALUE", "", "", ""], tail: [] },
        stdout: none,
      },
    ];
    const r = render(<FailurePanel result={result} />);
    const f = r.lastFrame()!;
    expect(f).toContain("stderr, 173 lines (what it said before its usage text):");
    expect(f).toMatch(/\| Failed to load flag 'task': Failed to load….*': Missing required fields: agent_id/);
    expect(f).toContain("… 170 more lines of usage text");
    expect(f).not.toContain("--appc_image");
    r.unmount();
  });
});
