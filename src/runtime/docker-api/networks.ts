import { LabError } from "../../util/errors.js";
import type { NetworkClient } from "../container-runtime.js";
import { socketPathOf } from "../engine-host.js";
import { hostRoutes, overlapsRoutes } from "../host-routes.js";
import type { EngineConnection } from "./connection.js";
import { engineError, errorText, tolerate } from "./engine-errors.js";

const ENDPOINTS_LEFT = /active endpoints|is being used|associated containers/i;

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
      // a local engine's bridges share the host's routing table: a subnet routed elsewhere (another engine's bridge)
      // would take the lab's traffic; Docker checks its own networks only
      const routes = socketPathOf(this.c.host) ? hostRoutes() : [];
      const start = process.pid % 200;
      for (let i = 0; i < 250; i++) {
        const s = `10.213.${(start + i) % 250}.0/24`;
        if (!used.has(s) && !overlapsRoutes(s, routes)) candidates.push(s);
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

  /**
   * A container's endpoint can outlive its removal by a moment (the engine releases it after answering, later on a
   * loaded host), and the network then refuses to go: "has active endpoints" (Docker), "is being used" (Podman). Such
   * a refusal is retried for up to `settleMs`; one that stays is the engine's error. One that stays while the engine
   * shows no container on the network is Docker's own stale endpoint count (moby/moby#42119, seen here on 20.10 after
   * containers on one network were removed at once): nothing but a daemon restart frees it, so it is said so.
   */
  async remove(id: string, settleMs = 10_000): Promise<void> {
    const end = Date.now() + settleMs;
    for (;;) {
      try {
        return void (await this.c.docker.getNetwork(id).remove().catch(tolerate(404)));
      } catch (err) {
        if (!ENDPOINTS_LEFT.test(errorText(err))) throw engineError(err, this.c.host);
        if (Date.now() > end) throw (await this.staleEndpoints(id, err)) ?? engineError(err, this.c.host);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  /** The error for a network the engine will not remove although it lists no container on it, if that is so. */
  private async staleEndpoints(id: string, err: unknown): Promise<StuckNetworks | undefined> {
    const info = (await this.c.docker
      .getNetwork(id)
      .inspect()
      .catch(() => undefined)) as { Name?: string; Containers?: Record<string, unknown> | null } | undefined;
    if (!info || Object.keys(info.Containers ?? {}).length) return undefined;
    return new StuckNetworks([info.Name ?? id], { cause: err });
  }
}

/**
 * Networks the engine refuses to remove though it shows no container on them. They hold nothing but their subnet
 * (a lab's `auto` network takes another), and only restarting the daemon frees them.
 */
export class StuckNetworks extends LabError {
  constructor(
    readonly networks: string[],
    options?: { cause?: unknown },
  ) {
    super(
      "engineStuck",
      `The engine refuses to remove network${networks.length > 1 ? "s" : ""} ${networks.join(", ")}: it still counts an endpoint on ${networks.length > 1 ? "them" : "it"}, although no container is attached (a Docker bug, moby/moby#42119). Everything else was removed; ${networks.length > 1 ? "they hold" : "it holds"} no container, only ${networks.length > 1 ? "their subnets" : "its subnet"}.`,
      "Restart the Docker daemon (`sudo systemctl restart docker`; Docker Desktop: Restart), then run `mesos-lab reset --all` again.",
      options,
    );
    this.name = "StuckNetworks";
  }
}
