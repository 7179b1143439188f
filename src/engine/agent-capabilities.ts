import { runToEnd } from "../runtime/run-to-end.js";
import type { LabConfig } from "../config/schema.js";
import type { ContainerRuntime } from "../runtime/container-runtime.js";
import { LABEL } from "../runtime/labels.js";
import { randomBytes } from "node:crypto";
import type { ContainerSpec, ContainerState, Owned } from "../runtime/types.js";
import type { Exercise, Step } from "../model/exercise.js";

/**
 * The agent capabilities mode: what Mesos' Linux launcher needs from the agent's container, without `--privileged`.
 *
 * - capability SYS_ADMIN, seccomp and AppArmor unconfined, the host's cgroup namespace (mount(2) and cgroup work
 *   inside the container);
 * - a cgroup-v1 freezer hierarchy mounted read-write inside the container, by a small shell wrapper that runs before
 *   `exec mesos-agent`, since the harness sets the container's entrypoint. Two ways, decided inside the container:
 *   - **cgroup v1** (the host mounts the freezer at /sys/fs/cgroup/freezer; Docker mounts it read-only in the
 *     container): remounted read-write, and `MESOS_CGROUPS_ROOT=<the container's own freezer cgroup>/mesos`, so that
 *     every cgroup Mesos creates nests inside the agent container's cgroup and goes with the container;
 *   - **a freezer hierarchy of its own** (a cgroup-v2 host, where no v1 hierarchy is mounted): the v1 freezer is
 *     never in use on the v2 hierarchy (kernel/cgroup/legacy_freezer.c declares only `legacy_cftypes`, and
 *     cgroup_init() in kernel/cgroup/cgroup.c puts a controller without `dfl_cftypes` in cgrp_dfl_inhibit_ss_mask), so
 *     it can be bound to a v1 hierarchy, which the wrapper mounts at OWN_FREEZER_DIR. A new hierarchy may only be
 *     created from the initial cgroup namespace (cgroup1_root_to_use() in kernel/cgroup/cgroup-v1.c: "Hierarchies
 *     may only be created in the initial cgroup namespace", -EPERM), hence the host's cgroup namespace, and
 *     cgroup1_get_tree() wants CAP_SYS_ADMIN over that namespace's user namespace, hence never on a rootless engine.
 *     Every container is in the root cgroup of such a hierarchy, so Mesos' root is lab-unique instead:
 *     `MESOS_CGROUPS_ROOT=mesos-lab/<lab>/<container>`, removed with the container (RELEASE_SCRIPT). Mesos finds the
 *     mounted hierarchy itself (cgroups::prepare → cgroups::hierarchy("freezer") reads the mount table,
 *     src/linux/cgroups.cpp:357 at 1.11.x) and logs "Using <it> as the freezer hierarchy for the Linux launcher"
 *     (src/slave/containerizer/mesos/linux_launcher.cpp:139). `LAB_AGENT_FREEZER=own` takes this way on a v1 host
 *     too: that is how this cgroup-v1 build machine tests it.
 *
 * Removing such a container normally leaves nothing: the engine removes the container's cgroup with everything
 * nested in it. The one case it cannot handle is a nested cgroup left FROZEN with processes in it (an agent killed
 * while it destroys a container: Mesos freezes, kills, then thaws); the kill never reaches them and the removal
 * fails. So before removing one, the harness thaws and kills what is nested (`releaseNestedCgroups`), and on the
 * own hierarchy removes Mesos' root too, which no engine would.
 */

/** Label on an agent container that runs in the capabilities mode (cleanup finds those by it). */
export const CAPABILITIES_LABEL = "io.mesos-lab.agent-capabilities";

/** Engine settings of the mode (Docker's HostConfig). */
export const CAPABILITIES_SPEC = {
  capAdd: ["SYS_ADMIN"],
  securityOpt: ["seccomp=unconfined", "apparmor=unconfined"],
  cgroupns: "host",
} satisfies Pick<ContainerSpec, "capAdd" | "securityOpt" | "cgroupns">;

/** Where the wrapper mounts a freezer hierarchy of its own (in the container's filesystem, gone with it). */
export const OWN_FREEZER_DIR = "/run/mesos-lab/cgroup/freezer";

/** The container's env in the mode: its lab-unique name for Mesos' root on a freezer hierarchy of its own. */
export function capabilitiesEnv(lab: string, containerName: string): Record<string, string> {
  return { LAB_AGENT_CGROUP: `${lab}/${containerName}` };
}

/**
 * Why a container in a cgroup namespace of its own cannot take the own-hierarchy way (kernel cgroup-v1.c,
 * cgroup1_root_to_use: "Hierarchies may only be created in the initial cgroup namespace"), and the fix for the engine
 * that puts it there: Podman 4.3's Docker-compatible API drops CgroupnsMode (seen here: "private" comes back "host"),
 * and on cgroup v2 Podman's default is a private namespace.
 */
