import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { localPortInUse } from "../util/local-port.js";
import { LABEL, labelFilter } from "../runtime/labels.js";
import type { EngineHost, HostSource } from "../runtime/engine-host.js";
import { type EngineInfo, RUNTIME_TITLE } from "../runtime/types.js";
import { isLabError } from "../util/errors.js";
import type { Exercise } from "../model/exercise.js";
import type { DoctorCheck } from "./doctor-check.js";
import { MISSING_IMAGE_FIX, verdictCheck } from "./exercise-verdicts.js";
import { hostVerdicts } from "./host-verdicts.js";
import { mesosImageRoles, probeAgentCapabilities, probeMesosImage, probeZooKeeper } from "./image-probes.js";
import { imageStatus } from "./images.js";
import { type Session, simulatedFreezer } from "./session.js";

const GOARCH: Record<string, string> = { x86_64: "amd64", amd64: "amd64", aarch64: "arm64", arm64: "arm64" };

const HOST_SOURCE: Record<HostSource, string> = { env: " (DOCKER_HOST)", config: " (engine.host in lab.config.ts)", found: "", default: "" };

/**
 * Which runtime answers, its own version, and where: "Podman 4.3.1 (Docker-compatible API 1.41) at unix://…"; a
 * rootless engine says so after its version, since its containers get no privilege on the host.
 */
export function engineDetail(
  engine: Pick<EngineInfo, "runtime" | "serverVersion" | "apiVersion"> & Partial<Pick<EngineInfo, "rootless">>,
  host: EngineHost,
): string {
  const api = engine.runtime === "docker" ? `API ${engine.apiVersion}` : `Docker-compatible API ${engine.apiVersion}`;
  return `${RUNTIME_TITLE[engine.runtime]} ${engine.serverVersion}${engine.rootless ? " rootless" : ""} (${api}) at ${host.url}${HOST_SOURCE[host.source]}`;
}

/**
 * Preflight for a room of laptops: everything `up`/`verify` will need, then one line per exercise of `exercises` (the
 * lab's catalogue): it runs here, or why not and the fix (exercise-verdicts.ts), recorded for `list`. The only
 * containers it starts are throw-away probes of the configured images (see image-probes.ts).
 */
