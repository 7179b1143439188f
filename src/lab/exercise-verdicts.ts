import type { LabConfig } from "../config/schema.js";
import { agentCapabilities, PRIVATE_CGROUPNS, PRIVATE_CGROUPNS_FIX } from "../engine/agent-capabilities.js";
import { stepApplies } from "../engine/render.js";
import type { Exercise } from "../model/exercise.js";
import { LabError } from "../util/errors.js";
import type { DoctorCheck } from "./doctor-check.js";
import { configuredImages } from "./images.js";

/**
 * Whether each exercise can run on this host, decided in one place from facts the callers gather (the engine's cgroup
 * version and whether it runs rootless, the agent capabilities mode's probe, which images are on the engine): "runs here", or "cannot run here"
 * with the reason and the fix. Pure: `doctor`, `verify`, `up`, the TUI and (through the recorded verdicts,
 * verdict-record.ts) `list` all say what this says.
 */

/** What the capabilities mode's probe (image-probes.ts `probeAgentCapabilities`) found on the engine. */
export type CapabilitiesProbe = { available: true } | { available: false; reason: string; fix?: string };

export interface HostFacts {
  /** The engine's cgroup version as its info reports it ("1", "2"). */
  cgroupVersion: string;
  /** The engine runs rootless, as its info reports it (EngineInfo.rootless); unset counts as not rootless. */
  rootless?: boolean;
  /** The probe's result; unset when it did not run (nothing needs it, or the agent image is not here to run it in). */
  capabilities?: CapabilitiesProbe;
  /** Each image the exercises need: on the engine or not. An image not listed counts as not checked, hence fine. */
  images: Readonly<Record<string, boolean>>;
  /** A missing image will be pulled (`verify --pull`, `up`, the TUI): then it is no reason not to run. */
  pullable?: boolean;
}

/** One reason an exercise cannot run, with its fix and the kind of error it is when the exercise is named. */
export interface Blocker {
  kind: "config" | "imageMissing";
  reason: string;
  fix: string;
}

export type Verdict =
  | { exercise: string; status: "runs" }
  /** `reason`/`fix` are the blockers' together; `kind` is the first blocker's (a missing image first). */
  | { exercise: string; status: "cannot"; reason: string; fix: string; kind: Blocker["kind"]; blockers: Blocker[] }
  /** The capabilities mode could not be checked (its probe did not run): the exercise runs, and says so if it fails. */
  | { exercise: string; status: "unchecked"; reason: string };

/** The host side of the capabilities mode's fix: what a machine needs to run it. */
export const CAPABILITIES_HOST_FIX =
  "Use a Linux host or VM whose container engine runs as root and allows CAP_SYS_ADMIN, seccomp and AppArmor unconfined and the host's cgroup namespace " +
  "(on cgroup v2, with a kernel that allows cgroup-v1 hierarchies: not booted with cgroup_no_v1=freezer or cgroup_no_v1=all); `mesos-lab doctor` says whether this one does.";

/** What doctor's capabilities line says when the mode is not available (image-probes.ts). */
export const CAPABILITIES_FIX = `The exercises that need it (exercise 12 of the built-in catalogue) run their agent in this mode: Mesos' Linux launcher without --privileged. ${CAPABILITIES_HOST_FIX}`;

export const MISSING_IMAGE_FIX =
  "Run `mesos-lab pull` where a registry is reachable, or `mesos-lab bundle import <file>` with an instructor's offline bundle (`verify` also takes --pull). " +
  "Any image with Mesos on the PATH will do for master, agent and mesos-execute (with or without an entrypoint: the lab starts the program itself), " +
  "and any ZooKeeper image for zk: set images.* in lab.config.ts.";

/**
 * What the mode's wrapper says on a cgroup-v2 host whose kernel refuses a cgroup-v1 hierarchy (agent-capabilities.ts):
 * the probe result the session's test seam injects for such a host (`MESOS_LAB_TEST_CGROUP_VERSION=2-no-v1`).
 */
export const NO_V1_REASON =
  "cannot mount a cgroup-v1 freezer hierarchy of its own at /run/mesos-lab/cgroup/freezer: it needs the host's cgroup namespace and CAP_SYS_ADMIN in the host's user namespace, and a kernel that allows v1 hierarchies (not booted with cgroup_no_v1=freezer or cgroup_no_v1=all)";

/**
 * Why the mode is not available on a rootless engine (no probe container needed to know it). Its containers live in
 * the engine's user namespace, so the CAP_SYS_ADMIN it grants holds there only: the host's cgroup-v1 freezer
 * hierarchy belongs to the initial namespaces (the kernel checks CAP_SYS_ADMIN over the cgroup namespace's owner to
 * mount it, cgroup1_get_tree() in kernel/cgroup/cgroup-v1.c), and a hierarchy of its own may only be created from
 * the initial cgroup namespace (cgroup1_root_to_use(), same file). Observed with rootless Podman 4.3 on this
 * cgroup-v1 host, in a container with SYS_ADMIN and seccomp/AppArmor unconfined: uid_map `0 1001 1`, the host's
 * cgroup namespace, freezer cgroup `/`; `umount /sys/fs/cgroup/freezer` succeeds, then `mount -t cgroup -o freezer`
 * is refused with EPERM (the mode's wrapper: "cannot mount the freezer hierarchy read-write").
 */
