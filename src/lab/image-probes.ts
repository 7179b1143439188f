import { runToEnd } from "../runtime/run-to-end.js";
import { randomBytes } from "node:crypto";
import type { LabConfig } from "../config/schema.js";
import { runLabels } from "../runtime/labels.js";
import type { ContainerRuntime } from "../runtime/container-runtime.js";
import {
  CAPABILITIES_LABEL,
  CAPABILITIES_SPEC,
  capabilitiesEntrypoint,
  capabilitiesEnv,
  RELEASE_SCRIPT,
  releaseNestedCgroups,
  PRIVATE_CGROUPNS,
  PRIVATE_CGROUPNS_FIX,
} from "../engine/agent-capabilities.js";
import { fourLetterWord } from "../engine/http.js";
import { ZK_SERVING } from "../engine/wait.js";
import { ROLE_PROGRAM, type Role } from "../model/roles.js";
import type { DoctorCheck } from "./doctor-check.js";
import { CAPABILITIES_FIX, NO_V1_REASON, ROOTLESS_FIX, ROOTLESS_REASON } from "./exercise-verdicts.js";

/**
 * `doctor` looks inside the configured images: does each Mesos image have the programs the lab starts in it, which
 * Mesos release is it, and does the ZooKeeper image serve. Each probe runs in a throw-away container labelled as this
 * lab's, removed right after.
 */

type MesosRole = Exclude<Role, "zk">;
const whitelisted = /is not executed because it is not in the whitelist/;

async function throwaway<T>(
  runtime: ContainerRuntime,
  labId: string,
  image: string,
  opts: { entrypoint?: string[]; publish?: Record<number, number>; ownNetwork?: boolean },
  use: (id: string) => Promise<T>,
): Promise<T> {
  const identity = { lab: labId, run: `doctor-${randomBytes(3).toString("hex")}` };
  const name = `mesos-lab-${identity.run}`;
  const labels = runLabels(identity);
  // a network of its own, with a fixed address, as a lab container gets: what the lab's readiness reaches through a
  // published port is then reached the same way (on rootless Podman the default network's port forwarding reset every
  // srvr of one doctor run for 45 s, while the lab's own networks have never failed to)
  const net = opts.ownNetwork ? await runtime.networks.create(name, "auto", labels) : undefined;
  try {
    const id = await runtime.containers.create({
      name,
      image,
      entrypoint: opts.entrypoint,
      cmd: opts.entrypoint ? [] : undefined,
      env: {},
      labels,
      publish: opts.publish,
      ...(net ? { network: { name: net.name, ip: net.subnet.replace(/0\/24$/, "2"), aliases: [] } } : {}),
    });
    try {
      await runtime.containers.start(id, image);
      return await use(id);
    } finally {
      await runtime.containers.remove(id).catch(() => undefined);
    }
  } finally {
    if (net) await runtime.networks.remove(net.id).catch(() => undefined);
  }
}

/** The programs of the roles an image serves, and the version `mesos-master`/`mesos-agent` reports. */
export async function probeMesosImage(
  runtime: ContainerRuntime,
  labId: string,
  image: string,
  roles: MesosRole[],
  profile: LabConfig["profile"],
): Promise<DoctorCheck> {
  const programs = roles.map((r) => ROLE_PROGRAM[r]);
  const versionOf = roles.includes("master") ? "mesos-master" : roles.includes("agent") ? "mesos-agent" : undefined;
  const script = [
    ...programs.map((p) => `command -v ${p} >/dev/null || echo "missing ${p}"`),
    versionOf ? `${versionOf} --version 2>&1 | head -n 1` : "true",
  ].join("; ");
  const name = `image ${image} (${roles.join(", ")})`;
  try {
    const out = await throwaway(runtime, labId, image, { entrypoint: ["sh", "-c", "sleep 60"] }, (id) => runtime.exec.run(id, ["sh", "-c", script], 15_000));
    const lines = `${out.stdout}\n${out.stderr}`
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean);
    const missing = lines.filter((l) => l.startsWith("missing ")).map((l) => l.slice(8));
    if (missing.length)
      return {
        name,
        status: "fail",
        detail: `${missing.join(", ")} not on the image's PATH`,
        fix: `Use an image with Mesos installed on the PATH for ${roles.join(", ")} (images.${roles[0]} in lab.config.ts); the lab starts ${programs.join(", ")} itself, so the image's own entrypoint does not matter.`,
      };
    const version = lines.map((l) => /^mesos (\d+\.\d+)(\.\d+)?/.exec(l)).find(Boolean);
    if (!version)
      return {
        name,
        status: versionOf ? "warn" : "ok",
        detail: `${programs.join(", ")} present${versionOf ? `; ${versionOf} --version printed no version` : ""}`,
      };
    const same = version[1] === profile;
    return same
      ? { name, status: "ok", detail: `${programs.join(", ")} present; mesos ${version[1]}${version[2] ?? ""}` }
      : {
          name,
          status: "warn",
          detail: `mesos ${version[1]}${version[2] ?? ""}, but the profile is ${profile}: expectations are written for ${profile}`,
          fix: `Set profile: "${version[1]}" in lab.config.ts if there is one for it, or use a ${profile} image.`,
        };
  } catch (err) {
    return {
      name,
      status: "fail",
      detail: `could not run it: ${(err as Error).message.split("\n")[0]}`,
      fix: "Check the image reference, or pull it again (`mesos-lab pull`).",
    };
  }
}

