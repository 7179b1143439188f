import path from "node:path";
import { describe, expect, it } from "vitest";
import { PROBES } from "../../src/audit/probes.js";
import type { LabEvent } from "../../src/engine/events.js";
import { labIdOf } from "../../src/lab/identity.js";
import { LabRun } from "../../src/lab/run-service.js";
import { createRuntime } from "../../src/runtime/factory.js";
import { labelFilter } from "../../src/runtime/labels.js";
import { auditPanel } from "../../src/tui/audit-panel.js";
import { tuiController } from "../../src/tui/controller.js";
import { realAvailable, realLab } from "./real-mesos.js";

/**
 * The TUI's own audit (issue 21 point 5) on real Mesos 1.11, through the controller the screen uses: exercise 06's
 * last step runs and keeps its cluster, the controller audits what it published with the lab's own credentials and CA,
 * and the panel says 06's findings are closed while the agent's operator API (exercise 11's) is still open. The audit
 * is not taken for an attendee's exploit, and quitting leaves nothing of the lab on the engine.
 */
const runtime = createRuntime();

describe.runIf(await realAvailable())("the TUI's audit of its own cluster, real Mesos 1.11", () => {
  it("06's last step: its HTTP findings closed, the operator API still open (exercise 11), nothing left after quit", async () => {
    const dir = await realLab();
    const run = await LabRun.open({ configFile: path.join(dir, "lab.config.ts"), signalLog: () => undefined });
    const events: LabEvent[] = [];
    try {
      const controller = tuiController(run);
      controller.bus.on((ev) => events.push(ev));
      await controller.runStep("06", "anonymous-replay");
      const end = events.find((e) => e.type === "step:end");
      expect(end?.type === "step:end" && end.result.status, JSON.stringify(end)).toBe("passed");
      const published = events.find((e) => e.type === "published");
      expect(published?.type === "published" && published.urls.master).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const urls = published?.type === "published" ? published.urls : {};

      expect(controller.audit).toBeDefined();
      const report = await controller.audit!({ exercise: "06", urls });
      const panel = auditPanel(report, "06");
      const mine = PROBES.filter((p) => p.exercise?.id === "06").map((p) => p.id);
      expect(mine.length).toBeGreaterThan(0);
      // every probe 06 teaches is judged closed: the audit read the cluster as the lab's operator, not as an outsider
      expect(panel.closed.map((c) => c.id).sort()).toEqual([...mine].sort());
      expect(panel.unjudged).toEqual([]);
      expect(panel.open.find((o) => o.id === "agent-operator-api-anonymous")).toMatchObject({ exercise: "11", roles: ["agent"] });
      expect(panel.open.filter((o) => o.exercise === "06")).toEqual([]);
      // the audit's own anonymous requests are not an attendee's exploit of the step's attack
      await new Promise((r) => setTimeout(r, 1500));
      expect(events.filter((e) => e.type === "exploit")).toEqual([]);
      await controller.quit({ stopCluster: true, interrupted: false });
    } finally {
      run.dispose();
    }
    const left = (await runtime.owned.list(labelFilter({ lab: labIdOf({ root: dir }) }))).filter((i) => i.kind === "container" || i.kind === "network");
    expect(left).toEqual([]);
  }, 180_000);
});
