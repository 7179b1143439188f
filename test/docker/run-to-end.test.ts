import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createRuntime } from "../../src/runtime/factory.js";
import { runLabels } from "../../src/runtime/labels.js";
import { runToEnd } from "../../src/runtime/run-to-end.js";
import { ensureBusybox, hasDocker } from "../helpers/docker.js";

/**
 * A one-shot container (doctor's capabilities probe, the release helper) on the real engine: its exit code and every
 * line it printed come back; one past its deadline fails with the caller's words; either way `dispose` gets it, and
 * the removal it does leaves nothing.
 */
const runtime = createRuntime();
const identity = () => ({ lab: `run-to-end-${randomBytes(3).toString("hex")}`, run: randomBytes(3).toString("hex") });

describe.skipIf(!hasDocker)("runToEnd on the real engine", () => {
  it("returns the exit code and the lines, then disposes of the container", async () => {
    const image = await ensureBusybox();
    const disposed: string[] = [];
    const r = await runToEnd(
      runtime,
      {
        name: `mesos-lab-rte-${randomBytes(3).toString("hex")}`,
        image,
        cmd: ["sh", "-c", "echo one; echo two >&2; exit 3"],
        env: {},
        labels: runLabels(identity()),
      },
      {
        timeoutMs: 30_000,
        timeoutText: "not done",
        dispose: async (id) => {
          disposed.push(id);
          await runtime.containers.remove(id);
        },
      },
    );
    expect(r.code).toBe(3);
    expect(r.lines.sort()).toEqual(["one", "two"]);
    expect(disposed).toHaveLength(1);
    expect(await runtime.containers.inspect(disposed[0]!)).toBeUndefined();
  });

  it("a container past its deadline fails with the caller's words and is still disposed of, while it runs", async () => {
    const image = await ensureBusybox();
    const running: boolean[] = [];
    const ids: string[] = [];
    await expect(
      runToEnd(
        runtime,
        { name: `mesos-lab-rte-${randomBytes(3).toString("hex")}`, image, cmd: ["sleep", "60"], env: {}, labels: runLabels(identity()) },
        {
          timeoutMs: 1500,
          timeoutText: "the probe did not finish within 1.5 s",
          dispose: async (id) => {
            ids.push(id);
            running.push(!!(await runtime.containers.inspect(id))?.running);
            await runtime.containers.remove(id);
          },
        },
      ),
    ).rejects.toThrow("the probe did not finish within 1.5 s");
    expect(running).toEqual([true]);
    expect(await runtime.containers.inspect(ids[0]!)).toBeUndefined();
  });

  it("a refused create fails with the caller's words, and there is nothing to dispose of", async () => {
    const disposed: string[] = [];
    await expect(
      runToEnd(
        runtime,
        { name: "mesos-lab-rte-bad", image: "mesos-lab-test/absent:never", cmd: ["true"], env: {}, labels: runLabels(identity()) },
        {
          timeoutMs: 5000,
          timeoutText: "x",
          createFailed: (err) => new Error(`could not create: ${err.message.split("\n")[0]}`),
          dispose: async (id) => void disposed.push(id),
        },
      ),
    ).rejects.toThrow(/^could not create: /);
    expect(disposed).toEqual([]);
  });
});
