import type { ContainerClient, NetworkClient, OwnershipClient } from "../container-runtime.js";
import { LABEL } from "../labels.js";
import type { Owned } from "../types.js";
import type { EngineConnection } from "./connection.js";
import { tolerate } from "./engine-errors.js";
import { StuckNetworks } from "./networks.js";

export class DockerApiOwnership implements OwnershipClient {
  constructor(
    private readonly c: EngineConnection,
    private readonly containers: ContainerClient,
    private readonly networks: NetworkClient,
  ) {}

  async list(filters: string[]): Promise<Owned[]> {
    if (!filters.some((f) => f.startsWith(`${LABEL.managed}=true`))) throw new Error("refusing to list without the managed label filter");
    const label = { label: filters };
    const { docker } = this.c;
    const [cs, ns, vs] = await this.c.guard(() =>
      Promise.all([docker.listContainers({ all: true, filters: label }), docker.listNetworks({ filters: label }), docker.listVolumes({ filters: label })]),
    );
    return [
      ...cs.map((c) => ({ id: c.Id, name: (c.Names[0] ?? c.Id).replace(/^\//, ""), kind: "container" as const, labels: c.Labels ?? {} })),
      ...ns.map((n) => {
        const subnet = n.IPAM?.Config?.map((c) => c.Subnet).find((x) => x?.includes("."));
        return { id: n.Id, name: n.Name, kind: "network" as const, labels: (n.Labels as Record<string, string>) ?? {}, ...(subnet ? { subnet } : {}) };
      }),
      ...(vs.Volumes ?? []).map((v) => ({ id: v.Name, name: v.Name, kind: "volume" as const, labels: v.Labels ?? {} })),
    ];
  }

  async remove(items: Owned[]): Promise<number> {
    await Promise.all(items.filter((i) => i.kind === "container").map((c) => this.containers.remove(c.id)));
    // a network the engine will not let go of stops nothing else from going: named once everything else went
    const stuck: string[] = [];
    for (const n of items.filter((i) => i.kind === "network"))
      await this.networks.remove(n.id).catch((err: unknown) => {
        if (!(err instanceof StuckNetworks)) throw err;
        stuck.push(...err.networks);
      });
    for (const v of items.filter((i) => i.kind === "volume")) await this.c.guard(() => this.c.docker.getVolume(v.id).remove().catch(tolerate(404)));
    if (stuck.length) throw new StuckNetworks(stuck);
    return items.length;
  }
}
