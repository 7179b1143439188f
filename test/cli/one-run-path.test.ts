import { realpathSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { downCommand } from "../../src/cli/commands/down.js";
import { upCommand } from "../../src/cli/commands/up.js";
import { verifyCommand } from "../../src/cli/commands/verify.js";
import { labelFilter } from "../../src/runtime/labels.js";
import { createRuntime } from "../../src/runtime/factory.js";
import type { LabEvent } from "../../src/engine/events.js";
import { labIdOf } from "../../src/lab/identity.js";
import { LabRun } from "../../src/lab/run-service.js";
import { resetLab } from "../../src/lab/sweep.js";
import { ReporterRegistry, useReporters } from "../../src/report/reporters.js";
import { tuiController } from "../../src/tui/controller.js";
import { tempLab } from "../helpers/cli.js";
import { hasDocker } from "../helpers/docker.js";
import { ensureStandinImages } from "../standin/image.js";

const runtime = createRuntime();

/**
 * The events of one step, without what differs from run to run: timings, ids, container names and log lines, and the
 * interleaving of what happens concurrently (the roles start side by side, expectations resolve as lines arrive): the
 * step's own events in order, each role's container events in order, the expectations' outcomes by id.
 */
function stepEvents(events: LabEvent[]) {
  const start = events.findIndex((e) => e.type === "step:start");
  const end = events.findIndex((e, i) => i > start && e.type === "step:end");
  expect(start, "a step:start").toBeGreaterThanOrEqual(0);
  expect(end, "a step:end").toBeGreaterThan(start);
  const step: unknown[] = [];
  const containers: Record<string, string[]> = {};
  const expectations: string[] = [];
  for (const e of events.slice(start, end + 1)) {
    if (e.type === "log") continue;
    else if (e.type === "container") (containers[e.role] ??= []).push(e.state);
    else if (e.type === "expectation") expectations.push(`${e.result.id} ${e.result.status} (${e.result.source})`);
    else if (e.type === "step:start") step.push({ type: e.type, exercise: e.exercise, step: e.step.id, index: e.index, total: e.total, diff: e.diff });
    else if (e.type === "action:start" || e.type === "action:end") step.push({ type: e.type, step: e.step, action: e.action });
    else if (e.type === "step:end")
      step.push({ type: e.type, step: e.result.step, status: e.result.status, expectations: e.result.expectations.map((x) => [x.id, x.status]) });
    else step.push({ type: e.type });
  }
  return { step, containers, expectations: expectations.sort() };
}

describe.skipIf(!hasDocker)("verify, up and the TUI share one run path", () => {
  let dir: string;
  afterAll(async () => {
    if (dir) await resetLab(runtime, { labId: labIdOf({ root: dir }), all: false });
  });

  it("a capturing reporter registry sees the three emit the same events for step 01:cluster", async () => {
    const images = await ensureStandinImages({ profile: "1.11" });
    dir = realpathSync(tempLab(`{ images: ${JSON.stringify(images)}, ports: { master: 0, agent: 0, exhibitor: 0, zk: 0 } }`));
    const config = path.join(dir, "lab.config.ts");

    // every name the front ends ask for (plain, json, junit, tui) is a reporter that records into the current front end's list
    const seen: Record<string, LabEvent[]> = { verify: [], up: [], tui: [] };
    let current = "verify";
    const capture = { create: () => ({ event: (ev: LabEvent) => void seen[current]!.push(ev), close() {} }) };
    const registry = new ReporterRegistry()
      .register("plain", { kind: "stream", ...capture })
      .register("json", { kind: "stream", ...capture })
      .register("junit", { kind: "stream", ...capture })
      .register("tui", { kind: "screen", ...capture });
    const restore = useReporters(registry);
    try {
      current = "verify";
      expect(await verifyCommand({ config }, ["01:cluster"], { reporter: "plain", jobs: "1" })).toBe(0);
      current = "up";
      expect(await upCommand({ config }, "01:cluster", { pull: false })).toBe(0);
      current = "tui";
      // `up`'s cluster is not the TUI's to go on with: the TUI's step starts a cluster of its own, as `up` did
      const run = await LabRun.open({ configFile: config, signalLog: () => undefined });
      try {
        const tui = tuiController(run);
        await tui.runStep("01", "cluster");
        await tui.quit({ stopCluster: true, interrupted: false });
      } finally {
        run.dispose();
      }
    } finally {
      restore();
    }

    // the registry's reporters got the stream, not the default plain output
    const verify = stepEvents(seen.verify!);
    expect(verify.step.at(-1)).toMatchObject({ type: "step:end", step: "cluster", status: "passed" });
    expect(Object.keys(verify.containers).sort()).toEqual(["agent", "master", "zk"]);
    expect(verify.expectations.length).toBeGreaterThan(0);
    expect(stepEvents(seen.up!)).toEqual(verify);
    expect(stepEvents(seen.tui!)).toEqual(verify);
    // one run id: the one verify's run:start names is the one its containers carry, with the exercise's id
    const started = seen.verify!.find((e) => e.type === "run:start");
    const names = seen.verify!.flatMap((e) => (e.type === "container" && e.name ? [e.name] : []));
    expect(names.length).toBeGreaterThan(0);
    for (const n of names) expect(n.startsWith(`mesos-lab-${started?.type === "run:start" ? started.runId : "?"}-01-`), n).toBe(true);
    // and the run's frame around it: verify reports a run (run:start … run:end), up and the TUI one exercise they keep
    expect(seen.verify!.map((e) => e.type)).toEqual(expect.arrayContaining(["run:start", "exercise:start", "cleanup", "exercise:end", "run:end"]));
    for (const kept of [seen.up!, seen.tui!]) {
      expect(kept.map((e) => e.type)).toEqual(expect.arrayContaining(["exercise:start", "exercise:end"]));
      expect(kept.map((e) => e.type)).not.toContain("cleanup");
    }
    // each run owns its clusters: quitting the TUI removed the TUI's, and `up`'s stays until `down`, as it would in
    // another process
    const runOf = (evs: LabEvent[]) => new Set(evs.flatMap((e) => (e.type === "container" && e.name ? [/^mesos-lab-([0-9a-f]+)-/.exec(e.name)![1]] : [])));
    const left = (await runtime.owned.list(labelFilter({ lab: labIdOf({ root: dir }) }))).filter((i) => i.kind === "container");
    expect(new Set(left.map((i) => i.labels["io.mesos-lab.run"]))).toEqual(runOf(seen.up!));
    expect(await downCommand({ config }, {})).toBe(0);
    expect((await runtime.owned.list(labelFilter({ lab: labIdOf({ root: dir }) }))).filter((i) => i.kind === "container")).toEqual([]);
  });
});
