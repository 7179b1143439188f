import type { LabConfig } from "../config/schema.js";
import type { ContainerRuntime } from "../runtime/container-runtime.js";
import type { ContainerSpec, Owned } from "../runtime/types.js";
import type { Exercise, Step } from "../model/exercise.js";

/**
 * The agent capabilities mode: what Mesos' Linux launcher needs from the agent's container, without `--privileged`.
 *
 * - capability SYS_ADMIN, seccomp and AppArmor unconfined (mount(2) and cgroup work inside the container);
 * - the cgroup-v1 freezer hierarchy mounted read-write inside the container (Docker mounts it read-only), by a small
 *   shell wrapper that runs before `exec mesos-agent`, since the harness sets the container's entrypoint;
 * - `MESOS_CGROUPS_ROOT=<the container's own freezer cgroup>/mesos`, so that every cgroup Mesos creates nests inside
 *   the agent container's cgroup and goes with the container.
 *
 * Removing such a container normally leaves nothing: the engine removes the container's cgroup with everything
 * nested in it. The one case it cannot handle is a nested cgroup left FROZEN with processes in it (an agent killed
 * while it destroys a container: Mesos freezes, kills, then thaws); the kill never reaches them and the removal
 * fails. So before removing one, the harness thaws and kills what is nested (`releaseNestedCgroups`).
 */

/** Label on an agent container that runs in the capabilities mode (cleanup finds those by it). */
export const CAPABILITIES_LABEL = "io.mesos-lab.agent-capabilities";

/** Engine settings of the mode (Docker's HostConfig). */
export const CAPABILITIES_SPEC = { capAdd: ["SYS_ADMIN"], securityOpt: ["seccomp=unconfined", "apparmor=unconfined"] } satisfies Pick<
  ContainerSpec,
  "capAdd" | "securityOpt"
>;

/** The freezer cgroup of PID 1 of the container, as the container sees it in /proc/<pid>/cgroup. */
const OWN_FREEZER = `awk -F: '$2 == "freezer" { print $3 }'`;

/**
 * Runs before the agent program (`$@`): remounts the freezer hierarchy read-write and points Mesos' cgroups root into
 * the container's own freezer cgroup. A host where that cannot be done gets one line saying why, and exit 1.
 */
export const CAPABILITIES_WRAPPER = [
  `fail() { echo "mesos-lab: the agent capabilities mode is not available here: $*" >&2; exit 1; }`,
  `[ -d /sys/fs/cgroup/freezer ] || fail "there is no cgroup-v1 freezer hierarchy at /sys/fs/cgroup/freezer (a cgroup-v2 host?); Mesos' Linux launcher needs it"`,
  `cg=$(${OWN_FREEZER} /proc/self/cgroup)`,
  `[ -n "$cg" ] || fail "this container has no freezer cgroup in /proc/self/cgroup (a cgroup-v2 host?)"`,
  `umount /sys/fs/cgroup/freezer || fail "cannot unmount the read-only /sys/fs/cgroup/freezer (CAP_SYS_ADMIN not granted, or a seccomp/AppArmor profile refuses it)"`,
  `mount -t cgroup -o freezer freezer /sys/fs/cgroup/freezer || fail "cannot mount the freezer hierarchy read-write at /sys/fs/cgroup/freezer"`,
  `own=\${cg#/}`,
  `export MESOS_CGROUPS_ROOT="\${own:+$own/}mesos"`,
  `echo "mesos-lab: agent capabilities mode: freezer hierarchy mounted read-write; MESOS_CGROUPS_ROOT=$MESOS_CGROUPS_ROOT (inside this container's cgroup $cg)"`,
  `exec "$@"`,
].join("\n");

/** The entrypoint that runs `program` (and the container's command) in the mode. */
export function capabilitiesEntrypoint(program: string[]): string[] {
  return ["/bin/sh", "-c", CAPABILITIES_WRAPPER, "mesos-lab-agent-capabilities", ...program];
}

/**
 * Thaws every cgroup under the container's Mesos cgroups root and kills what runs in them, until nothing does, then
 * removes the empty cgroups (deepest first). Run inside the container right before it is removed.
 */
export const RELEASE_SCRIPT = [
  `cg=$(${OWN_FREEZER} /proc/1/cgroup)`,
  `own=\${cg#/}`,
  `root="/sys/fs/cgroup/freezer/\${own:+$own/}mesos"`,
  `[ -d "$root" ] || exit 0`,
  `for i in 1 2 3 4 5 6 7 8 9 10; do`,
  `  for f in $(find "$root" -name freezer.state); do echo THAWED > "$f" 2>/dev/null; done`,
  `  pids=$(find "$root" -name cgroup.procs -exec cat {} \\; 2>/dev/null)`,
  `  [ -z "$pids" ] && break`,
  `  kill -9 $pids 2>/dev/null`,
  `  sleep 0.2`,
  `done`,
  `find "$root" -mindepth 1 -depth -type d -exec rmdir {} \\; 2>/dev/null`,
  `left=$(find "$root" -mindepth 1 -type d | wc -l)`,
  `echo "released: $left nested cgroups left"`,
].join("\n");

/** Whether a step runs its agent in the capabilities mode: the lab asks for it everywhere, or the step/exercise does. */
export function agentCapabilities(
  config: Pick<LabConfig, "agentCapabilities">,
  exercise: Pick<Exercise, "agentCapabilities">,
  step: Pick<Step, "agentCapabilities">,
): boolean {
  return config.agentCapabilities || (step.agentCapabilities ?? exercise.agentCapabilities ?? false);
}

/** Runs RELEASE_SCRIPT in a running capabilities-mode container; a container that is not running has nothing to release. */
export async function releaseNestedCgroups(runtime: ContainerRuntime, id: string, timeoutMs = 10_000): Promise<string> {
  try {
    const r = await runtime.exec.run(id, ["/bin/sh", "-c", RELEASE_SCRIPT], timeoutMs);
    return `${r.stdout}${r.stderr}`.trim();
  } catch (err) {
    return `not released: ${(err as Error).message.split("\n")[0]}`;
  }
}

/** `releaseNestedCgroups` for the capabilities-mode containers among `items`: call it before removing them. */
export async function releaseOwned(runtime: ContainerRuntime, items: Owned[]): Promise<void> {
  await Promise.all(items.filter((i) => i.kind === "container" && i.labels[CAPABILITIES_LABEL] === "true").map((i) => releaseNestedCgroups(runtime, i.id)));
}
