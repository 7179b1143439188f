import { describe, expect, it } from "vitest";
import { loadCatalogue } from "../../src/catalogue/load.js";
import { readRecording, recordedDurations } from "../../src/catalogue/recording.js";
import { assignParts, parseShard, type Shard, unitsOf, type Weighted } from "../../src/lab/shard.js";
import { DEFAULT_STEP_MS, exerciseWeights, fallbackStepMs, shardSelection } from "../../src/lab/shard-weights.js";
import type { VerifySelection } from "../../src/lab/run-selections.js";
import { builtinProfile } from "../../src/model/profiles/index.js";
import { LabError } from "../../src/util/errors.js";
import { ROOT } from "../helpers/cli.js";

const mesos = builtinProfile("1.11")!;
const catalogue = await loadCatalogue({ root: ROOT, mesos });
const everything: VerifySelection[] = catalogue.map((exercise) => ({ exercise }));
const shards = (total: number): Shard[] => Array.from({ length: total }, (_, i) => ({ index: i + 1, total }));
const sumOf = (units: Weighted[]) => units.reduce((a, u) => a + u.weightMs, 0);

/** Units with weights drawn from a fixed seed: the same "random" catalogue on every run. */
function seeded(n: number, seed: number): Weighted[] {
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: n }, (_, i) => ({ id: String(i).padStart(2, "0"), weightMs: Math.round(next() * 30_000) }));
}

describe("verify --shard: the parts", () => {
  it.each([1, 2, 3, 5, 12, 13, 40])("every exercise of the catalogue is in exactly one of %i parts, whole", (total) => {
    const parts = shards(total).map((shard) => shardSelection(everything, shard, mesos, recordedDurations(readRecording())));
    const ids = parts.flatMap((p) => p.map((sel) => sel.exercise.id));
    expect(ids.sort()).toEqual(catalogue.map((e) => e.id).sort());
    // whole: a part's selection is the exercise itself, all of its steps
    for (const sel of parts.flat()) expect(sel.step).toBeUndefined();
    // each part keeps the catalogue's order
    for (const p of parts) expect(p.map((s) => s.exercise.id)).toEqual([...p.map((s) => s.exercise.id)].sort());
  });

  it("the real recording's parts of 3 are balanced: the slowest within 20% of the mean", () => {
    const durations = recordedDurations(readRecording());
    const units = exerciseWeights(everything, mesos, durations);
    const sums = shards(3).map((shard) => sumOf(unitsOf(units, shard)));
    const mean = sumOf(units) / 3;
    const heaviest = Math.max(...units.map((u) => u.weightMs));
    const label = `${durations.size ? "recorded durations" : `no recorded durations, ${DEFAULT_STEP_MS} ms a step`}: parts ${sums.map((s) => (s / 1000).toFixed(1)).join(" / ")} s`;
    console.log(`shard balance over the real recording (${label})`);
    expect(sums.reduce((a, b) => a + b, 0)).toBe(sumOf(units));
    // longest-processing-time first never exceeds the mean by more than the heaviest exercise
    expect(Math.max(...sums), label).toBeLessThanOrEqual(mean + heaviest);
    expect(Math.max(...sums) / mean, label).toBeLessThanOrEqual(1.2);
  });

  it("is deterministic: the same parts from the same units, in whatever order they come", () => {
    const units = seeded(30, 7);
    const reversed = [...units].reverse();
    for (const shard of shards(4)) {
      const ids = unitsOf(units, shard).map((u) => u.id);
      expect(unitsOf(units, shard).map((u) => u.id)).toEqual(ids);
      expect(
        unitsOf(reversed, shard)
          .map((u) => u.id)
          .sort(),
      ).toEqual(ids);
    }
  });

  it("breaks ties on the exercise id, then the part's number", () => {
    const units = ["03", "01", "02", "04"].map((id) => ({ id, weightMs: 5 }));
    // 01 → part 1, 02 → part 2, then 03 and 04 meet equal loads and take the lower part first
    expect(assignParts(units, 2)).toEqual([0, 0, 1, 1]);
  });

  it("balances seeded catalogues within the longest-processing-time bound", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const units = seeded(12, seed);
      for (const total of [2, 3, 4]) {
        const sums = shards(total).map((shard) => sumOf(unitsOf(units, shard)));
        expect(Math.max(...sums)).toBeLessThanOrEqual(sumOf(units) / total + Math.max(...units.map((u) => u.weightMs)));
      }
    }
  });

  it("more parts than exercises: each exercise alone in one of the first parts, the rest empty", () => {
    const units = seeded(3, 11);
    const parts = shards(1_000_000)
      .slice(0, 5)
      .map((shard) => unitsOf(units, shard).map((u) => u.id));
    expect(parts.slice(0, 3).flat().sort()).toEqual(["00", "01", "02"]);
    expect(parts.slice(0, 3).every((p) => p.length === 1)).toBe(true);
    expect(parts.slice(3)).toEqual([[], []]);
    expect(unitsOf(units, { index: 1_000_000, total: 1_000_000 })).toEqual([]);
  });
});