export const PRIVATE_CGROUPNS =
  "this container has a cgroup namespace of its own (every line of /proc/self/cgroup reads /), and a cgroup-v1 hierarchy may only be created from the host's: the engine did not honour CgroupnsMode=host";
export const PRIVATE_CGROUPNS_FIX =
  'With Podman, set cgroupns = "host" under [containers] in /etc/containers/containers.conf and restart its service; then run `mesos-lab doctor` again.';

/** The freezer cgroup of PID 1 of the container, as the container sees it in /proc/<pid>/cgroup. */
const OWN_FREEZER = `awk -F: '$2 == "freezer" { print $3 }'`;

/**
 * Runs before the agent program (`$@`): mounts a freezer hierarchy read-write (the host's, or one of its own) and
 * points Mesos' cgroups root at a place only this container uses. A host where that cannot be done gets one line
 * saying why, and exit 1.
 */
export const CAPABILITIES_WRAPPER = [
  `fail() { echo "mesos-lab: the agent capabilities mode is not available here: $*" >&2; exit 1; }`,
  `if [ "$LAB_AGENT_FREEZER" != own ] && [ -d /sys/fs/cgroup/freezer ]; then`,
  `  cg=$(${OWN_FREEZER} /proc/self/cgroup)`,
  `  [ -n "$cg" ] || fail "this container has no freezer cgroup in /proc/self/cgroup"`,
  `  umount /sys/fs/cgroup/freezer || fail "cannot unmount the read-only /sys/fs/cgroup/freezer (CAP_SYS_ADMIN not granted, or a seccomp/AppArmor profile refuses it)"`,
  `  mount -t cgroup -o freezer freezer /sys/fs/cgroup/freezer || fail "cannot mount the freezer hierarchy read-write at /sys/fs/cgroup/freezer"`,
  `  own=\${cg#/}`,
  `  export MESOS_CGROUPS_ROOT="\${own:+$own/}mesos"`,
  `  export LAB_FREEZER_HIERARCHY=/sys/fs/cgroup/freezer`,
  `  echo "mesos-lab: agent capabilities mode: freezer hierarchy mounted read-write; MESOS_CGROUPS_ROOT=$MESOS_CGROUPS_ROOT (inside this container's cgroup $cg)"`,
  `else`,
  `  [ -n "$LAB_AGENT_CGROUP" ] || fail "LAB_AGENT_CGROUP is not set: the lab names Mesos' cgroups root on a freezer hierarchy of its own"`,
  // in a cgroup namespace of its own every line of /proc/self/cgroup reads "/": the mount below would be refused
  `  awk -F: '$3 != "/" { n++ } END { exit !n }' /proc/self/cgroup || fail "${`${PRIVATE_CGROUPNS}. ${PRIVATE_CGROUPNS_FIX}`.replaceAll(/["`$\\]/g, "\\$&")}"`,
  // the host's read-only mount (on a v1 host) would otherwise be the first freezer hierarchy Mesos finds
  `  if [ -d /sys/fs/cgroup/freezer ]; then umount /sys/fs/cgroup/freezer || fail "cannot unmount the read-only /sys/fs/cgroup/freezer (CAP_SYS_ADMIN not granted, or a seccomp/AppArmor profile refuses it)"; fi`,
  `  mkdir -p ${OWN_FREEZER_DIR} || fail "cannot create ${OWN_FREEZER_DIR}"`,
  `  mount -t cgroup -o freezer freezer ${OWN_FREEZER_DIR} || fail "cannot mount a cgroup-v1 freezer hierarchy of its own at ${OWN_FREEZER_DIR}: it needs the host's cgroup namespace and CAP_SYS_ADMIN in the host's user namespace, and a kernel that allows v1 hierarchies (not booted with cgroup_no_v1=freezer or cgroup_no_v1=all)"`,
  `  export MESOS_CGROUPS_ROOT="mesos-lab/$LAB_AGENT_CGROUP" LAB_FREEZER_HIERARCHY=${OWN_FREEZER_DIR}`,
  `  echo "mesos-lab: agent capabilities mode: a freezer hierarchy of its own mounted read-write at ${OWN_FREEZER_DIR}; MESOS_CGROUPS_ROOT=$MESOS_CGROUPS_ROOT (this lab's, removed with the container)"`,
  `fi`,
  `exec "$@"`,
].join("\n");

/** The entrypoint that runs `program` (and the container's command) in the mode. */
export function capabilitiesEntrypoint(program: string[]): string[] {
  return ["/bin/sh", "-c", CAPABILITIES_WRAPPER, "mesos-lab-agent-capabilities", ...program];
}

/**
 * Where Mesos' cgroups root is, as a shell snippet setting `$root` (and `$own_root`, set on a hierarchy of its own):
 * what the wrapper chose, found again from the container's mounts and PID 1's cgroup.
 */