export async function runDoctor(s: Session, exercises?: Exercise[]): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const major = parseInt(process.versions.node.split(".")[0]!, 10);
  checks.push(
    major >= 20
      ? { name: "node", status: "ok", detail: `Node ${process.versions.node}` }
      : { name: "node", status: "fail", detail: `Node ${process.versions.node} is too old`, fix: "Install Node 20 or newer." },
  );

  let engine: Awaited<ReturnType<typeof s.engine>>;
  try {
    engine = await s.engine();
  } catch (err) {
    if (!isLabError(err)) throw err;
    checks.push({ name: "engine", status: "fail", detail: err.message, fix: err.fix, exitCode: err.exitCode });
    return checks;
  }
  checks.push({ name: "engine", status: "ok", detail: engineDetail(engine, s.runtime.host) });
  checks.push({
    name: "cgroups",
    status: "ok",
    detail: `cgroup v${engine.cgroupVersion} (${engine.cgroupDriver})${engine.cgroupVersion === "2" ? ": agents run with MESOS_LAUNCHER=posix, which works without the v1 freezer; the capabilities mode mounts a freezer hierarchy of its own" : ""}${s.simulatedCgroup ? ` (simulated by MESOS_LAB_TEST_CGROUP_VERSION=${s.simulatedCgroup}, a test seam: the engine's own answer is ignored)` : ""}`,
  });

  const engineArch = GOARCH[engine.arch] ?? engine.arch;
  const status = await imageStatus(s.runtime, s.config);
  for (const img of status) {
    if (!img.present) checks.push({ name: `image ${img.image}`, status: "fail", detail: "not present on this engine", fix: MISSING_IMAGE_FIX });
    else if (img.arch && img.arch !== engineArch)
      checks.push({
        name: `image ${img.image}`,
        status: "warn",
        detail: `built for ${img.arch}, engine is ${engineArch}: it runs under emulation, slowly if at all`,
        fix: "Use an engine of the image's architecture, or enable emulation (binfmt/qemu).",
      });
    else checks.push({ name: `image ${img.image}`, status: "ok", detail: `present (${img.arch ?? "?"})` });
  }
  // what is inside the images that are here: the programs the lab starts, the Mesos release, a serving ZooKeeper
  const present = new Set(status.filter((i) => i.present).map((i) => i.image));
  const probes = [...mesosImageRoles(s.config)]
    .filter(([image]) => present.has(image))
    .map(([image, roles]) => probeMesosImage(s.runtime, s.labId, image, roles, s.config.profile));
  if (present.has(s.config.images.zk)) probes.push(probeZooKeeper(s.runtime, s.labId, s.config.images.zk, engine.publishHost));
  // a rootless engine is answered from its info, without the agent image
  const capabilities =
    present.has(s.config.images.agent) || engine.rootless
      ? probeAgentCapabilities(s.runtime, s.labId, s.config.images.agent, engine, { simulated: simulatedFreezer(s.simulatedCgroup) })
      : Promise.resolve<DoctorCheck[]>([
          { name: "agent capabilities mode", status: "warn", detail: "not checked: the agent image is not on this engine (see above)" },
        ]);
  const capabilityChecks = await capabilities;
  checks.push(...(await Promise.all(probes)), ...capabilityChecks);

  // a port this lab's own cluster holds is no conflict: the next run replaces that cluster and takes the port back
  const own = await portsOfThisLab(s);
  const held = (p: number) => ({ name: `port ${p}`, status: "ok" as const, detail: `held by this lab's ${own.get(p)} (mesos-lab down frees it)` });
  if (engine.publishHost === "127.0.0.1" && s.config.network.mode === "bridge") {
    for (const [what, p] of Object.entries({ master: s.config.ports.master, agent: s.config.ports.agent, exhibitor: s.config.ports.exhibitor })) {
      if (!p) continue;
      checks.push(
        own.has(p)
          ? held(p)
          : (await localPortInUse(p))
            ? {
                name: `port ${p}`,
                status: "warn",
                detail: `in use: \`mesos-lab up\` and the TUI publish the ${what} UI on a free port instead`,
                fix: `Free port ${p}, or set ports.${what} in lab.config.ts to choose another (0 = any free port).`,
              }
            : { name: `port ${p}`, status: "ok", detail: `free for the ${what} UI` },
      );
    }
  } else if (s.config.network.mode === "host") {
    for (const p of [2181, 5050, 5051, 8080])
      checks.push(
        own.has(p)
          ? held(p)
          : (await localPortInUse(p))
            ? { name: `port ${p}`, status: "fail", detail: "in use, and host networking needs it", fix: `Free port ${p}, or use network.mode 'bridge'.` }
            : { name: `port ${p}`, status: "ok", detail: "free" },
      );
  }

  const ssl = path.resolve(s.config.root, s.config.material.ssl, "ca.pem");
  if (!existsSync(ssl))
    checks.push({ name: "lab material", status: "warn", detail: "not generated yet (made on first run)", fix: "Run `mesos-lab ssl` to make it now." });
  else {
    const key = path.resolve(s.config.root, s.config.material.ssl, "ca-key.pem");
    const mode = existsSync(key) ? statSync(key).mode & 0o777 : 0;
    checks.push(
      mode === 0o600
        ? { name: "lab material", status: "ok", detail: `CA and keys in ${s.config.material.ssl}/ (keys 0600)` }
        : {
            name: "lab material",
            status: "fail",
            detail: `ca-key.pem has mode ${mode.toString(8)}`,
            fix: "Run `mesos-lab ssl --force` to regenerate with safe modes.",
          },
    );
  }

  if (exercises?.length) {
    const { verdicts } = await hostVerdicts(s, exercises, { by: "doctor", pullable: false, images: status, capabilities: capabilityChecks });
    checks.push(...exercises.map((ex, i) => verdictCheck(ex, verdicts[i]!)));
  }
  return checks;
}

/** Host port → the role of this lab's container that publishes it (in host mode: the ports its roles listen on). */
async function portsOfThisLab(s: Session): Promise<Map<number, string>> {
  const own = new Map<number, string>();
  const containers = (await s.runtime.owned.list(labelFilter({ lab: s.labId })).catch(() => [])).filter((i) => i.kind === "container");
  const HOST_MODE_PORTS: Record<string, number[]> = { zk: [2181, 8080], master: [5050], agent: [5051] };
  for (const c of containers) {
    const role = c.labels[LABEL.role] ?? "container";
    if (s.config.network.mode === "host") for (const p of HOST_MODE_PORTS[role] ?? []) own.set(p, role);
    const st = await s.runtime.containers.inspect(c.id).catch(() => undefined);
    for (const host of Object.values(st?.ports ?? {})) own.set(host, role === "zk" ? "ZooKeeper" : `${role} UI`);
  }
  return own;
}
