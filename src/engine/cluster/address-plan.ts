import type { LabConfig } from "../../config/schema.js";
import type { ContainerRuntime } from "../../runtime/container-runtime.js";
import { perRole, ROLES, type Role } from "../../model/roles.js";
import type { Material } from "../material.js";
import type { TemplateContext } from "../template.js";

/** Where each role sits on the run's network: the last byte of its address on the /24 (agent N at 4 + N - 1). */
const IP_SUFFIX: Record<Role, number> = { zk: 2, master: 3, agent: 4, execute: 20, registry: 30, tokens: 31, attacker: 40, relay: 41 };

/**
 * The address plan of one run: its network (or the host's, in host mode), the fixed address and alias of every role,
 * the `${host.…}` / `${ip.…}` / `${secret:…}` values exercises name, and the leaf certificates issued for exactly
 * those addresses (certificates carry IP SANs: Mesos' peers reach each other by the address ZooKeeper hands out).
 */
export class AddressPlan {
  private network?: { id: string; name: string; subnet: string };
  private leaves = new Map<string, Buffer>();
  private ctx?: TemplateContext;

  constructor(private readonly o: { runtime: ContainerRuntime; config: LabConfig; material: Material; runId: string; labels: Record<string, string> }) {}

  get hostMode(): boolean {
    return this.o.config.network.mode === "host";
  }

  /** The run's network, created by `init` (none in host mode). */
  get networkName(): string | undefined {
    return this.network?.name;
  }

  get subnet(): string {
    return this.network?.subnet ?? "host";
  }

  /** The values of `${host.…}`, `${ip.…}` and `${secret:…}`: known once `init` made the network. */
  get template(): TemplateContext {
    if (!this.ctx) throw new Error("the address plan is used before its network exists (init first)");
    return this.ctx;
  }

  async init(): Promise<void> {
    if (!this.hostMode) this.network = await this.o.runtime.networks.create(`mesos-lab-${this.o.runId}`, this.o.config.network.subnet, this.o.labels);
    await this.plan();
  }

  /** The network of a run that is already up (`mesos-lab attack` on the cluster `up` kept), its leaves issued anew. */
  async adopt(network: { id: string; name: string; subnet: string } | undefined): Promise<void> {
    if (!this.hostMode) {
      if (!network) throw new Error(`the network of run ${this.o.runId} is gone`);
      this.network = network;
    }
    await this.plan();
  }

  private async plan(): Promise<void> {
    const agents = Array.from({ length: this.o.config.agents }, (_, i) => this.ipOf("agent", i + 1));
    const host = perRole((r) => (this.hostMode ? "127.0.0.1" : r));
    const ip = perRole((r) => this.ipOf(r));
    this.ctx = { host, ip, secretOf: (p) => this.o.material.secretOf(p) };
    if (!this.hostMode) this.leaves = await this.o.material.issueForNetwork({ master: ip.master, agent: ip.agent, scheduler: ip.execute, zk: ip.zk, agents });
  }

  ipOf(role: Role, instance = 1): string {
    if (this.hostMode || !this.network) return "127.0.0.1";
    return this.network.subnet.replace(/0\/24$/, String(IP_SUFFIX[role] + (role === "agent" ? instance - 1 : 0)));
  }

  /**
   * Every name a lab container reaches a peer by, with its fixed address, for the containers' /etc/hosts. The engine's
   * DNS server is then never asked: rootless Podman 4.3's aardvark-dns did not answer at all for 30–40 s after a
   * container of the network was re-created (seen by hand: nslookup "no servers could be reached", then NXDOMAIN, then
   * the address), so a kept attacker's `curl http://agent:5051` after the agent's restart timed out (exercise 10's replay).
   */
  hosts(): Record<string, string> {
    if (this.hostMode || !this.network) return {};
    const agents = Array.from({ length: this.o.config.agents }, (_, i) => [this.aliasOf("agent", i + 1), this.ipOf("agent", i + 1)]);
    return { ...Object.fromEntries([...ROLES.map((r) => [r, this.ipOf(r)]), ...agents]), scheduler: this.ipOf("execute") };
  }

  aliasOf(role: Role, instance = 1): string {
    return role === "agent" && instance > 1 ? `agent-${instance}` : role;
  }

  /** A lab material file, or the leaf issued for this network under that name (`ssl/master.pem`, …). */
  material(name: string): Buffer {
    return this.leaves.get(name) ?? this.o.material.read(name);
  }
}
