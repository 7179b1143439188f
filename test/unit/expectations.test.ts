import { SourceKeys } from "../../src/engine/source-keys.js";
import { describe, expect, it } from "vitest";
import type { ExpectationResult } from "../../src/engine/events.js";
import { ExpectationSet } from "../../src/engine/expectations.js";
import { closestLines } from "../../src/engine/closest.js";
import { citedFor, expectationSchema, type CitedExpectation, type Expectation } from "../../src/model/exercise.js";
import { cite } from "../helpers/cite.js";
import { sleep } from "../helpers/wait.js";

const exp = (e: Partial<Expectation> & { id: string; pattern: string }): CitedExpectation =>
  citedFor(expectationSchema.parse({ says: e.id, source: { log: "agent" }, cite, ...e }), "1.11.0");

function make(list: CitedExpectation[], o: { timeout?: number; window?: number } = {}) {
  const results: ExpectationResult[] = [];
  const set = new ExpectationSet(list, { defaultTimeoutMs: o.timeout ?? 5_000, negativeWindowMs: o.window ?? 50, onResult: (r) => results.push(r) });
  return { set, results };
}

describe("expectation engine", () => {
  it("passes a positive expectation on the matching line and records it", async () => {
    const { set, results } = make([exp({ id: "registered", pattern: "Registered with master master@\\S+:5050" })]);
    set.feed(SourceKeys.log("agent"), "I0914 slave.cpp:971] New master detected at master@10.0.0.3:5050");
    expect(results).toHaveLength(0);
    set.feed(SourceKeys.log("agent"), "I0914 slave.cpp:1174] Registered with master master@10.0.0.3:5050; given agent ID x-S0");
    await set.settled;
    expect(results[0]).toMatchObject({ id: "registered", status: "passed" });
    expect(results[0]!.matched).toContain("given agent ID");
  });

  it("ignores lines of other sources", () => {
    const { set, results } = make([exp({ id: "a", pattern: "Registered" })]);
    set.feed(SourceKeys.log("master"), "Registered agent x");
    expect(results).toHaveLength(0);
    set.abort("end");
  });

  it("needs `times` matches", async () => {
    const { set, results } = make([exp({ id: "twice", pattern: "Master disconnected!", times: 2 })]);
    set.feed(SourceKeys.log("agent"), "W slave.cpp:5017] Master disconnected! Waiting for a new master to be elected");
    expect(results).toHaveLength(0);
    set.feed(SourceKeys.log("agent"), "W slave.cpp:5017] Master disconnected! Waiting for a new master to be elected");
    await set.settled;
    expect(results[0]!.status).toBe("passed");
  });

  it("fails a positive at its deadline with the closest actual lines", async () => {
    const { set, results } = make([exp({ id: "late", pattern: "Agent is not authenticated", timeoutMs: 40 })]);
    set.feed(SourceKeys.log("agent"), "I slave.cpp:995] No credentials provided. Attempting to register without authentication");
    set.feed(SourceKeys.log("agent"), "I something unrelated");
    await set.settled;
    expect(results[0]!.status).toBe("failed");
    expect(results[0]!.reason).toMatch(/not seen within/);
    expect(results[0]!.closest?.[0]).toContain("without authentication");
  });

  it("a negative passes as soon as its source ends, without its window; one still printing (given up on) watches on", async () => {
    const key = SourceKeys.execute("stdout", "x");
    const src = { execute: "stdout" as const, action: "x" };
    const ended = make([exp({ id: "never", pattern: "Subscribed", negate: true, source: src })], { window: 60_000 });
    ended.set.feed(key, "Received an ERROR event");
    ended.set.endSource(key, "mesos-execute exited with code 1");
    expect(ended.results).toMatchObject([{ id: "never", status: "passed" }]);

    const given = make([exp({ id: "never", pattern: "Subscribed", negate: true, source: src }), exp({ id: "said", pattern: "TASK_RUNNING", source: src })], {
      window: 60_000,
    });
    given.set.endSource(key, "mesos-execute was stopped after 8 s", { stillPrinting: true });
    expect(given.results).toMatchObject([{ id: "said", status: "failed" }]);
    // it printed once more before it was stopped: the negative still sees it
    given.set.feed(key, "Subscribed with ID 123-0001");
    expect(given.results.at(-1)).toMatchObject({ id: "never", status: "failed" });

    // stdout and stderr together: passes only once both ended
    const both = make([exp({ id: "never", pattern: "Subscribed", negate: true, source: { execute: "output" as const, action: "x" } })], { window: 60_000 });
    both.set.endSource(key, "exited");
    expect(both.results).toEqual([]);
    both.set.endSource(SourceKeys.execute("stderr", "x"), "exited");
    expect(both.results).toMatchObject([{ id: "never", status: "passed" }]);
  });

  it("a negative expectation fails at once on a match and passes when its window closes", async () => {
    const neg = exp({ id: "never", pattern: "Registered with master", negate: true, timeoutMs: 30 });
    const a = make([neg]);
    a.set.closeNegatives();
    await a.set.settled;
    expect(a.results[0]!.status).toBe("passed");

    const b = make([neg]);
    b.set.feed(SourceKeys.log("agent"), "Registered with master master@1.2.3.4:5050");
    await b.set.settled;
    expect(b.results[0]).toMatchObject({ status: "failed", reason: expect.stringContaining("must not") });
  });

  it("negative windows only start when the step closes them", async () => {
    const { set, results } = make([exp({ id: "never", pattern: "x", negate: true, timeoutMs: 10 })]);
    await sleep(40);
    expect(results).toHaveLength(0);
    set.closeNegatives();
    await set.settled;
    expect(results[0]!.status).toBe("passed");
  });

  it("once a negative has failed, waiting positives get the grace, not their whole timeout; passed ones stay passed", async () => {
    const results: ExpectationResult[] = [];
    const set = new ExpectationSet(
      [
        exp({ id: "tries", pattern: "without authentication" }),
        exp({ id: "refused", pattern: "Agent is not authenticated", timeoutMs: 60_000 }),
        exp({ id: "no-register", pattern: "Registered with master", negate: true }),
      ],
      { defaultTimeoutMs: 60_000, negativeWindowMs: 5_000, failedGraceMs: 80, onResult: (r) => results.push(r) },
    );
    set.feed(SourceKeys.log("agent"), "I slave.cpp:995] No credentials provided. Attempting to register without authentication");
    const t0 = Date.now();
    set.feed(SourceKeys.log("agent"), "I slave.cpp:1174] Registered with master master@10.0.0.3:5050; given agent ID x-S0");
    await set.positivesSettled;
    expect(Date.now() - t0).toBeLessThan(5_000);
    const by = Object.fromEntries(results.map((r) => [r.id, r]));
    expect(by.tries!.status).toBe("passed");
    expect(by["no-register"]!.status).toBe("failed");
    expect(by.refused!.status).toBe("failed");
    expect(by.refused!.reason).toMatch(/^not seen within 0\.\d s; stopped waiting because 'no-register' had already failed$/);
    expect(by.refused!.closest?.length).toBeGreaterThan(0);
  });

  it("a positive that matches within the grace after a negative failed still passes", async () => {
    const results: ExpectationResult[] = [];
    const set = new ExpectationSet(
      [exp({ id: "refused", pattern: "Agent is not authenticated" }), exp({ id: "no-register", pattern: "Registered with master", negate: true })],
      { defaultTimeoutMs: 60_000, negativeWindowMs: 5_000, failedGraceMs: 1_000, onResult: (r) => results.push(r) },
    );
    set.feed(SourceKeys.log("agent"), "Registered with master master@10.0.0.3:5050");
    set.feed(SourceKeys.log("agent"), "Agent asked to shut down because 'Agent is not authenticated'");
    await set.positivesSettled;
    expect(results.find((r) => r.id === "refused")!.status).toBe("passed");
  });

  it("fails fast when the source ends (container exited), not at the timeout", async () => {
    const { set, results } = make([exp({ id: "reg", pattern: "Registered", timeoutMs: 60_000 })]);
    const t0 = Date.now();
    set.endSource(SourceKeys.log("agent"), "agent exited with code 1");
    await set.settled;
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(results[0]).toMatchObject({ status: "failed", reason: "agent exited with code 1" });
  });

  it("an output expectation reading stdout and stderr fails only when both ended", () => {
    const e = citedFor(expectationSchema.parse({ id: "o", says: "o", source: { execute: "output" }, pattern: "401 Unauthorized", cite }), "1.11.0");
    const { set, results } = make([e]);
    set.endSource(SourceKeys.execute("stdout", "execute"), "exited");
    expect(results).toHaveLength(0);
    set.feed(SourceKeys.execute("stderr", "execute"), "EXIT with status 1: Received an ERROR event: Received unexpected '401 Unauthorized' () for SUBSCRIBE");
    expect(results[0]!.status).toBe("passed");
  });

  it("a negative's window, when it opens, is sent with its end (for a countdown); its verdict comes without it", async () => {
    const windows: ExpectationResult[] = [];
    const results: ExpectationResult[] = [];
    let now = 1_000;
    const set = new ExpectationSet([exp({ id: "never", pattern: "x", negate: true, timeoutMs: 8_000 })], {
      defaultTimeoutMs: 5_000,
      negativeWindowMs: 50,
      now: () => now,
      onResult: (r) => results.push(r),
      onWindow: (r) => windows.push(r),
    });
    now = 4_000;
    set.closeNegatives();
    expect(windows).toEqual([expect.objectContaining({ id: "never", status: "waiting", until: 12_000 })]);
    expect(results).toEqual([]);
    set.abort("end");
    expect(results.at(-1)).not.toHaveProperty("until");
  });

  it("failWaiting fails pending positives but leaves negatives to their windows", async () => {
    const { set, results } = make([exp({ id: "p", pattern: "a" }), exp({ id: "n", pattern: "b", negate: true, timeoutMs: 5 })]);
    set.failWaiting("master died");
    expect(results.map((r) => [r.id, r.status])).toEqual([["p", "failed"]]);
    set.closeNegatives();
    await set.settled;
    expect(results.find((r) => r.id === "n")!.status).toBe("passed");
  });

  it("closestLines ranks by shared words", () => {
    const lines = ["Master allowing unauthenticated agents to register", "random", "Master only allowing authenticated agents to register"];
    expect(closestLines("Master only allowing authenticated agents to register", lines, 1)).toEqual([lines[2]]);
  });
});
