import { describe, expect, it } from "vitest";
import { loadCatalogue, parseExercise, selectExercises } from "../../src/catalogue/load.js";
import { LabError } from "../../src/util/errors.js";
import { cite } from "../helpers/cite.js";

const base = {
  id: "77",
  slug: "x",
  title: "x",
  summary: "x",
  text: "x",
  steps: [{ id: "s", title: "s", text: "s", hint: "h", expect: [{ id: "e", says: "e", source: { log: "master" }, pattern: "ok", cite }] }],
};

describe("exercise files", () => {
  it("a broken expectation regex is rejected with the field's path", () => {
    const bad = { ...base, steps: [{ ...base.steps[0], expect: [{ ...base.steps[0]!.expect[0], pattern: "Registered with (master" }] }] };
    const err = (() => {
      try {
        parseExercise(bad, "exercises/77-x/exercise.ts");
      } catch (e) {
        return e as LabError;
      }
    })();
    expect(err).toBeInstanceOf(LabError);
    expect(err!.kind).toBe("exercise");
    expect(err!.message).toContain("exercises/77-x/exercise.ts is invalid: steps.0.expect.0.pattern: not a valid regular expression");
  });

  it("an expectation must cite a source line", () => {
    const bad = { ...base, steps: [{ ...base.steps[0], expect: [{ ...base.steps[0]!.expect[0], cite: { at: "somewhere", ref: "x" } }] }] };
    expect(() => parseExercise(bad, "f.ts")).toThrow(/cite a source line/);
  });

  it("an expectation reading an action the step does not have is rejected", () => {
    const bad = { ...base, steps: [{ ...base.steps[0], expect: [{ ...base.steps[0]!.expect[0], source: { http: "state", part: "status" } }] }] };
    expect(() => parseExercise(bad, "f.ts")).toThrow(/no action with id 'state'/);
  });

  it("an ACL with a misspelled key is rejected before anything starts, naming the key", () => {
    const bad = {
      ...base,
      steps: [{ ...base.steps[0], env: { master: { MESOS_ACLS: '{"run_task":[{"principals":{"type":"ANY"},"users":{"type":"NONE"}}]}' } } }],
    };
    expect(() => parseExercise(bad, "f.ts")).toThrow(/unknown ACL key 'run_task' \(did you mean 'run_tasks'\?\)/);
    // the fix points at the acls.proto the key table follows
    expect(() => parseExercise(bad, "f.ts")).toThrow(
      expect.objectContaining({ fix: expect.stringContaining("github.com/apache/mesos/blob/1.4.0/include/mesos/authorizer/acls.proto") }),
    );
  });

  it("an ACL file placed by an earlier step is checked where MESOS_ACLS points at it", () => {
    const acl = '{"permissive":false,"register_agent":[{"principals":{"type":"ANY"},"agents":{"type":"ANY"}}]}';
    const step0 = { ...base.steps[0], files: [{ roles: ["master"], path: "/etc/mesos/acls.json", content: acl }] };
    const step1 = { ...base.steps[0], id: "t", env: { master: { MESOS_ACLS: "file:///etc/mesos/acls.json" } } };
    expect(() => parseExercise({ ...base, steps: [step0, step1] }, "f.ts")).toThrow(
      /step 't', ACL file \/etc\/mesos\/acls.json: unknown ACL key 'register_agent' \(did you mean 'register_agents'\?\)/,
    );
  });

  it("selects exercises by id, number, slug, and id:step; unknown ones are usage errors", async () => {
    const all = await loadCatalogue();
    expect(selectExercises(all, ["1"])[0]!.exercise.id).toBe("01");
    expect(selectExercises(all, ["insecure"])[0]!.exercise.id).toBe("01");
    expect(selectExercises(all, ["01:run-task"])[0]!.step).toBe("run-task");
    expect(selectExercises(all, ["01:2"])[0]!.step).toBe("run-task");
    expect(() => selectExercises(all, ["01:nope"])).toThrow(/has no step 'nope'/);
    expect(() => selectExercises(all, ["99"])).toThrow(/unknown exercise '99'/);
  });
});
