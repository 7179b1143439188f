import { describe, expect, it } from "vitest";
import { pollUntil } from "../helpers/wait.js";

describe("pollUntil", () => {
  it("returns the first value `done` accepts, reading again until then", async () => {
    let n = 0;
    expect(
      await pollUntil(
        () => ++n,
        (v) => v >= 3,
        { timeoutMs: 1000, everyMs: 1, failure: () => "never" },
      ),
    ).toBe(3);
    expect(n).toBe(3);
  });

  it("throws what `failure` makes of the last value read once the time is up", async () => {
    await expect(
      pollUntil(
        async () => "still starting",
        (v) => v === "up",
        { timeoutMs: 30, everyMs: 5, failure: (last) => `not up; last: ${last}` },
      ),
    ).rejects.toThrow("not up; last: still starting");
  });

  it("waits between reads with `pause` when given, asking it for `everyMs`", async () => {
    const asked: number[] = [];
    let n = 0;
    const started = Date.now();
    expect(
      await pollUntil(
        () => ++n,
        (v) => v >= 3,
        // sleep's 60 s between reads would outlast the test; this pause returns at once
        { timeoutMs: 120_000, everyMs: 60_000, pause: async (ms) => void asked.push(ms), failure: () => "never" },
      ),
    ).toBe(3);
    expect(asked).toEqual([60_000, 60_000]);
    expect(Date.now() - started).toBeLessThan(1000);
  }, 2000);
});
