import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { createJiti } from "jiti";
import { citationFor, exerciseSchema, withAttack, type Citation, type Exercise, type Expectation } from "../model/exercise.js";
import type { MesosProfile } from "../model/profiles/index.js";
import { inRange } from "../model/release.js";
import { citedFile, type FactsFile, loadFacts, namesLocation, templatesHolding } from "./facts.js";
import type { Recording } from "./recording.js";
import { aclProblems } from "./validate.js";

// verify --shard reads the recording too, without this module's jiti
export { readRecording, RECORDING_FILE, type Recording } from "./recording.js";

/**
 * `mesos-lab check`: everything a step needs besides its own file, checked without a container engine, one problem
 * per line with the file, the step and the fix. The exercise's shape and ACL keys; every citation under every
 * profile it runs on (a facts file of that profile, a section that names the line, an example the facts quote and
 * the pattern matches); for a profile checked on real Mesos, a recorded real outcome for every step, and for every
 * attack both of its outcomes. `npm test` runs it, so the tests and the command cannot disagree.
 */

export interface Problem {
  file: string;
  exercise?: string;
  step?: string;
  expectation?: string;
  problem: string;
  fix: string;
}

/** Which lines an example is needed for: a line as Mesos prints it (a log, mesos-execute's output, a command's). */
export const needsExample = (e: Pick<Expectation, "source">) => "log" in e.source || "execute" in e.source || "exec" in e.source;

