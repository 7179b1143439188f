import os from "node:os";

/** Everything mesos-lab creates carries these labels; cleanup selects by them and by nothing else. */
export const LABEL = {
  managed: "io.mesos-lab.managed",
  lab: "io.mesos-lab.lab",
  run: "io.mesos-lab.run",
  exercise: "io.mesos-lab.exercise",
  role: "io.mesos-lab.role",
  configHash: "io.mesos-lab.config-hash",
  pid: "io.mesos-lab.pid",
  host: "io.mesos-lab.host",
  /** Set by `up`: the run's owner exits on purpose and the cluster must survive the leftover sweep. */
  keep: "io.mesos-lab.keep",
} as const;

export interface RunIdentity {
  lab: string;
  run: string;
  exercise?: string;
  keep?: boolean;
}

export function runLabels(id: RunIdentity, extra: Record<string, string> = {}): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL.managed]: "true",
    [LABEL.lab]: id.lab,
    [LABEL.run]: id.run,
    [LABEL.pid]: String(process.pid),
    [LABEL.host]: os.hostname(),
    ...extra,
  };
  if (id.exercise) labels[LABEL.exercise] = id.exercise;
  if (id.keep) labels[LABEL.keep] = "true";
  return labels;
}

/** Docker label filter list, e.g. ["io.mesos-lab.managed=true", "io.mesos-lab.run=abc"]. */
export function labelFilter(select: Partial<Record<keyof typeof LABEL, string>>): string[] {
  const out = [`${LABEL.managed}=true`];
  for (const [k, v] of Object.entries(select)) {
    if (k === "managed" || v === undefined) continue;
    out.push(`${LABEL[k as keyof typeof LABEL]}=${v}`);
  }
  return out;
}
