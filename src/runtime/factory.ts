import type { ContainerRuntime } from "./container-runtime.js";
import { DockerApiRuntime } from "./docker-api/runtime.js";
import { EngineConnection } from "./docker-api/connection.js";
import { AUTO_ENGINE, type EngineSettings, resolveEngineHost } from "./engine-host.js";

export interface RuntimeOptions {
  /** lab.config.ts `engine`: the runtime expected and, optionally, its address. */
  engine?: EngineSettings;
  /** Read for DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH and the sockets' locations. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The container runtime the lab runs on. The address comes from DOCKER_HOST, else `engine.host`, else the first engine
 * socket found (engine-host.ts). Docker and Podman both answer the Docker API, so both are driven by the Docker-API
 * implementation, which reads from /_ping which of the two it talks to and follows that one's dialect; a runtime
 * named in the config that is not the one answering fails as a config error.
 */
export function createRuntime(opts: RuntimeOptions = {}): ContainerRuntime {
  const env = opts.env ?? process.env;
  const engine = opts.engine ?? AUTO_ENGINE;
  const host = resolveEngineHost(engine, env);
  return new DockerApiRuntime(new EngineConnection(host, engine.runtime, env));
}
