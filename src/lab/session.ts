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

/** What every command needs: the validated config, the container runtime, and (lazily) the lab material. */
export interface Session {
  config: LabConfig;
  runtime: ContainerRuntime;
  labId: string;
  engine(): Promise<EngineInfo>;
  material(opts?: { force?: boolean }): Promise<Material>;
}

export async function openSession(opts: { cwd?: string; configFile?: string } = {}): Promise<Session> {
  const config = await loadConfig({ cwd: opts.cwd, file: opts.configFile });
  const runtime = createRuntime({ engine: config.engine });
  let info: Promise<EngineInfo> | undefined;
  let material: Promise<Material> | undefined;
  return {
    config,
    runtime,
    labId: labIdOf(config),
    engine: () => (info ??= runtime.info()),
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
