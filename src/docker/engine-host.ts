/**
 * Where the container engine is: DOCKER_HOST when set (a Podman socket, rootless Docker, a remote engine), otherwise
 * Docker's default socket. dockerode reads DOCKER_HOST itself; this module only names the address for messages and
 * for the few places that need the socket path or the host published ports are reached at.
 */

export const DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";

export interface EngineHost {
  url: string;
  /** True when the address came from DOCKER_HOST (messages then name the variable, so users know where to look). */
  fromEnv: boolean;
}

export function engineHost(env: NodeJS.ProcessEnv = process.env): EngineHost {
  return env.DOCKER_HOST ? { url: env.DOCKER_HOST, fromEnv: true } : { url: DEFAULT_DOCKER_HOST, fromEnv: false };
}

/** The engine's unix socket path, or undefined for a tcp:// (or other) DOCKER_HOST. */
export function engineSocketPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { url } = engineHost(env);
  return url.startsWith("unix://") ? url.slice("unix://".length) : undefined;
}

/** Host name the published ports are reachable at: localhost for a local socket, the engine's host for tcp://. */
export function publishHostOf(dockerHost: string | undefined): string {
  if (!dockerHost || dockerHost.startsWith("unix:") || dockerHost.startsWith("npipe:")) return "127.0.0.1";
  try {
    const u = new URL(dockerHost);
    return u.hostname || "127.0.0.1";
  } catch {
    return "127.0.0.1";
  }
}
