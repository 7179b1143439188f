import type { LogClient, LogFollow } from "../container-runtime.js";
import type { EngineConnection } from "./connection.js";
import { followLogs } from "./log-follow.js";

export class DockerApiLogs implements LogClient {
  constructor(private readonly c: EngineConnection) {}

  /** Split into lines with their timestamps on the local clock (log-follow.ts); Podman's lossy follow is worked around. */
  async follow(id: string, sinceMs = 0): Promise<LogFollow> {
    const { lossyFollow } = await this.c.quirks();
    return this.c.guard(() => followLogs(this.c.docker.getContainer(id), { sinceMs, skewMs: this.c.skewMs, lossyFollow }));
  }
}