describe("verify --shard: what an exercise weighs", () => {
  const ex = (id: string) => catalogue.find((e) => e.id === id)!;
  const steps = (id: string) => ex(id).steps.map((s) => `${id}:${s.id}`);

  it("the recorded duration of each step it runs; a step without one weighs the median recorded step", () => {
    const durations = new Map([...steps("01").map((k, i) => [k, 1000 * (i + 1)] as [string, number])]);
    expect(fallbackStepMs(durations)).toBe(2000);
    const [one, three] = exerciseWeights([{ exercise: ex("01") }, { exercise: ex("03") }], mesos, durations);
    expect(one).toEqual({ id: "01", weightMs: 1000 + 2000 + 3000 });
    expect(three).toEqual({ id: "03", weightMs: 2000 * steps("03").length });
  });

  it("with no recorded duration at all, step counts × the default", () => {
    expect(fallbackStepMs(new Map())).toBe(DEFAULT_STEP_MS);
    expect(exerciseWeights([{ exercise: ex("02") }], mesos, new Map())).toEqual([{ id: "02", weightMs: steps("02").length * DEFAULT_STEP_MS }]);
  });

  it("a step selection weighs its steps; an exercise named twice is one unit, in one part", () => {
    const second = ex("03").steps[1]!.id;
    const selected: VerifySelection[] = [{ exercise: ex("03"), step: second }, { exercise: ex("01") }, { exercise: ex("03"), step: second, only: true }];
    expect(exerciseWeights(selected, mesos, new Map())).toEqual([
      { id: "03", weightMs: 3 * DEFAULT_STEP_MS },
      { id: "01", weightMs: steps("01").length * DEFAULT_STEP_MS },
    ]);
    const parts = shards(2).map((shard) => shardSelection(selected, shard, mesos, new Map()));
    expect(parts.map((p) => p.map((s) => s.exercise.id)).sort()).toEqual([["01"], ["03", "03"]]);
  });

  it("reads durationMs from a recording, and ignores steps without a usable one", () => {
    const recording = {
      steps: {
        "01:a": { status: "passed", durationMs: 4200, expectations: {} },
        "01:b": { status: "passed", expectations: {} },
        "01:c": { status: "passed", durationMs: -1, expectations: {} },
      },
    };
    expect([...recordedDurations(recording)]).toEqual([["01:a", 4200]]);
    expect(recordedDurations(undefined).size).toBe(0);
  });
});

describe("verify --shard i/n", () => {
  it("reads i/n", () => {
    expect(parseShard("2/3")).toEqual({ index: 2, total: 3 });
    expect(parseShard("1/1")).toEqual({ index: 1, total: 1 });
  });

  it.each([
    ["0/3", "parts are counted from 1"],
    ["4/3", "there are only 3 parts"],
    ["a/b", "takes i/n, not 'a/b'"],
    ["1/0", "n is how many parts, at least 1"],
    ["-1/3", "takes i/n"],
    ["1.5/3", "takes i/n"],
    ["1/3/4", "takes i/n"],
    ["", "takes i/n"],
    ["99999999999999999999/1", "takes i/n"],
  ])("--shard %s is a usage error (exit 2) with a fix", (text, says) => {
    const err = (() => {
      try {
        parseShard(text);
      } catch (e) {
        return e;
      }
    })() as LabError;
    expect(err).toBeInstanceOf(LabError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(says);
    expect(err.fix).toMatch(/^Pass --shard i\/n .*--shard 1\/3/);
  });
});
