import { describe, expect, it } from "vitest";
import type { LabConfig } from "../../src/config/schema.js";
import { AddressPlan } from "../../src/engine/cluster/address-plan.js";
import type { Material } from "../../src/engine/material.js";
import type { ContainerRuntime } from "../../src/runtime/container-runtime.js";

/** A plan on a network the fake engine hands out as 10.213.5.0/24, with `agents` agents. */
async function planOf(agents: number, mode: "bridge" | "host" = "bridge"): Promise<AddressPlan> {
  const runtime = { networks: { create: async (name: string) => ({ id: "n1", name, subnet: "10.213.5.0/24" }) } } as unknown as ContainerRuntime;
  const material = { read: () => Buffer.from(""), secretOf: () => "s", issueForNetwork: async () => new Map() } as unknown as Material;
  const config = { agents, network: { mode, subnet: "auto" } } as unknown as LabConfig;
  const plan = new AddressPlan({ runtime, config, material, runId: "r1", labels: {} });
  await plan.init();
  return plan;
}

describe("the names a lab container finds its peers by (AddressPlan.hosts)", () => {
  it("every role, each agent by its alias and the scheduler, at the address the plan gives it", async () => {
    const plan = await planOf(2);
    expect(plan.hosts()).toEqual({
      zk: "10.213.5.2",
      master: "10.213.5.3",
      agent: "10.213.5.4",
      "agent-2": "10.213.5.5",
      execute: "10.213.5.20",
      scheduler: "10.213.5.20",
      registry: "10.213.5.30",
      tokens: "10.213.5.31",
      attacker: "10.213.5.40",
      relay: "10.213.5.41",
    });
    for (const [name, ip] of Object.entries(plan.hosts())) {
      if (name === "scheduler") continue;
      const [role, n] = name.split("-");
      expect(plan.ipOf(role as never, n ? Number(n) : 1)).toBe(ip);
    }
  });

  it("none in host mode: every peer is 127.0.0.1 there", async () => {
    expect((await planOf(1, "host")).hosts()).toEqual({});
  });
});
