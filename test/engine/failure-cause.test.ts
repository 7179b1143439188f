import { describe, expect, it } from "vitest";
import { loadCatalogue } from "../../src/catalogue/load.js";
import { LabBus, type LabEvent, type StepResult } from "../../src/engine/events.js";
import { knownFlags, parseWorkspace } from "../../src/lab/workspace.js";
import { failureLines as reportLines } from "../../src/report/format.js";
import { failureLines as panelLines } from "../../src/tui/step-lines.js";
import { hasDocker } from "../helpers/docker.js";
import { run, standinConfig } from "../helpers/lab.js";

/**
 * Issue 19's three hands-on failures, run on the stand-in with the attendee's workspace file: the failure panel (TUI)
 * and the report (plain, JUnit) lead with the Mesos line that explains each, and a hint for that cause.
 */

// the real expectation timeout: a verdict that waited for it would come 60 s after the decisive check
const TIMEOUTS = { expectation: 60_000, negativeWindow: 1_500, execute: 20_000, ready: 60_000, pull: 1_000 };

async function handsOn(step: string, workspace: string) {
  const ex06 = (await loadCatalogue()).find((e) => e.id === "06")!;
  const config = await standinConfig({ timeouts: TIMEOUTS });
  const { env, problems } = parseWorkspace(workspace, knownFlags([ex06], config), config.mesos.acls);
  const bus = new LabBus();
  const stamped: Array<{ at: number; ev: LabEvent }> = [];
  bus.on((ev) => stamped.push({ at: Date.now(), ev }));
  const { results } = await run(ex06, config, { onlyStep: step, envOverride: env, bus });
  const r = results[0]!;
  const panel = panelLines(r, 100).map((l) => l.map((s) => s.text).join(""));
  return { r, problems, panel, plain: reportLines(r), stamped };
}

/** The panel's first lines: its title, then the cause (wrapped over a few lines) and its hint. */
const head = (panel: string[], n = 6) =>
  panel
    .slice(1, n)
    .map((l) => l.replace(/^┃ /, ""))
    .join(" ")
    .replace(/\s+/g, " ");

describe.skipIf(!hasDocker)("a hands-on failure leads with the line that explains it (stand-in)", () => {
  it("a credentials path that is not in the container: the master's EXIT line, and where the file is", async () => {
    const { r, panel, plain } = await handsOn(
      "master-readonly",
      "[master]\nMESOS_AUTHENTICATE_HTTP_READONLY=true\nMESOS_CREDENTIALS=file:///credentials/credentials.json\n",
    );
    expect(r.status).not.toBe("passed");
    expect(panel[1], panel.join("\n")).toMatch(/^┃ cause: E master\.cpp:\d+\] EXIT with status 1: Failed to read credentials file/);
    expect(head(panel)).toContain("'/credentials/credentials.json': No such file or directory");
    expect(head(panel, 9)).toMatch(/→ Mesos found no file at \/credentials\/credentials\.json inside the master.*\/etc\/credentials\/credentials\.json/);
    // the step's own hint (it assumes MESOS_CREDENTIALS is missing) comes after, not first
    expect(plain[0]).toMatch(/^cause: E master\.cpp:\d+\] EXIT with status 1: Failed to read credentials file '\/credentials\/credentials\.json'/);
    expect(plain.findIndex((l) => l.startsWith("hint: Without MESOS_CREDENTIALS"))).toBeGreaterThan(1);
  });

  it("the master's flags under [agent]: refused before the run, and if run, the agent's EXIT line and which role reads what", async () => {
    const { r, problems, panel, plain } = await handsOn(
      "master-readonly",
      "[agent]\nMESOS_AUTHENTICATE_HTTP_READONLY=true\nMESOS_CREDENTIALS=file:///etc/credentials/credentials.json\n",
    );
    expect(problems.map((p) => p.message)).toEqual([
      "MESOS_CREDENTIALS is a flag of the master, not the agent (move it under [master]): the agent would ignore it",
    ]);
    expect(r.status).not.toBe("passed");
    expect(r.died?.some((d) => d.role === "agent")).toBe(true);
    expect(head(panel), panel.join("\n")).toMatch(
      /^cause: E slave\.cpp:\d+\] EXIT with status 1: Failed to create HTTP authenticator module 'basic': No credentials provided .* realm 'mesos-agent-readonly'/,
    );
    expect(head(panel, 10)).toMatch(/→ The agent was told to authenticate its mesos-agent-readonly realm .* they belong under \[master\]/);
    expect(plain[0]).toMatch(/^cause: E slave\.cpp:\d+\] EXIT with status 1: Failed to create HTTP authenticator module 'basic'/);
  });

  it("MESOS_AUTHENTICATE_HTTP_READWRITE left out: the anonymous 200, the flag that closes the realm, a verdict within 10 s", async () => {
    const { r, panel, stamped } = await handsOn(
      "master-readwrite",
      "[master]\nMESOS_AUTHENTICATE_HTTP_READONLY=true\nMESOS_CREDENTIALS=file:///etc/credentials/credentials.json\n",
    );
    expect(r.status, panel.join("\n")).toBe("failed");
    expect(head(panel), panel.join("\n")).toMatch(/^cause: HTTP\/1\.1 200 OK/);
    expect(head(panel, 10)).toContain(
      "its realm mesos-master-readwrite does not ask who is calling. MESOS_AUTHENTICATE_HTTP_READWRITE=true is missing under [master]",
    );
    // the decisive check is the first expectation to fail; the verdict is the step's end
    const failedAt = stamped.find((s) => s.ev.type === "expectation" && s.ev.result.status === "failed")!;
    const verdict = stamped.find((s) => s.ev.type === "step:end")!;
    const decisive = (failedAt.ev as Extract<LabEvent, { type: "expectation" }>).result;
    expect(decisive.resolvedAt).toBeDefined();
    expect(verdict.at - decisive.resolvedAt!).toBeLessThan(10_000);
    expect((verdict.ev as { result: StepResult }).result).toBe(r);
  });
});
