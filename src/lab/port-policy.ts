import type { LabConfig } from "../config/schema.js";
import { localPortInUse } from "../util/local-port.js";

export type UiPort = keyof LabConfig["ports"];

const WHAT: Record<UiPort, string> = { master: "master UI", agent: "agent UI", exhibitor: "Exhibitor UI", zk: "ZooKeeper port" };

export interface PortDecision {
  /** The ports to publish: the configured ones, with each taken one replaced by 0 (a free port the engine picks). */
  ports: LabConfig["ports"];
  /** One sentence per taken port, naming it. */
  taken: Array<{ key: UiPort; port: number; message: string }>;
}

/**
 * The lab's one port policy (`up`, the TUI, and what `doctor` reports): each UI is published on the port lab.config.ts
 * gives when that port is free on this machine, otherwise on a free port, with a warning naming the taken one. A
 * workshop room goes on when something already sits on 5050; `up` prints where each UI ended up.
 */
export async function roomPorts(config: Pick<LabConfig, "ports" | "network">, publishHost: string): Promise<PortDecision> {
  const ports = { ...config.ports };
  const taken: PortDecision["taken"] = [];
  if (publishHost !== "127.0.0.1" || config.network.mode !== "bridge") return { ports, taken };
  for (const key of Object.keys(WHAT) as UiPort[]) {
    const p = config.ports[key];
    if (!p || !(await localPortInUse(p))) continue;
    ports[key] = 0;
    taken.push({
      key,
      port: p,
      message: `port ${p} is in use on this machine: the ${WHAT[key]} is published on a free port instead (set ports.${key} in lab.config.ts to choose another)`,
    });
  }
  return { ports, taken };
}
