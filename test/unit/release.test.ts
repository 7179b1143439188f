import { describe, expect, it } from "vitest";
import { citationFor, expectationSchema } from "../../src/model/exercise.js";
import { compareReleases, inRange, partitions } from "../../src/model/release.js";
import { cite } from "../helpers/cite.js";

describe("Mesos releases and their ranges", () => {
  it("compares releases as numbers, a missing patch being 0", () => {
    expect(compareReleases("1.10", "1.9.3")).toBeGreaterThan(0);
    expect(compareReleases("1.4", "1.4.0")).toBe(0);
    expect(compareReleases("1.4.2", "1.5")).toBeLessThan(0);
    expect(compareReleases("1.11.9", "1.11.0")).toBeGreaterThan(0);
  });

  it("since is inclusive, until exclusive, and either may be open", () => {
    expect(inRange({}, "1.4.0")).toBe(true);
    expect(inRange({ since: "1.4.2" }, "1.4.2")).toBe(true);
    expect(inRange({ until: "1.4.2" }, "1.4.2")).toBe(false);
    expect(inRange({ until: "1.4.2" }, "1.4.0")).toBe(true);
    expect(inRange({ since: "1.5", until: "1.10" }, "1.11.0")).toBe(false);
  });

  it("a list of ranges partitions another when each starts where the one before ends", () => {
    expect(partitions([{ until: "1.5" }, { since: "1.5" }], {})).toBe(true);
    expect(partitions([{ until: "1.5" }, { since: "1.6" }], {}), "a gap").toBe(false);
    expect(partitions([{ until: "1.6" }, { since: "1.5" }], {}), "an overlap").toBe(false);
    expect(partitions([{ since: "1.5" }], {}), "nothing before 1.5").toBe(false);
    expect(partitions([{ since: "1.5" }], { since: "1.10" }), "covers the expectation's own range").toBe(true);
  });
});

describe("expectations by release range", () => {
  const exp = (e: object) => expectationSchema.safeParse({ id: "x", says: "x", source: { log: "master" }, pattern: "x", cite, ...e });
  const message = (e: object) => {
    const r = exp(e);
    return r.success ? "accepted" : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
  };

  it("one citation serves every release; ranged ones follow each other and cover the expectation's range", () => {
    const one = expectationSchema.parse({ id: "x", says: "x", source: { log: "master" }, pattern: "x", cite });
    expect(one.cite).toEqual([cite]);
    const two = expectationSchema.parse({
      id: "x",
      says: "x",
      source: { log: "master" },
      pattern: "x",
      example: "x 14",
      cite: [
        { ...cite, until: "1.5" },
        { at: "src/master/master.cpp:2176", ref: "observed-1.11.md", since: "1.5", example: "x 111" },
      ],
    });
    expect(citationFor(two, "1.4.0")).toEqual({ cite, example: "x 14" });
    expect(citationFor(two, "1.11.9")).toEqual({ cite: { at: "src/master/master.cpp:2176", ref: "observed-1.11.md" }, example: "x 111" });
    expect(
      message({
        cite: [
          { ...cite, until: "1.5" },
          { ...cite, since: "1.6" },
        ],
      }),
    ).toContain("cite: the citations' ranges (until 1.5 (exclusive); since 1.6) must follow each other");
    expect(message({ since: "1.4", cite: [{ ...cite, since: "1.5" }] })).toContain("must follow each other in order and cover the expectation's (since 1.4)");
    expect(message({ since: "1.10", cite: [{ ...cite, since: "1.5" }] })).toBe("accepted");
  });

  it("names an empty range, a release that is not one, and a citation without its line", () => {
    expect(message({ since: "1.10", until: "1.5" })).toContain("since 1.10 is not before until 1.5: the range holds no release");
    expect(message({ since: "1.x" })).toContain("since: a Mesos release like 1.11 or 1.4.2");
    expect(message({ cite: [{ ref: "x", since: "1.5" }] })).toContain("cite.0.at");
  });
});
