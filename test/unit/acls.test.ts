import { describe, expect, it } from "vitest";
import { validateAcls } from "../../src/model/acls.js";

describe("ACL validation (Mesos silently ignores what it cannot read)", () => {
  it("accepts the facts file's examples", () => {
    expect(validateAcls(`{"permissive":true,"register_frameworks":[{"principals":{"values":["scheduler-principal"]},"roles":{"type":"NONE"}}]}`)).toEqual([]);
    expect(validateAcls(`{"permissive":true,"run_tasks":[{"principals":{"values":["scheduler-principal"]},"users":{"type":"NONE"}}]}`)).toEqual([]);
    expect(validateAcls({ permissive: false, register_agents: [{ principals: { values: ["agent-principal"] }, agents: { type: "ANY" } }] })).toEqual([]);
  });

  it("names a misspelled action and suggests the real one", () => {
    const p = validateAcls(`{"run_task":[{"principals":{"type":"ANY"},"users":{"type":"NONE"}}]}`);
    expect(p).toHaveLength(1);
    expect(p[0]).toContain("unknown ACL key 'run_task'");
    expect(p[0]).toContain("did you mean 'run_tasks'");
  });

  it("names a misspelled entity key inside an entry", () => {
    const p = validateAcls({ run_tasks: [{ principal: { values: ["a"] }, users: { type: "ANY" } }] });
    expect(p.join("\n")).toContain("unknown key 'principal'");
    expect(p.join("\n")).toContain('needs "principals"');
  });

  it("rejects SOME objects where the local authorizer takes only ANY/NONE, and non-authorizable paths", () => {
    expect(validateAcls({ register_agents: [{ principals: { type: "ANY" }, agents: { values: ["x"] } }] })[0]).toMatch(/NONE or ANY/);
    expect(validateAcls({ get_endpoints: [{ principals: { type: "ANY" }, paths: { values: ["/state"] } }] })[0]).toContain("not an authorizable path");
  });

  it("rejects broken JSON and a non-boolean permissive", () => {
    expect(validateAcls("{nope")[0]).toContain("not valid JSON");
    expect(validateAcls({ permissive: "false" })[0]).toContain("permissive");
  });
});
