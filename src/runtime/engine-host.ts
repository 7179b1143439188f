import { statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { RuntimeName } from "./types.js";

/**
 * Where the container engine is. DOCKER_HOST wins (a Podman socket, rootless Docker, a remote engine: what every
 * Docker-API tool honours), then `engine.host` in lab.config.ts, then the first engine socket found on this machine
 * (Docker's, rootless Docker's, then Podman's, rootful and rootless), then Docker's default socket, so that a machine
 * with no engine at all gets the message that names it.
 */

export const DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";

/** How the address was chosen; a message about an unreachable engine names the setting to change. */
export type HostSource = "env" | "config" | "found" | "default";

export interface EngineHost {
  url: string;
  source: HostSource;
}

/** lab.config.ts `engine`: which runtime the lab expects ("auto": whichever answers) and, optionally, where. */
export interface EngineSettings {
  runtime: RuntimeName | "auto";
  host?: string;
}

export const AUTO_ENGINE: EngineSettings = { runtime: "auto" };

/** The usual sockets of each runtime on Linux and macOS, most common first. */
export function knownSockets(runtime: RuntimeName, env: NodeJS.ProcessEnv = process.env): string[] {
  const xdg = env.XDG_RUNTIME_DIR;
  const home = env.HOME ?? os.homedir();
  const sockets =
    runtime === "docker"
      ? ["/var/run/docker.sock", xdg && path.join(xdg, "docker.sock"), path.join(home, ".docker/run/docker.sock")]
      : ["/run/podman/podman.sock", xdg && path.join(xdg, "podman/podman.sock")];
  return sockets.filter((s): s is string => !!s);
}

function isSocket(p: string): boolean {
  try {
    return statSync(p).isSocket();
  } catch {
    return false;
  }
}

export function resolveEngineHost(
  settings: EngineSettings = AUTO_ENGINE,
  env: NodeJS.ProcessEnv = process.env,
  socketExists: (p: string) => boolean = isSocket,
): EngineHost {
  if (env.DOCKER_HOST) return { url: env.DOCKER_HOST, source: "env" };
  if (settings.host) return { url: settings.host, source: "config" };
  const runtimes: RuntimeName[] = settings.runtime === "auto" ? ["docker", "podman"] : [settings.runtime];
  for (const r of runtimes) {
    const found = knownSockets(r, env).find(socketExists);
    if (found) return { url: `unix://${found}`, source: "found" };
  }
  return { url: settings.runtime === "podman" ? `unix://${knownSockets("podman", env)[0]}` : DEFAULT_DOCKER_HOST, source: "default" };
}

/** The engine's unix socket path, or undefined for a tcp:// (or other) address. */
export function socketPathOf(host: EngineHost): string | undefined {
  return host.url.startsWith("unix://") ? host.url.slice("unix://".length) : undefined;
}

/** Host name the published ports are reachable at: localhost for a local socket, the engine's host for tcp://. */
export function publishHostOf(url: string | undefined): string {
  if (!url || url.startsWith("unix:") || url.startsWith("npipe:")) return "127.0.0.1";
  try {
    return new URL(url).hostname || "127.0.0.1";
  } catch {
    return "127.0.0.1";
  }
}
