import { describe, expect, it } from "vitest";
import { Cluster } from "../../src/engine/cluster.js";
import { LabBus, type LabEvent } from "../../src/engine/events.js";
import { labelFilter } from "../../src/runtime/labels.js";
import { createRuntime } from "../../src/runtime/factory.js";
import { hasDocker } from "../helpers/docker.js";
import { standinConfig, testMaterial } from "../helpers/lab.js";

/**
 * A run's removal on an engine that fails a call now and then (a loaded 2-core CI machine): a failed listing is tried
 * again, not taken for "nothing left", and what could not be removed is said, never left behind in silence.
 */
describe.skipIf(!hasDocker)("a run's removal", () => {
  async function cluster(runtime: ReturnType<typeof createRuntime>, events: LabEvent[]) {
    const bus = new LabBus();
    bus.on((e) => events.push(e));
    const run = `disp${process.pid}${Math.floor(Math.random() * 1e6)}`;
    const c = new Cluster({
      runtime,
      config: await standinConfig(),
      material: await testMaterial(),
      identity: { lab: `test${process.pid}`, run },
      bus,
      publish: "ephemeral",
      publishHost: (await runtime.info()).publishHost,
    });
    await c.init();
    return { c, run };
  }

  it("removes the network although the engine failed the listing twice", async () => {
    const runtime = createRuntime();
    const events: LabEvent[] = [];
    const { c, run } = await cluster(runtime, events);
    expect(await runtime.owned.list(labelFilter({ run }))).toHaveLength(1);
    const list = runtime.owned.list.bind(runtime.owned);
    let failures = 2;
    runtime.owned.list = (f) => (failures-- > 0 ? Promise.reject(new Error("socket hang up")) : list(f));
    await c.dispose();
    runtime.owned.list = list;
    expect(await runtime.owned.list(labelFilter({ run }))).toEqual([]);
    expect(events.filter((e) => e.type === "warning")).toEqual([]);
  });
});
