import type { ContainerRuntime } from "../container-runtime.js";
import type { EngineHost } from "../engine-host.js";
import type { EngineInfo, RuntimeName } from "../types.js";
import type { EngineConnection } from "./connection.js";
import { DockerApiContainers } from "./containers.js";
import { DockerApiExec } from "./exec.js";
import { DockerApiImages } from "./images.js";
import { DockerApiLogs } from "./logs.js";
import { DockerApiNetworks } from "./networks.js";
import { DockerApiOwnership } from "./ownership.js";

/** The runtime over the Docker API (dockerode): Docker itself, and Podman through its Docker-compatible service. */
export class DockerApiRuntime implements ContainerRuntime {
  readonly images: DockerApiImages;
  readonly networks: DockerApiNetworks;
  readonly containers: DockerApiContainers;
  readonly logs: DockerApiLogs;
  readonly exec: DockerApiExec;
  readonly owned: DockerApiOwnership;

  constructor(private readonly connection: EngineConnection) {
    this.images = new DockerApiImages(connection);
    this.networks = new DockerApiNetworks(connection);
    this.containers = new DockerApiContainers(connection, this.images);
    this.logs = new DockerApiLogs(connection);
    this.exec = new DockerApiExec(connection);
    this.owned = new DockerApiOwnership(connection, this.containers, this.networks);
  }

  get host(): EngineHost {
    return this.connection.host;
  }

  name(): Promise<RuntimeName> {
    return this.connection.name();
  }

  info(timeoutMs?: number): Promise<EngineInfo> {
    return this.connection.info(timeoutMs);
  }
}
