import { describe, expect, it } from "vitest";
import { loadCatalogue } from "../../src/catalogue/load.js";
import { resolveConfig } from "../../src/config/load.js";
import {
  agentCapabilities,
  CAPABILITIES_SPEC,
  capabilitiesEntrypoint,
  capabilitiesEnv,
  CAPABILITIES_WRAPPER,
  OWN_FREEZER_DIR,
  RELEASE_SCRIPT,
} from "../../src/engine/agent-capabilities.js";
import { CONTAINER_REF } from "../../src/engine/actions/endpoint.js";

/** The capabilities mode's settings and scripts, without Docker (test/docker/ and test/real/ run them). */
describe("agent capabilities mode", () => {
  it("is off by default, on for the lab with agentCapabilities, and per exercise or step otherwise (the step wins)", () => {
    const off = resolveConfig({}, undefined, "/");
    const on = resolveConfig({ agentCapabilities: true }, undefined, "/");
    expect(off.agentCapabilities).toBe(false);
    expect(agentCapabilities(off, {}, {})).toBe(false);
    expect(agentCapabilities(on, {}, {})).toBe(true);
    expect(agentCapabilities(off, { agentCapabilities: true }, {})).toBe(true);
    expect(agentCapabilities(off, { agentCapabilities: true }, { agentCapabilities: false })).toBe(false);
    expect(agentCapabilities(off, {}, { agentCapabilities: true })).toBe(true);
    expect(() => resolveConfig({ agentCapabilities: "yes" }, "lab.config.ts", "/")).toThrow(/agentCapabilities/);
  });

  it("exercise 12 runs every step's agent in it; exercises 01-11 keep the unprivileged posix agent", async () => {
    const catalogue = await loadCatalogue();
    const config = resolveConfig({}, undefined, "/");
    const using = catalogue.flatMap((ex) => ex.steps.filter((s) => agentCapabilities(config, ex, s)).map((s) => `${ex.id}:${s.id}`));
    expect(using).toEqual(catalogue.find((ex) => ex.id === "12")!.steps.map((s) => `12:${s.id}`));
    expect(using.length).toBeGreaterThan(0);
  });

  it("wraps the agent program: remount the freezer read-write, nest MESOS_CGROUPS_ROOT in the container's cgroup, then exec it", () => {
    const ep = capabilitiesEntrypoint(["mesos-agent"]);
    expect(ep.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
    expect(ep.slice(3)).toEqual(["mesos-lab-agent-capabilities", "mesos-agent"]);
    expect(CAPABILITIES_WRAPPER).toContain("umount /sys/fs/cgroup/freezer");
    expect(CAPABILITIES_WRAPPER).toContain("mount -t cgroup -o freezer freezer /sys/fs/cgroup/freezer");
    expect(CAPABILITIES_WRAPPER).toMatch(/export MESOS_CGROUPS_ROOT="\$\{own:\+\$own\/\}mesos"/);
    expect(CAPABILITIES_WRAPPER.trimEnd().split("\n").at(-1)).toBe('exec "$@"');
    // a cgroup-v2 host (or LAB_AGENT_FREEZER=own): a hierarchy of its own, and a root only this container uses
    expect(CAPABILITIES_WRAPPER).toContain(`mount -t cgroup -o freezer freezer ${OWN_FREEZER_DIR}`);
    expect(CAPABILITIES_WRAPPER).toContain('export MESOS_CGROUPS_ROOT="mesos-lab/$LAB_AGENT_CGROUP"');
    expect(CAPABILITIES_SPEC).toMatchObject({ cgroupns: "host", capAdd: ["SYS_ADMIN"] });
    expect(capabilitiesEnv("ab12cd34", "mesos-lab-ab12cd34-x1-agent")).toEqual({ LAB_AGENT_CGROUP: "ab12cd34/mesos-lab-ab12cd34-x1-agent" });
    expect(RELEASE_SCRIPT).toContain("echo THAWED");
    expect(RELEASE_SCRIPT).toContain("kill -9");
  });

  it("${container:<executor id>} names an executor's container", () => {
    const body = JSON.stringify({ container_id: { parent: { value: "${container:sleeper}" }, value: "s" }, also: "${container:other.one}" });
    expect([...body.matchAll(CONTAINER_REF)].map((m) => m[1])).toEqual(["sleeper", "other.one"]);
  });
});