export const ROOTLESS_REASON =
  "the engine runs rootless: the CAP_SYS_ADMIN it grants holds only inside its user namespace, which may not mount the host's cgroup-v1 freezer hierarchy read-write";

/** The fix on a rootless engine: the same lab against an engine that runs as root. */
export const ROOTLESS_FIX =
  "Run this exercise against an engine that runs as root: Docker's daemon, or Podman's root service (`sudo podman system service --time=0`, then DOCKER_HOST=unix:///run/podman/podman.sock). " +
  CAPABILITIES_HOST_FIX;

const MODE = "it needs the agent capabilities mode (Mesos' Linux launcher, for container image support)";

/** Whether any step of the exercise the profile runs starts an agent in the capabilities mode. */
export function needsCapabilities(config: Pick<LabConfig, "agentCapabilities" | "mesos">, exercise: Exercise): boolean {
  return exercise.steps.some((s) => stepApplies(s, config.mesos) && s.cluster.includes("agent") && agentCapabilities(config, exercise, s));
}

/** The probe's result from doctor's capabilities line (its first check): available, or not and why. */
export function capabilitiesFromCheck(check: DoctorCheck | undefined): CapabilitiesProbe | undefined {
  if (check?.name !== "agent capabilities mode") return undefined;
  if (check.status === "ok") return { available: true };
  if (!check.detail.startsWith("not available: ")) return undefined; // "not checked: …"
  const reason = check.detail.slice("not available: ".length);
  // the engine, not the host, is what to change when it left the container a cgroup namespace of its own
  return reason === PRIVATE_CGROUPNS ? { available: false, reason, fix: PRIVATE_CGROUPNS_FIX } : { available: false, reason };
}

/** The verdict of each exercise, in the order given. */
export function exerciseVerdicts(
  exercises: readonly Exercise[],
  config: Pick<LabConfig, "agentCapabilities" | "mesos" | "images">,
  facts: HostFacts,
): Verdict[] {
  return exercises.map((ex) => exerciseVerdict(ex, config, facts));
}

export function exerciseVerdict(exercise: Exercise, config: Pick<LabConfig, "agentCapabilities" | "mesos" | "images">, facts: HostFacts): Verdict {
  const blockers: Blocker[] = [];
  const missing = facts.pullable ? [] : configuredImages(config, [exercise]).filter((image) => facts.images[image] === false);
  if (missing.length)
    blockers.push({
      kind: "imageMissing",
      reason: missing.length === 1 ? `image ${missing[0]} is not on this engine` : `images ${missing.join(", ")} are not on this engine`,
      fix: MISSING_IMAGE_FIX,
    });
  let unchecked: string | undefined;
  if (needsCapabilities(config, exercise)) {
    // a cgroup-v2 host is no blocker by itself: the mode mounts a freezer hierarchy of its own there, if the probe can
    if (facts.rootless) blockers.push({ kind: "config", reason: `${MODE}, not available here: ${ROOTLESS_REASON}`, fix: ROOTLESS_FIX });
    else if (facts.capabilities && !facts.capabilities.available)
      blockers.push({
        kind: "config",
        reason: `${MODE}, not available here: ${facts.capabilities.reason}`,
        fix: facts.capabilities.fix ?? CAPABILITIES_HOST_FIX,
      });
    else if (!facts.capabilities && !missing.length)
      unchecked = `${MODE}, not checked here: its probe runs in the agent image, which is not on this engine yet`;
  }
  if (blockers.length)
    return {
      exercise: exercise.id,
      status: "cannot",
      reason: blockers.map((b) => b.reason).join("; and "),
      fix: [...new Set(blockers.map((b) => b.fix))].join(" "),
      kind: blockers[0]!.kind,
      blockers,
    };
  return unchecked ? { exercise: exercise.id, status: "unchecked", reason: unchecked } : { exercise: exercise.id, status: "runs" };
}

/** doctor's line for an exercise: "runs here", or "cannot run here: <reason>" with the fix. */
export function verdictCheck(exercise: Pick<Exercise, "id" | "title">, v: Verdict): DoctorCheck {
  const name = `exercise ${exercise.id} ${exercise.title}`;
  if (v.status === "runs") return { name, status: "ok", detail: "runs here" };
  if (v.status === "unchecked") return { name, status: "warn", detail: `should run here; not checked: ${v.reason}` };
  return { name, status: "warn", detail: `cannot run here: ${v.reason}`, fix: v.fix };
}

/** `verify 12` (named) and `up 12` on a host where 12 cannot run: the error, before anything starts. */
export function verdictError(v: Extract<Verdict, { status: "cannot" }>): LabError {
  return new LabError(v.kind, `exercise ${v.exercise} cannot run here: ${v.reason}`, v.fix);
}

/** `verify --all` where not one exercise of the run can run here: that is an error, not a pass with nothing run. */
export function noneRunsError(blocked: ReadonlyArray<Extract<Verdict, { status: "cannot" }>>): LabError {
  const first = blocked[0]!;
  const others =
    blocked.length > 1 ? ` (nor can ${blocked.length === 2 ? "the other one" : `the ${blocked.length - 1} others`}: \`mesos-lab doctor\` says why)` : "";
  return new LabError(first.kind, `no exercise of this run can run here: ${first.exercise} cannot, ${first.reason}${others}`, first.fix);
}