const MESOS_ROOT = [
  `if grep -q ' ${OWN_FREEZER_DIR} ' /proc/self/mountinfo; then`,
  `  own_root=1; root="${OWN_FREEZER_DIR}/mesos-lab/$LAB_AGENT_CGROUP"`,
  `else`,
  `  cg=$(${OWN_FREEZER} /proc/1/cgroup); own=\${cg#/}; root="/sys/fs/cgroup/freezer/\${own:+$own/}mesos"`,
  `fi`,
].join("\n");

/**
 * Thaws every cgroup under the container's Mesos cgroups root and kills what runs in them, until nothing does, then
 * removes the empty cgroups (deepest first); on a hierarchy of its own, Mesos' root too, and the lab's directory
 * above it once no other container of the lab uses it. Run inside the container right before it is removed.
 */
export const RELEASE_SCRIPT = [
  MESOS_ROOT,
  `left=0`,
  `if [ -d "$root" ]; then`,
  `  for i in 1 2 3 4 5 6 7 8 9 10; do`,
  `    for f in $(find "$root" -name freezer.state); do echo THAWED > "$f" 2>/dev/null; done`,
  `    pids=$(find "$root" -name cgroup.procs -exec cat {} \\; 2>/dev/null)`,
  `    [ -z "$pids" ] && break`,
  `    kill -9 $pids 2>/dev/null`,
  `    sleep 0.2`,
  `  done`,
  `  find "$root" -mindepth 1 -depth -type d -exec rmdir {} \\; 2>/dev/null`,
  `  left=$(find "$root" -mindepth 1 -type d | wc -l)`,
  `fi`,
  // on a hierarchy of its own, Mesos' root and the lab's folder are no engine's to remove; another lab's stay
  `if [ -n "$own_root" ] && [ "$left" = 0 ]; then`,
  `  rmdir "$root" 2>/dev/null; rmdir "\${root%/*}" 2>/dev/null; rmdir "${OWN_FREEZER_DIR}/mesos-lab" 2>/dev/null`,
  `  [ -d "$root" ] && left=1`,
  `fi`,
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

/**
 * Runs RELEASE_SCRIPT in a running capabilities-mode container. A container that is not running has no process
 * left to release, but on a freezer hierarchy of its own its Mesos root outlives it (no engine removes it): a
 * throw-away container of the same image, in the mode's own-hierarchy way, removes what is left there under the
 * stopped container's name (on a v1 host that did not take that way, there is nothing, and it says so).
 */
export async function releaseNestedCgroups(runtime: ContainerRuntime, id: string, timeoutMs = 10_000): Promise<string> {
  const state = await runtime.containers.inspect(id).catch(() => undefined);
  if (state && !state.running && state.image && state.env.LAB_AGENT_CGROUP) return releaseAfter(runtime, state, timeoutMs);
  try {
    const r = await runtime.exec.run(id, ["/bin/sh", "-c", RELEASE_SCRIPT], timeoutMs);
    return `${r.stdout}${r.stderr}`.trim();
  } catch (err) {
    return `not released: ${(err as Error).message.split("\n")[0]}`;
  }
}

async function releaseAfter(runtime: ContainerRuntime, stopped: ContainerState, timeoutMs: number): Promise<string> {
  try {
    const { lines } = await runToEnd(
      runtime,
      {
        name: `${stopped.name}-release-${randomBytes(2).toString("hex")}`,
        image: stopped.image!,
        entrypoint: capabilitiesEntrypoint(["/bin/sh", "-c", RELEASE_SCRIPT]),
        cmd: [],
        env: { LAB_AGENT_CGROUP: stopped.env.LAB_AGENT_CGROUP!, LAB_AGENT_FREEZER: "own" },
        // the stopped container's run, so that cleanup finds it; no role, and not itself one to release
        labels: { ...Object.fromEntries(Object.entries(stopped.labels).filter(([k]) => k !== LABEL.role)), [CAPABILITIES_LABEL]: "false" },
        ...CAPABILITIES_SPEC,
      },
      { timeoutMs, timeoutText: `not done within ${timeoutMs / 1000} s`, dispose: (id) => runtime.containers.remove(id) },
    );
    return lines.filter((l) => l.startsWith("released: ") || l.includes("not available here")).join("\n") || "not released: no answer";
  } catch (err) {
    return `not released: ${(err as Error).message.split("\n")[0]}`;
  }
}

/** `releaseNestedCgroups` for the capabilities-mode containers among `items`: call it before removing them. */
export async function releaseOwned(runtime: ContainerRuntime, items: Owned[]): Promise<void> {
  await Promise.all(items.filter((i) => i.kind === "container" && i.labels[CAPABILITIES_LABEL] === "true").map((i) => releaseNestedCgroups(runtime, i.id)));
}