/** The section a citation's ref names after the file name (`§1.7`, or the start of a heading), or the whole file. */
export function citedSection(cite: Citation, file: FactsFile): FactsFile | undefined {
  const name = cite.ref.slice(cite.ref.indexOf(" ") + 1).trim();
  if (!cite.ref.includes(" ") || !name) return file;
  const heading = name.startsWith("§") ? new RegExp(`^#{2,4} ${name.slice(1).replace(/\./g, "\\.")}[. ]`) : undefined;
  const sections = file.text.split(/\n(?=#{2,4} )/);
  const text = sections.find((sec) => (heading ? heading.test(sec) : sec.replace(/^#{2,4} /, "").startsWith(name)));
  return text === undefined ? undefined : { name: `${file.name} ${name}`, text, templates: file.templates };
}

/** A glog prefix (`slave.cpp:1698] …`) names the line the citation gives, or a line of its range. */
export function prefixMatches(example: string, cite: Citation): boolean {
  const m = /^(\S+\.[ch]pp):(\d+)\] /.exec(example);
  if (!m) return true;
  const c = /([^/]+):(\d+)(?:-(\d+))?$/.exec(cite.at);
  if (!c || c[1] !== m[1]) return false;
  const [line, from] = [Number(m[2]), Number(c[2])];
  return line >= from && line <= Number(c[3] ?? c[2]);
}

/**
 * What is wrong with an expectation's citation under one profile: the facts file it names must exist, be one of the
 * profile's, have the section it names, and name the cited location in that section; the example that profile
 * carries (required for lines) must be matched by the pattern and be a line the facts file quotes, and its glog
 * prefix, if any, must be the cited line.
 */
export function citationProblems(e: Expectation, profile: MesosProfile, facts: Map<string, FactsFile>): string[] {
  const p = profile.name;
  const { cite, example } = citationFor(e, profile.release);
  const file = citedFile(cite, facts);
  if (!file) return [`${p}: cite.ref '${cite.ref}' names no file in docs/facts`];
  const section = citedSection(cite, file);
  if (!section) return [`${p}: ${file.name} has no section '${cite.ref}'`];
  const out: string[] = [];
  if (!profile.facts.includes(file.name)) out.push(`${p}: ${file.name} is not a facts file of profile ${p} (${profile.facts.join(", ")})`);
  if (!namesLocation(section, cite)) out.push(`${p}: ${section.name} never names ${cite.at}`);
  if (needsExample(e) && example === undefined) out.push(`${p}: log/stdout expectations carry the line as Mesos prints it (example)`);
  if (example !== undefined) {
    if (!new RegExp(e.pattern).test(example)) out.push(`${p}: pattern /${e.pattern}/ does not match its example '${example}'`);
    if (templatesHolding(example, file).length === 0) out.push(`${p}: example '${example}' matches no quoted line of ${file.name}`);
    if (!prefixMatches(example, cite)) out.push(`${p}: example '${example}' was printed at another line than ${cite.at}`);
  }
  return out;
}

const CITE_FIX =
  "Quote the line as Mesos printed it in the docs/facts file the citation names (under its section), give `at` the file:line it names there, and copy that line into `example`.";

/** The problems of one parsed exercise under `profiles`. */
export function exerciseProblems(
  ex: Exercise,
  file: string,
  profiles: readonly MesosProfile[],
  o: { facts: Map<string, FactsFile>; recording?: Recording },
): Problem[] {
  const out: Problem[] = [];
  for (const profile of profiles.filter((p) => inRange(ex, p.release))) {
    for (const pr of aclProblems(ex, profile))
      out.push({
        file,
        exercise: ex.id,
        problem: `${profile.name}: ${pr}`,
        fix: `Use the ACL keys of Mesos ${profile.name}'s acls.proto (${profile.acls.source}); Mesos ignores a key it does not know.`,
      });
    for (const raw of ex.steps.filter((s) => inRange(s, profile.release))) {
      const step = withAttack(raw, ex.attacks);
      for (const e of step.expect.filter((x) => inRange(x, profile.release)))
        for (const pr of citationProblems(e, profile, o.facts))
          out.push({ file, exercise: ex.id, step: step.id, expectation: e.id, problem: pr, fix: CITE_FIX });
      if (!profile.real || !o.recording) continue;
      const key = `${ex.id}:${step.id}`;
      const rec = o.recording.steps[key];
      const record = "Run the step on the real build and record it: MESOS_LAB_RECORD=1 npm run test:real (docs/adding-an-exercise.md).";
      if (!rec) {
        out.push({ file, exercise: ex.id, step: step.id, problem: `${profile.name}: no outcome of real Mesos is recorded for ${key}`, fix: record });
        continue;
      }
      for (const e of step.expect.filter((x) => inRange(x, profile.release)))
        if (!rec.expectations[e.id])
          out.push({
            file,
            exercise: ex.id,
            step: step.id,
            expectation: e.id,
            problem: `${profile.name}: the recording of ${key} has no outcome for it`,
            fix: record,
          });
      if (raw.attack && rec.attack !== raw.attack.expect)
        out.push({
          file,
          exercise: ex.id,
          step: step.id,
          problem: `${profile.name}: attack ${raw.attack.id} is expected to be ${raw.attack.expect === "works" ? "working" : "blocked"} here, but the recording says ${rec.attack ? `'${rec.attack}'` : "nothing of it"}`,
          fix: `${record} The attack must work on the open cluster and be blocked after the control, on real Mesos.`,
        });
    }
  }
  return out;
}

/** Every exercise folder of `dir`, each problem named; a folder that does not load is one problem. */
export async function checkCatalogue(o: { dir: string; profiles: readonly MesosProfile[]; factsDir?: string; recording?: Recording }): Promise<Problem[]> {
  const facts = loadFacts(o.factsDir);
  const jiti = createJiti(import.meta.url, { interopDefault: true, moduleCache: false });
  const out: Problem[] = [];
  const folders = readdirSync(o.dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^\d{2}-[a-z0-9-]+$/.test(d.name))
    .map((d) => d.name)
    .sort();
  for (const folder of folders) {
    const file = path.join(o.dir, folder, "exercise.ts");
    if (!existsSync(file)) continue;
    let raw: unknown;
    try {
      raw = await jiti.import(file, { default: true });
    } catch (err) {
      out.push({ file, problem: `does not load: ${(err as Error).message.split("\n")[0]}`, fix: "Fix the TypeScript error." });
      continue;
    }
    const parsed = exerciseSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const stepIndex = issue.path[0] === "steps" ? Number(issue.path[1]) : undefined;
        const step = stepIndex === undefined ? undefined : (raw as { steps?: Array<{ id?: string }> }).steps?.[stepIndex]?.id;
        out.push({ file, step, problem: `${issue.path.join(".") || "(top level)"}: ${issue.message}`, fix: "Fix the field named in the exercise file." });
      }
      continue;
    }
    if (parsed.data.id !== folder.slice(0, 2))
      out.push({ file, exercise: parsed.data.id, problem: `id '${parsed.data.id}' in folder ${folder}`, fix: "Make the id the folder's number." });
    out.push(...exerciseProblems(parsed.data, file, o.profiles, { facts, recording: o.recording }));
  }
  return out;
}

/** `NN:step expectation: problem` then the fix, for a person. */
export function problemText(p: Problem, root: string): string {
  const where = [p.exercise && p.step ? `${p.exercise}:${p.step}` : p.exercise, p.expectation].filter(Boolean).join(" ");
  return `${path.relative(root, p.file)}${where ? ` ${where}` : ""}: ${p.problem}\n  fix: ${p.fix}`;
}
