import { describe, expect, it } from "vitest";
import { loadCatalogue } from "../../src/catalogue/load.js";
import { labelFilter } from "../../src/runtime/labels.js";
import { createRuntime } from "../../src/runtime/factory.js";
import type { Cluster } from "../../src/engine/cluster.js";
import { LabBus } from "../../src/engine/events.js";
import { failureLines } from "../../src/report/format.js";
import { jsonReport } from "../../src/report/json.js";
import { junitXml } from "../../src/report/junit.js";
import { attachPlain } from "../../src/report/plain.js";
import { hasDocker } from "../helpers/docker.js";
import { cite } from "../helpers/cite.js";
import { fixture, run, standinConfig } from "../helpers/lab.js";

const runtime = createRuntime();
const leftovers = async (run: string) => (await runtime.owned.list(labelFilter({ run }))).length;

describe.skipIf(!hasDocker)("runner on a real engine with the Mesos stand-in", () => {
  it("exercise 01 passes end to end; step 2 reuses the three unchanged containers; nothing is left behind", async () => {
    const [ex01] = await loadCatalogue();
    const { results, events } = await run(ex01!, await standinConfig());
    // a failed step says why in the test's own report (a CI log has nothing else of it)
    const why = results.filter((r) => r.status !== "passed").flatMap((r) => [`${r.step}:`, ...failureLines(r)]);
    expect(
      results.map((r) => [r.step, r.status]),
      why.join("\n"),
    ).toEqual([
      ["cluster", "passed"],
      ["run-task", "passed"],
      // the baseline attack (exercise 01's third step)
      ["root-task", "passed"],
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
    expect(await leftovers(kept!.containers.identity.run)).toBe(0);
    // a disposed cluster is not gone on with: the run starts its own
    const alone = await run(ex01!, config, { onlyStep: "run-task", cluster: kept });
    expect(alone.results[0]).toMatchObject({ step: "run-task", status: "passed", timings: { created: 3, reused: 0 } });
  });

  it("a master that replaces another keeps ZooKeeper: the removed master's znode is deleted instead (exercise 04)", async () => {
    const ex04 = (await loadCatalogue()).find((e) => e.id.startsWith("04"))!;
    const { results, events } = await run(ex04, await standinConfig());
    expect(results.map((r) => r.status)).toEqual(results.map(() => "passed"));
    // steps 2 and 3 change the master's flags: master and agent are new, ZooKeeper goes on
    expect(results[1]!.timings).toMatchObject({ created: 2, reused: 1 });
    expect(results[2]!.timings).toMatchObject({ created: 2, reused: 1 });
    const zk = events.filter((e) => e.type === "container" && e.role === "zk").map((e) => (e.type === "container" ? e.state : ""));
    expect(zk.filter((s) => s === "created")).toHaveLength(1);
  });

  it("mesos-execute runs in one scheduler host, and its run ends once the master removed its framework", async () => {
    const ex = fixture({
      id: "93",
      slug: "aftermath",
      title: "aftermath",
      summary: "s",
      text: "t",
      steps: [
        {
          id: "run-task",
          title: "run",
          text: "t",
          hint: "h",
          // the stand-in master removes a disconnected framework 500 ms late, so the removal cannot come first by luck
          env: { master: { STANDIN_FAILOVER_DELAY_MS: "500" } },
          actions: [{ do: "execute", args: ["--name=foo", "--command=true"] }],
          expect: [{ id: "exit-0", says: "mesos-execute exits 0", source: { exit: "execute" }, pattern: "^0$", cite }],
        },
      ],
    });
    const { results, events } = await run(ex, await standinConfig());
    expect(results[0]).toMatchObject({ step: "run-task", status: "passed" });
    // the run is a process in the host, not a container of its own
    const execute = events.flatMap((e) => (e.type === "container" && e.role === "execute" && e.state === "created" ? [e.name] : []));
    expect(execute).toHaveLength(2);
    expect(execute[0]).toMatch(/-execute$/);
    expect(execute[1]).toMatch(/-execute \(mesos-execute #1\)$/);
    // its framework's removal (failover timeout 0) is part of the run: seen before the action ended
    const removed = events.findIndex((e) => e.type === "log" && e.role === "master" && /Removing framework /.test(e.text));
    const ended = events.findIndex((e) => e.type === "action:end" && e.step === "run-task");
    expect(removed).toBeGreaterThan(-1);
    expect(removed).toBeLessThan(ended);
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
    // the stand-in logs through glog, to stderr: its last lines are kept apart from stdout
    expect(r.died?.[0]?.stderr.total).toBeGreaterThan(0);
    expect([...r.died![0]!.stderr.head, ...r.died![0]!.stderr.tail].some((l) => /master\.cpp:\d+\]/.test(l))).toBe(true);
    expect(r.expectations[0]!.reason).toMatch(/exited with code 3/);
  });

  it("a master that exits before it is ready is reported with its last lines, which say why (issue 19 point 2)", async () => {
    const ex = fixture({
      id: "91",
      slug: "no-credentials",
      title: "no credentials",
      summary: "s",
      text: "t",
      steps: [
        {
          id: "wrong-path",
          title: "wrong path",
          text: "t",
          hint: "the credentials are at /etc/credentials/credentials.json in the containers",
          env: { master: { MESOS_AUTHENTICATE_AGENTS: "true", MESOS_CREDENTIALS: "file:///credentials/credentials.json" } },
          expect: [{ id: "never", says: "the agent registers", source: { log: "agent" }, pattern: "Registered with master", cite }],
        },
      ],
    });
    const { results } = await run(ex, await standinConfig());
    const r = results[0]!;
    expect(r.status).not.toBe("passed");
    expect(r.error).toMatch(/master exited with code 1 before it was ready/);
    const master = r.died?.find((d) => d.role === "master");
    expect(master, JSON.stringify(r.died)).toMatchObject({ exitCode: 1 });
    expect([...master!.stderr.head, ...master!.stderr.tail].some((l) => l.includes("Failed to read credentials file '/credentials/credentials.json'"))).toBe(
      true,
    );
  });

  it("mesos-execute that exits 1 explains itself: the failure report (plain, JSON, JUnit) shows its last stderr lines", async () => {
    // the stand-in refuses an unknown flag as stout does: the reason on stderr, then the usage text, exit 1
    const ex = fixture({
      id: "93",
      slug: "refused",
      title: "refused",
      summary: "s",
      text: "t",
      steps: [
        {
          id: "expected-refusal",
          title: "the refusal is the lesson",
          text: "t",
          hint: "h",
          cluster: ["zk"],
          actions: [{ do: "execute", args: ["--name=foo", "--command=true", "--bogus=1"] }],
          expect: [
            { id: "refused", says: "mesos-execute refuses the flag", source: { execute: "stderr" }, pattern: "unknown flag 'bogus'", cite },
            { id: "exit-1", says: "mesos-execute exits 1", source: { exit: "execute" }, pattern: "^1$", cite },
          ],
        },
        {
          id: "bad-flag",
          title: "a task that never runs",
          text: "t",
          hint: "look at what mesos-execute printed",
          cluster: ["zk"],
          actions: [{ do: "execute", id: "run-task", args: ["--name=foo", "--command=true", "--bogus=1"] }],
          expect: [{ id: "finished", says: "the task finishes", source: { execute: "stdout" }, pattern: "TASK_FINISHED", cite }],
        },
      ],
    });
    const { results, events } = await run(ex, await standinConfig());
    // an exit the step expects is no failure and explains nothing
    expect(results[0]).toMatchObject({ step: "expected-refusal", status: "passed" });
    expect(results[0]!.died).toBeUndefined();
    const r = results[1]!;
    expect(r.status).toBe("failed");
    expect(r.expectations[0]!.reason).toBe("mesos-execute exited with code 1");
    expect(r.died).toHaveLength(1);
    const d = r.died![0]!;
    expect(d).toMatchObject({ role: "execute", action: "run-task", command: "mesos-execute --name=foo --command=true --bogus=1", exitCode: 1 });
    // the reason comes first, then the usage text (the stand-in words it like stout: `Failed to load unknown flag 'bogus'`)
    const reason = d.stderr.head[0]!;
    expect(reason).toMatch(/Failed to load unknown flag 'bogus'$/);
    expect(d.stderr.head).toContain("Usage: mesos-execute [options]");

    const bus = new LabBus();
    let plain = "";
    attachPlain(
      bus,
      (t) => (plain += t),
      (t) => t,
    );
    for (const e of events) bus.emit(e);
    const block = plain.slice(plain.indexOf("step 2/2 bad-flag"));
    expect(block).toContain(
      "    mesos-execute (action run-task) exited with code 1\n      $ mesos-execute --name=foo --command=true --bogus=1\n      stderr, ",
    );
    expect(block).toContain(`        | ${reason}\n`);
    expect(block.indexOf("unknown flag 'bogus'")).toBeLessThan(block.indexOf("✗ the task finishes"));
    expect(plain.slice(0, plain.indexOf("step 2/2"))).not.toContain("exited with code 1");

    const json = JSON.parse(jsonReport(results, { profile: "1.4", exitCode: 1, durationMs: 1 }, (t) => t));
    expect(json.steps[1].died[0].stderr.head[0]).toBe(reason);

    const xml = junitXml(results, { "93": "refused" }, (t) => t);
    expect(xml).toContain(`<failure message="the task finishes — mesos-execute (action run-task) exited with code 1: ${reason}">`);
    expect(/<failure [^>]*>([\s\S]*?)<\/failure>/.exec(xml)![1]).toContain(`    | ${reason}\n`);
    expect(/<system-err>([\s\S]*?)<\/system-err>/.exec(xml)![1]).toContain(`${reason}\n\nUsage: mesos-execute [options]`);
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
            {
              id: "never-subscribed",
              says: "it never subscribes",
              source: { execute: "stdout" },
              pattern: "Subscribed with ID",
              negate: true,
              timeoutMs: 200,
              cite,
            },
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

  it.each([
    { when: "after", knob: "1", status: "passed", code: "0" },
    { when: "before", knob: "before-main", status: "failed", code: "139" },
  ])("mesos-execute killed by SIGSEGV $when its main returned (the ZooKeeper handle freed): the exit reads $code", async ({ knob, status, code }) => {
    const ex = fixture({
      id: "92",
      slug: "segv",
      title: "segv",
      summary: "s",
      text: "t",
      steps: [
        {
          id: "teardown",
          title: "teardown",
          text: "t",
          hint: "h",
          env: { execute: { STANDIN_TEARDOWN_SEGV: knob } },
          actions: [{ do: "execute", args: ["--name=foo", "--command=true"] }],
          expect: [
            { id: "finished", says: "the task finishes", source: { execute: "stdout" }, pattern: "^Received status update TASK_FINISHED for task 'foo'", cite },
            { id: "exit-0", says: "mesos-execute exits 0", source: { exit: "execute" }, pattern: "^0$", cite },
          ],
        },
      ],
    });
    const { results, events } = await run(ex, await standinConfig());
    const r = results[0]!;
    expect(
      r.expectations.map((e) => [e.id, e.status]),
      failureLines(r).join("\n"),
    ).toEqual([
      ["finished", "passed"],
      ["exit-0", status],
    ]);
    const warnings = events.flatMap((e) => (e.type === "warning" ? [e.message] : []));
    if (code === "0") {
      expect(warnings).toEqual([
        "92:teardown: mesos-execute (execute) was killed by SIGSEGV after its main returned EXIT_SUCCESS (its ZooKeeper handle was already freed): a crash in Mesos' own exit teardown, counted as exit 0",
      ]);
      expect(r.died ?? []).toEqual([]);
    } else {
      expect(warnings).toEqual([]);
      expect(r.expectations[1]!.reason).toBe("mesos-execute exited with code 139");
      expect(r.died?.[0]).toMatchObject({ role: "execute", exitCode: 139 });
    }
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
          expect: [
            {
              id: "no-register",
              says: "the agent must not register",
              source: { log: "agent" },
              pattern: "Registered with master",
              negate: true,
              timeoutMs: 8000,
              cite,
            },
          ],
        },
      ],
    });
    const { results } = await run(ex, await standinConfig());
    expect(results[0]!.status).toBe("failed");
    expect(results[0]!.expectations[0]!.matched).toMatch(/Registered with master master@\S+:5050/);
  });
});
