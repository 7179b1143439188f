import os from "node:os";
import { LABEL, labelFilter } from "../runtime/labels.js";
import type { ContainerRuntime } from "../runtime/container-runtime.js";
import type { Owned } from "../runtime/types.js";
import { releaseOwned } from "../engine/agent-capabilities.js";
import { processAlive } from "../util/process-alive.js";

/** Leftovers of runs whose process died (SIGKILL, crash) on this host; `up` clusters are kept on purpose. */
export function deadRunItems(items: Owned[]): Owned[] {
  const host = os.hostname();
  return items.filter((i) => {
    if (i.labels[LABEL.keep] === "true") return false;
    if (i.labels[LABEL.host] !== host) return false;
    const pid = parseInt(i.labels[LABEL.pid] ?? "", 10);
    return Number.isFinite(pid) && pid !== process.pid && !processAlive(pid);
  });
}

/**
 * This lab's containers that another mesos-lab process on this host is running now (the TUI, `up --watch`, a
 * `verify`): its pid label names a live process that is not this one. `up` would remove them under it.
 */
export function liveRunsOfOthers(items: Owned[]): Array<{ pid: number; exercise?: string; names: string[] }> {
  const host = os.hostname();
  const byPid = new Map<number, { pid: number; exercise?: string; names: string[] }>();
  for (const i of items) {
    if (i.kind !== "container" || i.labels[LABEL.host] !== host) continue;
    const pid = parseInt(i.labels[LABEL.pid] ?? "", 10);
    if (!Number.isFinite(pid) || pid === process.pid || !processAlive(pid)) continue;
    const run = byPid.get(pid) ?? { pid, exercise: i.labels[LABEL.exercise], names: [] };
    run.names.push(i.name);
    byPid.set(pid, run);
  }
  return [...byPid.values()];
}

/**
 * Scoped to this lab (checkout): another checkout's leftovers are its own to sweep, and two labs starting at once
 * must not race each other over the same dead run. `reset --all` is the instructor's engine-wide broom.
 */
export async function sweepDeadRuns(runtime: ContainerRuntime, labId: string): Promise<number> {
  const items = await runtime.owned.list(labelFilter({ lab: labId }));
  const dead = deadRunItems(items);
  if (dead.length) {
    await releaseOwned(runtime, dead);
    await runtime.owned.remove(dead);
  }
  return dead.length;
}

/** `reset`: this lab's resources, or with `all` every mesos-lab resource on the engine — selected by label only. */
export async function resetLab(runtime: ContainerRuntime, opts: { labId: string; all: boolean; exercise?: string }): Promise<Owned[]> {
  const filter = opts.all ? labelFilter({}) : labelFilter({ lab: opts.labId, exercise: opts.exercise });
  const items = await runtime.owned.list(filter);
  // networks carry no exercise label when they were made for one: select the exercise's runs, then their networks
  let toRemove = items;
  if (opts.exercise && !opts.all) {
    const runs = new Set(items.map((i) => i.labels[LABEL.run]));
    const nets = (await runtime.owned.list(labelFilter({ lab: opts.labId }))).filter((i) => i.kind === "network" && runs.has(i.labels[LABEL.run]));
    toRemove = [...items, ...nets.filter((n) => !items.some((i) => i.id === n.id))];
  }
  await releaseOwned(runtime, toRemove);
  await runtime.owned.remove(toRemove);
  return toRemove;
}
