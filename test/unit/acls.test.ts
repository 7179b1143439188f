import { describe, expect, it } from "vitest";
import { validateAcls as validate } from "../../src/model/acls.js";
import { builtinProfile } from "../../src/model/profiles/index.js";

const [v14, v111] = [builtinProfile("1.4")!, builtinProfile("1.11")!];
/** The 1.4 local authorizer, which the workshop's ACLs were written for. */
const validateAcls = (input: unknown) => validate(input, v14.acls);

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

  it("reads each release's keys: 1.11's acls.proto has more, and its authorizable paths differ", () => {
    const drain = { drain_agents: [{ principals: { values: ["operator-principal"] }, agents: { type: "ANY" } }] };
    expect(validate(drain, v111.acls)).toEqual([]);
    expect(validate(drain, v14.acls)[0]).toContain("unknown ACL key 'drain_agents'");
    expect(validate({ prune_images: [{ principals: { type: "ANY" }, images: { values: ["x"] } }] }, v111.acls)[0]).toMatch(/NONE or ANY/);
    const debugJson = { get_endpoints: [{ principals: { type: "ANY" }, paths: { values: ["/files/debug.json"] } }] };
    expect(validate(debugJson, v14.acls)).toEqual([]);
    expect(validate(debugJson, v111.acls)[0]).toContain("not an authorizable path");
    // the session ACLs of exercise 11 are in both
    const sessions = { launch_nested_container_sessions_as_user: [{ principals: { values: ["operator-principal"] }, users: { type: "ANY" } }] };
    expect([validate(sessions, v14.acls), validate(sessions, v111.acls)]).toEqual([[], []]);
  });
});
