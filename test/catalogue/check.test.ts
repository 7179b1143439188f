import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkCatalogue, readRecording, type Recording } from "../../src/catalogue/check.js";
import { factsDir } from "../../src/catalogue/facts.js";
import { builtinExercisesDir } from "../../src/catalogue/load.js";
import { BUILTIN_PROFILES } from "../../src/model/profiles/index.js";
import { ROOT } from "../helpers/cli.js";

/**
 * `mesos-lab check` is what npm test enforces on the catalogue: this file runs it on the built-in catalogue, and on a
 * copy with one citation, one ACL key and one recorded outcome broken, where it must name the file and step of each.
 */

// the copy sits beside exercises/, so that its files import ../../src as the originals do
const copies: string[] = [];
afterAll(() => {
  for (const c of copies) rmSync(c, { recursive: true, force: true });
});
function copyOfCatalogue(): string {
  const dir = mkdtempSync(path.join(ROOT, ".check-copy-"));
  copies.push(dir);
  cpSync(builtinExercisesDir(), dir, { recursive: true });
  return dir;
}
const edit = (file: string, from: string | RegExp, to: string) => {
  const text = readFileSync(file, "utf8");
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${file}: nothing to replace for ${from}`);
  writeFileSync(file, next);
};

describe("mesos-lab check", () => {
  it("finds nothing wrong with the built-in catalogue under every built-in profile, its real outcomes recorded", async () => {
    const problems = await checkCatalogue({ dir: builtinExercisesDir(), profiles: BUILTIN_PROFILES, recording: readRecording() });
    expect(problems.map((p) => `${path.relative(ROOT, p.file)} ${p.step ?? ""} ${p.expectation ?? ""}: ${p.problem}`)).toEqual([]);
  });

  it("names the file and step of a broken citation, a misspelled ACL key and a missing recorded outcome, each with its fix", async () => {
    const dir = copyOfCatalogue();
    edit(
      path.join(dir, "06-http-auth", "attack.ts"),
      'cite: { at: "src/master/http.cpp:2737", ref: OBSERVED }',
      'cite: { at: "src/master/http.cpp:2738", ref: OBSERVED }',
    );
    edit(path.join(dir, "05-acls", "exercise.ts"), /run_tasks:/, "run_task:");
    const recording = readRecording() as Recording;
    const steps = { ...recording.steps };
    delete steps["04:with-principal"];
    const problems = await checkCatalogue({ dir, profiles: BUILTIN_PROFILES, recording: { ...recording, steps } });
    const find = (file: string, step: string | undefined, text: string) =>
      problems.find((p) => p.file.endsWith(file) && (step === undefined || p.step === step) && p.problem.includes(text));
    expect(find("06-http-auth/exercise.ts", "anonymous", "never names src/master/http.cpp:2738"), JSON.stringify(problems, null, 1)).toMatchObject({
      expectation: "teardown-200",
      fix: expect.stringContaining("docs/facts"),
    });
    expect(find("05-acls/exercise.ts", undefined, "run_task"), JSON.stringify(problems, null, 1)).toMatchObject({ fix: expect.stringContaining("acls.proto") });
    expect(find("04-framework-auth/exercise.ts", "with-principal", "no outcome of real Mesos is recorded for 04:with-principal")).toMatchObject({
      fix: expect.stringContaining("MESOS_LAB_RECORD=1 npm run test:real"),
    });
  });

  it("follows docs/adding-an-exercise.md: a new step is named until its facts section and its real outcome are there", async () => {
    const dir = copyOfCatalogue();
    const facts = mkdtempSync(path.join(ROOT, ".check-copy-facts-"));
    copies.push(facts);
    cpSync(factsDir(), facts, { recursive: true });
    // step 1 of the doc: a step whose expectation cites a section the facts do not have yet
    edit(
      path.join(dir, "01-insecure", "exercise.ts"),
      /\n {2}\],\n\}\);\s*$/,
      `
    {
      id: "throwaway",
      title: "A step added as the doc says",
      text: "Watch the master say something new.",
      hint: "Read the master's log.",
      since: ATTACKS_SINCE,
      expect: [
        {
          id: "new-line",
          says: "the master prints the new line",
          source: { log: "master" },
          pattern: "A line the doc adds",
          cite: [cite111("src/master/master.cpp:9876", \`\${OBSERVED_111} Throwaway section\`, "master.cpp:9876] A line the doc adds")],
          example: "A line the doc adds",
        },
      ],
    },
  ],
});
`,
    );
    const ofStep = (ps: Awaited<ReturnType<typeof checkCatalogue>>) => ps.filter((p) => p.step === "throwaway").map((p) => p.problem);
    const recording = readRecording() as Recording;
    const before = await checkCatalogue({ dir, profiles: BUILTIN_PROFILES, factsDir: facts, recording });
    expect(ofStep(before)).toEqual([
      "1.11: observed-1.11.md has no section 'observed-1.11.md Throwaway section'",
      "1.11: no outcome of real Mesos is recorded for 01:throwaway",
    ]);
    // step 2: the facts quote the line with its source location
    appendFileSync(path.join(facts, "observed-1.11.md"), "\n## Throwaway section\n\n`master.cpp:9876] A line the doc adds` (src/master/master.cpp:9876).\n");
    const cited = await checkCatalogue({ dir, profiles: BUILTIN_PROFILES, factsDir: facts, recording });
    expect(ofStep(cited)).toEqual(["1.11: no outcome of real Mesos is recorded for 01:throwaway"]);
    // step 4: the real outcome recorded
    const recorded = { ...recording, steps: { ...recording.steps, "01:throwaway": { status: "passed", expectations: { "new-line": { status: "passed" } } } } };
    const done = await checkCatalogue({ dir, profiles: BUILTIN_PROFILES, factsDir: facts, recording: recorded });
    expect(done.filter((p) => p.exercise === "01")).toEqual([]);
  });
});
