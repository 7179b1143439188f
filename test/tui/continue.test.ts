import { describe, expect, it } from "vitest";
import { clusterToContinue, type StepTrail } from "../../src/tui/continue.js";

const cluster = { intact: true };
const trail = (over: Partial<StepTrail<{ intact: boolean }>> = {}): StepTrail<{ intact: boolean }> => ({
  exercise: "03",
  index: 0,
  passed: true,
  cluster,
  ...over,
});

describe("which cluster the TUI's next run goes on with", () => {
  it("the step right after one that passed, in the same exercise, goes on with its cluster", () => {
    expect(clusterToContinue(trail(), "03", 1)).toBe(cluster);
  });

  it("a re-run, a jump, another exercise, a failed step before, or a disposed cluster start afresh", () => {
    expect(clusterToContinue(trail(), "03", 0)).toBeUndefined();
    expect(clusterToContinue(trail(), "03", 2)).toBeUndefined();
    expect(clusterToContinue(trail(), "04", 1)).toBeUndefined();
    expect(clusterToContinue(trail({ passed: false }), "03", 1)).toBeUndefined();
    expect(clusterToContinue(trail({ cluster: { intact: false } }), "03", 1)).toBeUndefined();
    expect(clusterToContinue(undefined, "03", 1)).toBeUndefined();
  });
});
