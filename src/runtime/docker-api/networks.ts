import { LabError } from "../../util/errors.js";
import type { NetworkClient } from "../container-runtime.js";
import type { EngineConnection } from "./connection.js";
import { engineError, errorText, tolerate } from "./engine-errors.js";

export class DockerApiNetworks implements NetworkClient {
  constructor(private readonly c: EngineConnection) {}

  private async subnetsInUse(): Promise<string[]> {
    const nets = (await this.c.guard(() => this.c.docker.listNetworks())) as Array<{ IPAM?: { Config?: Array<{ Subnet?: string }> | null } }>;
    return nets.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? "")).filter(Boolean);
  }

  async create(name: string, subnet: string, labels: Record<string, string>): Promise<{ id: string; name: string; subnet: string }> {
    const candidates: string[] = [];
    if (subnet === "auto") {
      const used = new Set(await this.subnetsInUse());
      const start = process.pid % 200;
      for (let i = 0; i < 250; i++) {
        const s = `10.213.${(start + i) % 250}.0/24`;
        if (!used.has(s)) candidates.push(s);
      }
    } else candidates.push(subnet);
    let lastErr: unknown;
    for (const s of candidates.slice(0, 25)) {
      const gateway = s.replace(/0\/24$/, "1");
      try {
        const n = await this.c.docker.createNetwork({
          Name: name,
          Driver: "bridge",
          CheckDuplicate: true,
          Labels: labels,
          IPAM: { Driver: "default", Config: [{ Subnet: s, Gateway: gateway }] },
        });
        return { id: n.id, name, subnet: s };
      } catch (err) {
        lastErr = engineError(err, this.c.host);
        if (lastErr instanceof LabError) throw lastErr;
        if (subnet !== "auto" || !/overlap|already/i.test(errorText(err))) break;
      }
    }
    throw new LabError(
      "config",
      `Could not create the lab network ${name}: ${errorText(lastErr)}`,
      subnet === "auto"
        ? "Remove unused Docker networks (`docker network prune`) and retry."
        : `Choose another network.subnet in lab.config.ts (${subnet} is taken).`,
      { cause: lastErr },
    );
  }

  async remove(id: string): Promise<void> {
    await this.c.guard(() => this.c.docker.getNetwork(id).remove().catch(tolerate(404)));
  }
}
