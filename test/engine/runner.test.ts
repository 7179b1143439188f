import { describe, expect, it } from "vitest";
import { loadCatalogue } from "../../src/catalogue/load.js";
import { labelFilter } from "../../src/docker/labels.js";
import { DockerPort } from "../../src/docker/port.js";
import type { Cluster } from "../../src/engine/cluster.js";
import { hasDocker } from "../helpers/docker.js";
import { cite, fixture, run, standinConfig } from "../helpers/lab.js";

const port = new DockerPort();
const leftovers = async (run: string) => (await port.listOwned(labelFilter({ run }))).length;

describe.skipIf(!hasDocker)("runner on a real engine with the Mesos stand-in", () => {
  it("exercise 01 passes end to end; step 2 reuses the three unchanged containers; nothing is left behind", async () => {
    const [ex01] = await loadCatalogue();
    const { results, events } = await run(ex01!, await standinConfig());
    expect(results.map((r) => [r.step, r.status])).toEqual([
      ["cluster", "passed"],
      ["run-task", "passed"],
    ]);
    expect(results[0]!.timings.created).toBe(3);
    expect(results[1]!.timings).toMatchObject({ created: 0, reused: 3 });
    const passed = events.filter((e) => e.type === "expectation" && e.result.status === "passed").map((e) => (e.type === "expectation" ? e.result.id : ""));
    expect(passed).toEqual(expect.arrayContaining(["elected", "registered", "subscribed", "finished", "exit-status", "exit-code", "no-failure"]));
    const runId = (events.find((e) => e.type === "container") as { name: string }).name.split("-")[2]!;
    expect(await leftovers(runId)).toBe(0);
  });

  it("a step run on the kept cluster of the step before goes on with it (the TUI's next step); alone it starts afresh", async () => {
    const [ex01] = await loadCatalogue();
    const config = await standinConfig();
    let kept: Cluster | undefined;
    const first = await run(ex01!, config, { keep: true, onlyStep: "cluster", onCluster: (c) => (kept = c) });
    expect(first.results[0]).toMatchObject({ step: "cluster", status: "passed" });
    try {
      const next = await run(ex01!, config, { keep: true, onlyStep: "run-task", cluster: kept });
      expect(next.results[0]).toMatchObject({ step: "run-task", status: "passed", timings: { created: 0, reused: 3 } });
    } finally {
      await kept!.dispose();
    }
    expect(kept!.intact).toBe(false);
    expect(await leftovers(kept!.runId)).toBe(0);
    // a disposed cluster is not gone on with: the run starts its own
    const alone = await run(ex01!, config, { onlyStep: "run-task", cluster: kept });
    expect(alone.results[0]).toMatchObject({ step: "run-task", status: "passed", timings: { created: 3, reused: 0 } });
  });

  it("a container that dies mid-step fails the step at once with its exit code and last lines", async () => {
    const ex = fixture({
      id: "90",
      slug: "dies",
      title: "dies",
      summary: "s",
      text: "t",
      steps: [
        {
          id: "die",
          title: "die",
          text: "t",
          hint: "the master was told to die",
          env: { master: { STANDIN_EXIT_AFTER_MS: "1500", STANDIN_EXIT_CODE: "3" } },
          expect: [{ id: "never", says: "a line that never comes", source: { log: "master" }, pattern: "this line is never printed", timeoutMs: 60_000, cite }],
        },
      ],
    });
    const t0 = Date.now();
    const { results } = await run(ex, await standinConfig());
    const r = results[0]!;
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(r.status).toBe("failed");
    expect(r.died?.[0]).toMatchObject({ role: "master", exitCode: 3 });
    expect(r.died?.[0]!.lastLines.length).toBeGreaterThan(0);
    expect(r.expectations[0]!.reason).toMatch(/exited with code 3/);
  });

  it("mesos-execute that cannot subscribe is stopped at its timeout and the exit reads `timeout`", async () => {
    const ex = fixture({
      id: "91",
      slug: "hang",
      title: "hang",
      summary: "s",
      text: "t",
      steps: [
        {
          id: "no-zk",
          title: "no zk",
          text: "t",
          hint: "h",
          cluster: ["master"],
          ready: { master: false },
          actions: [{ do: "execute", args: ["--name=foo", "--command=true"], timeoutMs: 2500 }],
          expect: [
            { id: "timeout", says: "mesos-execute never exits on its own", source: { exit: "execute" }, pattern: "^timeout$", cite },
            { id: "never-subscribed", says: "it never subscribes", source: { execute: "stdout" }, pattern: "Subscribed with ID", negate: true, timeoutMs: 200, cite },
          ],
        },
      ],
    });
    const { results } = await run(ex, await standinConfig());
    expect(results[0]!.expectations.map((e) => [e.id, e.status])).toEqual([
      ["timeout", "passed"],
      ["never-subscribed", "passed"],
    ]);
    expect(results[0]!.status).toBe("passed");
  });

  it("a negative window fails the step when the forbidden line appears, and reports the line", async () => {
    const ex = fixture({
      id: "92",
      slug: "neg",
      title: "neg",
      summary: "s",
      text: "t",
      steps: [
        {
          id: "neg",
          title: "neg",
          text: "t",
          hint: "h",
          expect: [{ id: "no-register", says: "the agent must not register", source: { log: "agent" }, pattern: "Registered with master", negate: true, timeoutMs: 8000, cite }],
        },
      ],
    });
    const { results } = await run(ex, await standinConfig());
    expect(results[0]!.status).toBe("failed");
    expect(results[0]!.expectations[0]!.matched).toMatch(/Registered with master master@\S+:5050/);
  });
});
