import { describe, expect, it } from "vitest";
import { labIdOf } from "../../src/lab/identity.js";
import { LABEL, labelFilter } from "../../src/runtime/labels.js";
import { createRuntime } from "../../src/runtime/factory.js";
import { cli } from "../helpers/cli.js";
import { engineClient } from "../helpers/docker.js";
import { realAvailable, realLab } from "./real-mesos.js";

const runtime = createRuntime();

/**
 * Exercise 11 on an unprivileged agent (issue 22 point 1): its nested-container sessions run on Mesos' POSIX launcher,
 * so the agent `up 11` leaves has no added capability, no security option and no mount, and an anonymous caller still
 * gets a root shell in a running task until the control (docs/facts/observed-1.11.md, "Observed 2026-12-06, exercise 11
 * on the POSIX launcher").
 */
describe.runIf(await realAvailable())("exercise 11 on an unprivileged agent, real Mesos 1.11", () => {
  it("up 11:open leaves an agent without capability, security option or mount, and the root shell works on it", async () => {
    const dir = await realLab();
    const lab = labIdOf({ root: dir });
    try {
      const up = await cli(["up", "11:open"], { cwd: dir, timeout: 300_000 });
      expect(up.exitCode, up.all.slice(-4000)).toBe(0);
      const agent = (await runtime.owned.list(labelFilter({ lab }))).find((i) => i.kind === "container" && i.labels[LABEL.role] === "agent");
      expect(agent, "the agent up left").toBeDefined();
      const c = await engineClient().getContainer(agent!.id).inspect();
      expect(c.State.Running).toBe(true);
      expect(c.HostConfig.Privileged).toBe(false);
      expect(c.HostConfig.CapAdd ?? []).toEqual([]);
      expect(c.HostConfig.SecurityOpt ?? []).toEqual([]);
      expect(c.Mounts).toEqual([]);
      expect(c.Config.Env).toContain("MESOS_LAUNCHER=posix");
      const attack = await cli(["attack", "11", "--json"], { cwd: dir, timeout: 120_000 });
      expect(attack.exitCode, attack.all.slice(-4000)).toBe(0);
      expect(JSON.parse(attack.stdout)).toMatchObject({ step: "open", outcome: "works" });
    } finally {
      await cli(["down"], { cwd: dir, timeout: 120_000 });
    }
    expect(await runtime.owned.list(labelFilter({ lab }))).toEqual([]);
  }, 600_000);
});