/**
 * Starts the ZooKeeper image with its own command and asks `srvr` (the word the lab's readiness uses) and `ruok`.
 * ZooKeeper 3.5+ answers `ruok` only when its 4lw whitelist names it: that is normal, not a fault.
 */
export async function probeZooKeeper(runtime: ContainerRuntime, labId: string, image: string, host: string, deadlineMs = 45_000): Promise<DoctorCheck> {
  const name = `image ${image} (zk)`;
  try {
    return await throwaway(runtime, labId, image, { publish: { 2181: 0 }, ownNetwork: true }, async (id) => {
      const p = (await runtime.containers.inspect(id))?.ports[2181];
      if (!p) throw new Error("ZooKeeper's port 2181 was not published");
      const until = Date.now() + deadlineMs;
      let last = "";
      while (Date.now() < until) {
        const st = await runtime.containers.inspect(id);
        if (st && !st.running)
          return {
            name,
            status: "fail" as const,
            detail: `the container exited with code ${st.exitCode} before ZooKeeper served`,
            fix: "Run it by hand (`docker run --rm <image>`) to see why, or use another ZooKeeper image (images.zk).",
          };
        const srvr = await fourLetterWord(host, p, "srvr", 1000).catch((e: Error) => `(${e.message})`);
        if (ZK_SERVING.test(srvr)) {
          const version = /^Zookeeper version: ([\d.]+)/m.exec(srvr)?.[1] ?? "?";
          const ruok = await fourLetterWord(host, p, "ruok", 1000).catch(() => "");
          const words =
            ruok === "imok"
              ? "ruok and srvr answered"
              : whitelisted.test(ruok)
                ? "srvr answered; ruok is not in its four-letter-word whitelist (ZooKeeper 3.5+ default), which is fine: the lab asks srvr"
                : `srvr answered; ruok got '${ruok}'`;
          return { name, status: "ok" as const, detail: `ZooKeeper ${version} serves (${srvr.match(ZK_SERVING)![0]}); ${words}` };
        }
        if (whitelisted.test(srvr))
          return {
            name,
            status: "fail" as const,
            detail: "ZooKeeper answers, but 'srvr' is not in its 4lw whitelist",
            fix: "Add srvr to 4lw.commands.whitelist (ZOO_4LW_COMMANDS_WHITELIST=srvr,ruok for the official image): the lab's readiness check asks srvr.",
          };
        last = srvr.split("\n")[0] ?? "";
        await new Promise((r) => setTimeout(r, 500));
      }
      return {
        name,
        status: "fail" as const,
        detail: `ZooKeeper did not serve within ${deadlineMs / 1000} s${last ? ` (srvr: ${last})` : ""}`,
        fix: "Run the image by hand to see its log, or use another ZooKeeper image (images.zk).",
      };
    });
  } catch (err) {
    return {
      name,
      status: "fail",
      detail: `could not run it: ${(err as Error).message.split("\n")[0]}`,
      fix: "Check the image reference, or pull it again (`mesos-lab pull`).",
    };
  }
}

/** Which Mesos roles each configured image serves (one image may serve all three). */
export function mesosImageRoles(config: Pick<LabConfig, "images">): Map<string, MesosRole[]> {
  const out = new Map<string, MesosRole[]>();
  for (const r of ["master", "agent", "execute"] as const) out.set(config.images[r], [...(out.get(config.images[r]) ?? []), r]);
  return out;
}

/**
 * What the capabilities mode's probe prints after the mode's own wrapper ran: Mesos' cgroups root can be created and
 * removed in the freezer hierarchy the wrapper mounted, and whether the kernel has /proc/sysrq-trigger.
 */
const CAPABILITIES_PROBE = [
  `root="$LAB_FREEZER_HIERARCHY/$MESOS_CGROUPS_ROOT/mesos-lab-doctor"`,
  `if mkdir -p "$root" && rmdir "$root"; then echo "probe: nested cgroup ok"; else echo "probe: cannot create a cgroup under $MESOS_CGROUPS_ROOT"; fi`,
  `if [ -e /proc/sysrq-trigger ]; then echo "probe: sysrq yes"; else echo "probe: sysrq no"; fi`,
  // the container exits right after, where no exec can reach it: on a hierarchy of its own, Mesos' root goes now
  RELEASE_SCRIPT,
].join("\n");

/**
 * What the session's test seam simulates (session.ts): `own`, a cgroup-v2 host, where the probe takes the mode's
 * own-hierarchy way (on this cgroup-v1 machine too, for real); `refused`, a cgroup-v2 host whose kernel refuses
 * cgroup-v1 hierarchies, whose probe result is injected: the wrapper's own refusal, without a container.
 */
export type SimulatedFreezer = "own" | "refused";

