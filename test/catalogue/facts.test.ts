import { describe, expect, it } from "vitest";
import { citationProblems, needsExample } from "../../src/catalogue/check.js";
import { loadCatalogue } from "../../src/catalogue/load.js";
import { citedFile, loadFacts, namesLocation, templatesHolding, templatesOf } from "../../src/catalogue/facts.js";
import { withAttack, type Expectation, type Exercise, type Step } from "../../src/model/exercise.js";
import { BUILTIN_PROFILES, builtinProfile, type MesosProfile } from "../../src/model/profiles/index.js";
import { inRange } from "../../src/model/release.js";

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
  if ("attacker" in s) return `attacker:${s.part}`;
  if ("relay" in s) return "relay";
  return `exit:${s.exit}`;
}

interface Entry {
  exercise: Exercise;
  stepIndex: number;
  step: Step;
  e: Expectation;
  name: string;
}

// each step with its attack's evidence (model/exercise.ts withAttack): an attack's lines are cited like the step's own
const entries: Entry[] = catalogue.flatMap((exercise) =>
  exercise.steps
    .map((s) => withAttack(s, exercise.attacks))
    .flatMap((step, stepIndex) => step.expect.map((e) => ({ exercise, stepIndex, step, e, name: `${exercise.id}:${step.id}:${e.id}` }))),
);

/** The built-in profiles an expectation runs under: those whose release its exercise's, its step's and its own range cover. */
function profilesOf(x: Entry): MesosProfile[] {
  return BUILTIN_PROFILES.filter((p) => inRange(x.exercise, p.release) && inRange(x.step, p.release) && inRange(x.e, p.release));
}
const overlap = (a: Entry, b: Entry) => profilesOf(a).some((p) => profilesOf(b).includes(p));

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
    expect(templatesOf("a `Will require client certificates\nfor incoming TLS connections.` b")[0]!.text).toBe(
      "Will require client certificates for incoming TLS connections.",
    );
    expect(templatesOf("```\nSubscribed with ID de1fdee6-…-0000\n```")[0]!.re.test("Subscribed with ID de1fdee6-aa-0000")).toBe(true);
  });
});

describe("every expectation of the catalogue", () => {
  it("the catalogue has expectations to check", () => {
    expect(entries.length).toBeGreaterThanOrEqual(10);
  });

  // every citation of every range, whether a built-in profile runs it or not
  it.each(entries.flatMap((x) => x.e.cite.map((c, i) => [`${x.name} cite[${i}]`, x, c] as const)))(
    "%s: cites a facts file, a location it names, and a line it quotes",
    (_name, { e }, c) => {
      const file = citedFile(c, facts);
      const example = c.example ?? e.example;
      expect(file, `cite.ref '${c.ref}' names no file in docs/facts`).toBeDefined();
      expect(namesLocation(file!, c), `${file!.name} never names ${c.at}`).toBe(true);
      if (needsExample(e)) expect(example, "log/stdout expectations carry the line as Mesos prints it (`example`)").toBeDefined();
      if (example === undefined) return;
      expect(new RegExp(e.pattern).test(example), `pattern /${e.pattern}/ does not match its example '${example}'`).toBe(true);
      expect(templatesHolding(example, file!).length, `example '${example}' matches no quoted line of ${file!.name}`).toBeGreaterThan(0);
    },
  );

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
          overlap(o, self),
      );
      for (const o of others) {
        // the same fact stated twice (e.g. "registered" in two steps) matches both ways; that is not a confusion
        const sameFact = new RegExp(o.e.pattern).test(self.e.example!);
        if (!sameFact) expect(mine.test(o.e.example!), `/${self.e.pattern}/ also matches ${o.name}'s line '${o.e.example}'`).toBe(false);
      }
    },
  );

  it("every profile an exercise runs under has at least one expectation in each step that runs", () => {
    for (const ex of catalogue)
      for (const p of BUILTIN_PROFILES.filter((p) => inRange(ex, p.release)))
        for (const step of ex.steps.filter((s) => inRange(s, p.release)).map((s) => withAttack(s, ex.attacks)))
          expect(step.expect.filter((e) => inRange(e, p.release)).length, `${ex.id}:${step.id} under ${p.name}`).toBeGreaterThan(0);
    expect(BUILTIN_PROFILES.map((p) => p.name)).toContain("1.11");
  });
});

describe("every expectation's citation under each profile it runs under", () => {
  const perProfile = entries.flatMap((x) => profilesOf(x).map((p) => [`${x.name} (${p.name})`, x, p] as const));

  it("covers every built-in profile", () => {
    expect(new Set(perProfile.map(([, , p]) => p))).toEqual(new Set(BUILTIN_PROFILES));
  });

  it.each(perProfile)("%s: cites the profile's facts, location and line", (_name, { e }, p) => {
    expect(citationProblems(e, p, facts)).toEqual([]);
  });

  it("fails a citation whose 1.11 line, file, section or example is wrong", () => {
    const [v14, v111] = [builtinProfile("1.4")!, builtinProfile("1.11")!];
    const registered = entries.find((x) => x.exercise.id === "01" && x.e.id === "registered")!.e;
    const own = registered.cite.find((c) => inRange(c, v111.release))!;
    expect(citationProblems(registered, v111, facts)).toEqual([]);
    // the citation of 1.11's range changed, the others kept
    const with111 = (c: Partial<typeof own>, base: Expectation = registered): Expectation => ({
      ...base,
      cite: base.cite.map((x) => (inRange(x, v111.release) ? { ...x, ...c } : x)),
    });
    const says = (e: Expectation, problem: string) => expect(citationProblems(e, v111, facts)).toContainEqual(expect.stringContaining(problem));
    // the line 1.4.0 logs it at, a neighbour of the real one, a prefix of it
    says(with111({ at: "src/slave/slave.cpp:1174" }), "never names src/slave/slave.cpp:1174");
    says(with111({ at: "src/slave/slave.cpp:1699" }), "never names src/slave/slave.cpp:1699");
    says(with111({ at: "src/slave/slave.cpp:1699" }), "was printed at another line than src/slave/slave.cpp:1699");
    says(with111({ at: "src/slave/slave.cpp:169" }), "never names src/slave/slave.cpp:169");
    // a facts file that does not exist, a section that does not exist, a section that does not name the line
    says(with111({ ref: "observed-1.12.md Insecure baseline" }), "names no file in docs/facts");
    says(with111({ ref: "observed-1.11.md Nowhere" }), "has no section");
    says(with111({ ref: "observed-1.11.md Framework authentication" }), "never names src/slave/slave.cpp:1698");
    // a 1.11 example printed at another line; without its own example, 1.4's (no glog prefix) is no line observed-1.11.md quotes
    says(with111({ example: own.example!.replace("slave.cpp:1698]", "slave.cpp:1174]") }), "was printed at another line");
    const unauthorized = entries.find((x) => x.exercise.id === "04" && x.e.id === "unauthorized")!.e;
    expect(citationProblems(unauthorized, v111, facts)).toEqual([]);
    says(with111({ example: undefined }, unauthorized), "matches no quoted line of observed-1.11.md");
    // a citation of the 1.4 facts under 1.11, right line and all, is not 1.11's
    says(with111({ at: "src/slave/slave.cpp:1174", ref: "security-facts-1.4.md §1.0", example: undefined }), "is not a facts file of profile 1.11");
    // and the 1.4 citation is untouched by the 1.11 one
    expect(citationProblems(with111({ at: "src/slave/slave.cpp:1699" }), v14, facts)).toEqual([]);
  });
});
