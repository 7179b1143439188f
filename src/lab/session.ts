import path from "node:path";
import { loadConfig } from "../config/load.js";
import type { LabConfig } from "../config/schema.js";
import type { ContainerRuntime } from "../runtime/container-runtime.js";
import { createRuntime } from "../runtime/factory.js";
import type { EngineInfo } from "../runtime/types.js";
import type { Material } from "../engine/material.js";
import { ensureLabMaterial } from "../pki/index.js";
import { LabError } from "../util/errors.js";
import { labIdOf } from "./identity.js";
import type { SimulatedFreezer } from "./image-probes.js";

/** What every command needs: the validated config, the container runtime, and (lazily) the lab material. */
export interface Session {
  config: LabConfig;
  runtime: ContainerRuntime;
  labId: string;
  engine(): Promise<EngineInfo>;
  material(opts?: { force?: boolean }): Promise<Material>;
  /** Set when the engine's cgroup version is the test seam's (MESOS_LAB_TEST_CGROUP_VERSION), not the engine's own. */
  simulatedCgroup?: SimulatedCgroup;
}

/**
 * TEST SEAM, read here only: `MESOS_LAB_TEST_CGROUP_VERSION=2` makes the engine's info say cgroup v2 whatever the
 * engine reports, so that the tests show, on a cgroup-v1 machine, what a cgroup-v2-only host gets: the agent
 * capabilities mode's probe takes the mode's own-hierarchy way (a cgroup-v1 freezer hierarchy of its own,
 * agent-capabilities.ts), for real on this machine, and every front end gives the verdicts that follow
 * (exercise-verdicts.ts). `2-no-v1` is a cgroup-v2 host whose kernel refuses cgroup-v1 hierarchies
 * (cgroup_no_v1=all), which no test machine here is: the probe's result is injected, the wrapper's own refusal.
 * Nothing else reads the cgroup version, so the clusters themselves run as on the real engine. "1", "2", "2-no-v1".
 */
export const TEST_CGROUP_VERSION = "MESOS_LAB_TEST_CGROUP_VERSION";

export type SimulatedCgroup = "1" | "2" | "2-no-v1";

export function testCgroupVersion(env: NodeJS.ProcessEnv = process.env): SimulatedCgroup | undefined {
  const v = env[TEST_CGROUP_VERSION];
  return v === "1" || v === "2" || v === "2-no-v1" ? v : undefined;
}

/** What the probe simulates for the seam's value (image-probes.ts). */
export function simulatedFreezer(v: SimulatedCgroup | undefined): SimulatedFreezer | undefined {
  return v === "2" ? "own" : v === "2-no-v1" ? "refused" : undefined;
}

export async function openSession(opts: { cwd?: string; configFile?: string } = {}): Promise<Session> {
  const config = await loadConfig({ cwd: opts.cwd, file: opts.configFile });
  const runtime = createRuntime({ engine: config.engine });
  let info: Promise<EngineInfo> | undefined;
  let material: Promise<Material> | undefined;
  const simulatedCgroup = testCgroupVersion();
  return {
    config,
    runtime,
    labId: labIdOf(config),
    simulatedCgroup,
    engine: () => (info ??= runtime.info().then((i) => (simulatedCgroup ? { ...i, cgroupVersion: simulatedCgroup.slice(0, 1) } : i))),
    material: (o) => {
      if (o?.force || !material) {
        material = ensureLabMaterial({
          sslDir: path.resolve(config.root, config.material.ssl),
          credentialsDir: path.resolve(config.root, config.material.credentials),
          force: o?.force,
        }).catch((err: unknown) => {
          throw new LabError(
            "labMaterial",
            `Could not prepare the lab's certificates and credentials: ${(err as Error).message}`,
            `Check that ${config.material.ssl}/ and ${config.material.credentials}/ are writable, or run \`mesos-lab ssl --force\` to regenerate them.`,
            { cause: err },
          );
        });
      }
      return material!;
    },
  };
}