/**
 * `doctor` for the agent capabilities mode (src/engine/agent-capabilities.ts): a throw-away container of the agent
 * image in the mode, through the mode's own wrapper: is CAP_SYS_ADMIN granted, does a freezer hierarchy mount
 * read-write (the host's cgroup-v1 one, or on cgroup v2 one of its own), can Mesos' cgroups root be made there. A
 * rootless engine is answered from its info. Also says whether the kernel has /proc/sysrq-trigger, without which the
 * filesystem/linux isolator cannot start a task with a container image (nested-container sessions without an image
 * do not need it).
 */
export async function probeAgentCapabilities(
  runtime: ContainerRuntime,
  labId: string,
  image: string,
  engine: { cgroupVersion: string; rootless?: boolean },
  o: { deadlineMs?: number; simulated?: SimulatedFreezer } = {},
): Promise<DoctorCheck[]> {
  const name = "agent capabilities mode";
  const deadlineMs = o.deadlineMs ?? 30_000;
  if (engine.rootless) return [{ name, status: "warn", detail: `not available: ${ROOTLESS_REASON}`, fix: ROOTLESS_FIX }];
  if (o.simulated === "refused") return [{ name, status: "warn", detail: `not available: ${NO_V1_REASON}`, fix: CAPABILITIES_FIX }];
  const identity = { lab: labId, run: `doctor-${randomBytes(3).toString("hex")}` };
  const containerName = `mesos-lab-${identity.run}`;
  const spec = {
    name: containerName,
    image,
    entrypoint: capabilitiesEntrypoint(["/bin/sh", "-c", CAPABILITIES_PROBE]),
    cmd: [],
    env: { ...capabilitiesEnv(labId, containerName), ...(o.simulated === "own" ? { LAB_AGENT_FREEZER: "own" } : {}) },
    labels: runLabels(identity, { [CAPABILITIES_LABEL]: "true" }),
    ...CAPABILITIES_SPEC,
  };
  try {
    const { code, lines } = await runToEnd(runtime, spec, {
      timeoutMs: deadlineMs,
      timeoutText: `the probe did not finish within ${deadlineMs / 1000} s`,
      createFailed: (err) => new Error(`could not create a container with CAP_SYS_ADMIN and seccomp/AppArmor unconfined: ${err.message.split("\n")[0]}`),
      dispose: async (id) => {
        // the probe's script released its own cgroups; a probe stopped by the deadline has not
        if ((await runtime.containers.inspect(id).catch(() => undefined))?.running) await releaseNestedCgroups(runtime, id).catch(() => undefined);
        await runtime.containers.remove(id);
      },
    });
    const refused = lines.map((l) => /the agent capabilities mode is not available here: (.*)/.exec(l)?.[1]).find(Boolean);
    if (refused?.startsWith(PRIVATE_CGROUPNS)) return [{ name, status: "warn", detail: `not available: ${PRIVATE_CGROUPNS}`, fix: PRIVATE_CGROUPNS_FIX }];
    if (refused) return [{ name, status: "warn", detail: `not available: ${refused}`, fix: CAPABILITIES_FIX }];
    const root = lines.map((l) => /MESOS_CGROUPS_ROOT=(\S+)/.exec(l)?.[1]).find(Boolean);
    const ownHierarchy = lines.some((l) => l.includes("a freezer hierarchy of its own mounted"));
    if (code !== 0 || !lines.includes("probe: nested cgroup ok"))
      return [
        {
          name,
          status: "warn",
          detail: `not available: ${lines.find((l) => l.startsWith("probe: cannot")) ?? `the probe exited with code ${code}: ${lines.slice(-2).join(" / ") || "no output"}`}`,
          fix: CAPABILITIES_FIX,
        },
      ];
    const sysrq = lines.includes("probe: sysrq yes");
    return [
      {
        name,
        status: "ok",
        detail: ownHierarchy
          ? `available: cgroup v${engine.cgroupVersion}, CAP_SYS_ADMIN granted, a cgroup-v1 freezer hierarchy of its own mounts read-write in the agent container and Mesos' cgroups go under a root of this lab's, removed with it (MESOS_CGROUPS_ROOT=${root ?? "?"})`
          : `available: cgroup v1, CAP_SYS_ADMIN granted, the freezer hierarchy remounts read-write and Mesos' cgroups nest in the agent container's own (MESOS_CGROUPS_ROOT=${root ?? "?"})`,
      },
      sysrq
        ? { name: "/proc/sysrq-trigger", status: "ok", detail: "present: under filesystem/linux the agent can also start tasks with a container image" }
        : {
            name: "/proc/sysrq-trigger",
            status: "warn",
            detail:
              "missing on this kernel (CONFIG_MAGIC_SYSRQ off): under the filesystem/linux isolator a task WITH a container image fails ('Failed to create mount target …/proc/sysrq-trigger'); nested-container sessions without an image (exercise 11) do not need it",
            fix: "Use a kernel with CONFIG_MAGIC_SYSRQ (stock distribution kernels have it) to run tasks with images.",
          },
    ];
  } catch (err) {
    return [{ name, status: "warn", detail: `not available: ${(err as Error).message.split("\n")[0]}`, fix: CAPABILITIES_FIX }];
  }
}
