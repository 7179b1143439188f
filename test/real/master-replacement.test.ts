import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { StepResult } from "../../src/engine/events.js";
import { cli } from "../helpers/cli.js";
import { realAvailable, realLab } from "./real-mesos.js";

/**
 * A step that changes the master's flags replaces the master, and the new one is elected only once the removed one's
 * contender znode is gone. Left to ZooKeeper, that is when the removed master's session expires: --zk_session_timeout,
 * 10 s by default (DEFAULT_ZK_SESSION_TIMEOUT, src/master/constants.hpp:145 at 1.11). The harness deletes that znode
 * and keeps ZooKeeper (src/engine/cluster/stale-masters.ts).
 */
describe.runIf(await realAvailable())("a master replaced on real Mesos 1.11", () => {
  it("is elected on the same ZooKeeper before the removed master's session could expire (exercise 04)", async () => {
    const dir = await realLab();
    const report = path.join(dir, "report.json");
    const r = await cli(["verify", "04", "--reporter", "json", "--output", report], { cwd: dir, timeout: 300_000 });
    const steps = (JSON.parse(readFileSync(report, "utf8")) as { steps: StepResult[] }).steps;
    expect(r.exitCode, r.all.slice(-3000)).toBe(0);
    // steps 2 and 3 set new master flags: master and agent are new, ZooKeeper is the one of the step before
    for (const s of [steps[1]!, steps[2]!]) {
      expect(s.timings).toMatchObject({ created: 2, reused: 1 });
      // readiness includes the election: a wait for the session's expiry alone would take 10 s
      expect(s.timings!.readyMs, `${s.step}: ready after ${s.timings!.readyMs} ms`).toBeLessThan(10_000);
    }
  });
});
