import type { LabConfig } from "../../config/schema.js";
import { LABEL, runLabels, type RunIdentity } from "../../runtime/labels.js";
import type { ContainerSpec, PlacedFile } from "../../runtime/types.js";
import { ROLE_PORTS, ROLE_PROGRAM, type ClusterRole, type Role } from "../../model/roles.js";
import { ROLE_COMMAND } from "../../registry/roles.js";
import { CAPABILITIES_LABEL, CAPABILITIES_SPEC, capabilitiesEntrypoint, capabilitiesEnv } from "../agent-capabilities.js";
import type { RenderedFile, RenderedStep } from "../render.js";
import { expand } from "../template.js";
import type { AddressPlan } from "./address-plan.js";

/** What a container's spec is made from, besides its role: the run, its addresses and how it publishes ports. */
export interface SpecContext {
  config: LabConfig;
  identity: RunIdentity;
  plan: AddressPlan;
  /** `configured`: publish the UIs on lab.config.ts ports (up, TUI); `ephemeral`: any free port (verify, --jobs). */
  publish: "configured" | "ephemeral";
}

/** The files a step places in a role's containers, with templates expanded and leaves issued for this network. */
export function placedFiles(plan: AddressPlan, files: RenderedFile[], role: Role): PlacedFile[] {
  return files
    .filter((f) => f.role === role)
    .map((f) => ({ path: f.path, content: f.content !== undefined ? expand(f.content, plan.template) : plan.material(f.from!), mode: f.mode }));
}

/** A role's environment for a step; a second agent gets its own address, name (and port, in host mode). */
export function envFor(plan: AddressPlan, rendered: RenderedStep, role: Role, instance: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(rendered.env[role])) env[k] = expand(v, plan.template);
  if (role === "agent" && instance > 1 && !plan.hostMode) {
    env.LIBPROCESS_IP = plan.ipOf("agent", instance);
    env.MESOS_HOSTNAME = plan.aliasOf("agent", instance);
  }
  if (role === "agent" && instance > 1 && plan.hostMode) env.MESOS_PORT = String(ROLE_PORTS.agent + instance - 1);
  return env;
}

function publishFor(s: SpecContext, role: ClusterRole, instance: number): Record<number, number> {
  if (s.plan.hostMode) return {};
  const cfg = s.config.ports;
  const fixed = s.publish === "configured";
  if (role === "zk") return fixed ? { 2181: cfg.zk, 8080: cfg.exhibitor } : { 2181: 0 };
  if (role === "master") return { 5050: fixed ? cfg.master : 0 };
  if (role === "registry" || role === "tokens") return { [ROLE_PORTS[role]]: 0 };
  return { 5051: fixed && instance === 1 ? cfg.agent : 0 };
}

/**
 * The container of a role. `capabilities`: the agent runs in the capabilities mode (agent-capabilities.ts), its
 * program behind the wrapper. `suffix` tells containers of a role apart (`relay-wire`).
 */
export function containerSpec(
  s: SpecContext,
  role: Role,
  instance: number,
  env: Record<string, string>,
  files: PlacedFile[],
  o: { cmd?: string[]; suffix?: string; capabilities?: boolean; publish?: Record<number, number>; capAdd?: string[] } = {},
): ContainerSpec {
  const alias = s.plan.aliasOf(role, instance);
  const network = s.plan.networkName;
  const name = `mesos-lab-${s.identity.run}-${alias}${o.suffix ?? ""}`;
  return {
    name,
    image: s.config.images[role],
    entrypoint: role === "zk" ? undefined : o.capabilities ? capabilitiesEntrypoint([ROLE_PROGRAM[role]]) : [ROLE_PROGRAM[role]],
    cmd: role === "zk" ? undefined : (o.cmd ?? ROLE_COMMAND[role] ?? []),
    env: o.capabilities ? { ...env, ...capabilitiesEnv(s.identity.lab, name) } : env,
    labels: runLabels(s.identity, { [LABEL.role]: role, ...(o.capabilities ? { [CAPABILITIES_LABEL]: "true" } : {}) }),
    network: network ? { name: network, ip: s.plan.ipOf(role, instance), aliases: role === "execute" ? ["execute", "scheduler"] : [alias] } : undefined,
    hosts: network ? s.plan.hosts() : undefined,
    hostNetwork: s.plan.hostMode,
    hostname: alias,
    publish: o.publish ?? (role === "execute" || role === "attacker" || role === "relay" ? undefined : publishFor(s, role as ClusterRole, instance)),
    files,
    privileged: role === "agent" && s.config.privilegedAgent,
    ...(o.capabilities ? CAPABILITIES_SPEC : {}),
    ...(o.capAdd ? { capAdd: o.capAdd } : {}),
    init: role === "execute",
  };
}
