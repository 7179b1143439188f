import { describe, expect, it } from "vitest";
import { loadCatalogue } from "../../src/catalogue/load.js";
import { citedFile, loadFacts, namesLocation, templatesHolding, templatesOf } from "../../src/catalogue/facts.js";
import type { Expectation, Exercise } from "../../src/model/exercise.js";
import { PROFILES } from "../../src/model/roles.js";

/**
 * Every expectation of the catalogue against the facts files: the example is a line the cited facts file really
 * quotes, the pattern matches it, the cited source location is the one the facts file gives, and a pattern does not
 * also match what the neighbouring steps teach as a different outcome.
 */

const facts = loadFacts();
const catalogue = await loadCatalogue();

/** Where a line is read: expectations on different sources can never see each other's lines. */
function sourceKey(e: Expectation): string {
  const s = e.source;
  if ("log" in s) return `log:${s.log}`;
  if ("execute" in s) return "execute";
  if ("http" in s) return `http:${s.part}`;
  if ("exec" in s) return "exec";
  return `exit:${s.exit}`;
}

const needsExample = (e: Expectation) => "log" in e.source || "execute" in e.source || "exec" in e.source;
const overlap = (a?: string[], b?: string[]) => !a || !b || a.some((p) => b.includes(p));

interface Entry {
  exercise: Exercise;
  stepIndex: number;
  e: Expectation;
  stepProfiles?: string[];
  name: string;
}

const entries: Entry[] = catalogue.flatMap((exercise) =>
  exercise.steps.flatMap((step, stepIndex) =>
    step.expect.map((e) => ({ exercise, stepIndex, e, stepProfiles: step.profiles, name: `${exercise.id}:${step.id}:${e.id}` })),
  ),
);

describe("the facts files parse into templates", () => {
  it("holds both facts files and turns placeholders into wildcards", () => {
    expect([...facts.keys()].sort()).toEqual(["observed-1.11.md", "security-facts-1.4.md", "source-1.11.md"]);
    const [t] = templatesOf("x `Registered with master master@<ip>:5050; given agent ID <id>-S<n>` y");
    expect(t!.re.test("I0914 slave.cpp:1174] Registered with master master@10.0.0.3:5050; given agent ID ab-S0")).toBe(true);
    expect(t!.re.test("Registered with master master@10.0.0.3:5051; given agent ID ab-S0")).toBe(false);
    const f = facts.get("security-facts-1.4.md")!;
    const ref = "security-facts-1.4.md §1.5";
    expect(namesLocation(f, { at: "src/master/master.cpp:510", ref })).toBe(true); // listed as ":510" in §1.5
    expect(namesLocation(f, { at: "src/cli/execute.cpp:651", ref })).toBe(true); // table row "| 651 |" in §1.1
    expect(namesLocation(f, { at: "src/master/master.cpp:9999", ref })).toBe(false);
    expect(namesLocation(f, { at: "src/master/master.cpp:51", ref }), "a line number is named whole, not as a prefix of :510").toBe(false);
    const s = facts.get("source-1.11.md")!;
    expect(namesLocation(s, { at: "src/master/http.cpp:1542-1545", ref: "source-1.11.md §6" })).toBe(true);
    expect(namesLocation(s, { at: "src/slave/http.cpp:1542-1545", ref: "source-1.11.md §6" }), "the master's http.cpp is not the agent's").toBe(false);
    expect(templatesHolding("Agent asked to shut down by master@10.0.0.3:5050 because 'Agent is not authenticated'", f).length).toBeGreaterThan(0);
    expect(templatesHolding("Authenticating with master master@10.213.1.3:5050", f).length, "IPs in the facts are examples").toBeGreaterThan(0);
    expect(templatesHolding("Agent politely declined to register", f)).toEqual([]);
    expect(templatesOf("a `Will require client certificates\nfor incoming TLS connections.` b")[0]!.text).toBe("Will require client certificates for incoming TLS connections.");
    expect(templatesOf("```\nSubscribed with ID de1fdee6-…-0000\n```")[0]!.re.test("Subscribed with ID de1fdee6-aa-0000")).toBe(true);
  });
});

describe("every expectation of the catalogue", () => {
  it("the catalogue has expectations to check", () => {
    expect(entries.length).toBeGreaterThanOrEqual(10);
  });

  it.each(entries.map((x) => [x.name, x] as const))("%s: cites a facts file, a location it names, and a line it quotes", (_name, { e }) => {
    const file = citedFile(e.cite, facts);
    expect(file, `cite.ref '${e.cite.ref}' names no file in docs/facts`).toBeDefined();
    expect(namesLocation(file!, e.cite), `${file!.name} never names ${e.cite.at}`).toBe(true);
    if (needsExample(e)) expect(e.example, "log/stdout expectations carry the line as Mesos prints it (`example`)").toBeDefined();
    if (e.example === undefined) return;
    expect(new RegExp(e.pattern).test(e.example), `pattern /${e.pattern}/ does not match its example '${e.example}'`).toBe(true);
    expect(templatesHolding(e.example, file!).length, `example '${e.example}' matches no quoted line of ${file!.name}`).toBeGreaterThan(0);
  });

  it.each(entries.filter((x) => x.e.example !== undefined).map((x) => [x.name, x] as const))(
    "%s: does not match a different outcome taught in the same or a neighbouring step",
    (_name, self) => {
      const mine = new RegExp(self.e.pattern);
      const others = entries.filter(
        (o) =>
          o !== self &&
          o.exercise === self.exercise &&
          Math.abs(o.stepIndex - self.stepIndex) <= 1 &&
          o.e.example !== undefined &&
          sourceKey(o.e) === sourceKey(self.e) &&
          overlap(o.e.profiles ?? o.stepProfiles, self.e.profiles ?? self.stepProfiles),
      );
      for (const o of others) {
        // the same fact stated twice (e.g. "registered" in two steps) matches both ways; that is not a confusion
        const sameFact = new RegExp(o.e.pattern).test(self.e.example!);
        if (!sameFact) expect(mine.test(o.e.example!), `/${self.e.pattern}/ also matches ${o.name}'s line '${o.e.example}'`).toBe(false);
      }
    },
  );

  it("every profile an exercise claims has at least one expectation in each step that runs", () => {
    for (const ex of catalogue)
      for (const p of ex.profiles)
        for (const step of ex.steps.filter((s) => !s.profiles || s.profiles.includes(p)))
          expect(step.expect.filter((e) => !e.profiles || e.profiles.includes(p)).length, `${ex.id}:${step.id} under ${p}`).toBeGreaterThan(0);
    expect(PROFILES).toContain("1.11");
  });
});
