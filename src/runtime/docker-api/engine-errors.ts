import { LabError } from "../../util/errors.js";
import type { EngineHost } from "../engine-host.js";

/**
 * The one place engine errors are translated. Every call of the Docker-API runtime goes through `engineError`, so a lost or
 * missing engine is the same one-line "unreachable" LabError whichever method met it (the CLI maps it to exit 5).
 */

export type EngineErrorLike = Error & { code?: string; statusCode?: number; reason?: string; json?: { message?: string } };

const CONNECTION_CODES = new Set(["ENOENT", "ECONNREFUSED", "EACCES", "ECONNRESET", "EHOSTUNREACH", "ETIMEDOUT", "ENOTFOUND", "EPIPE"]);

/** A failure to reach the engine itself; an engine's HTTP answer (which carries a status code) never is one. */
export function isConnectionError(err: unknown): boolean {
  const e = err as EngineErrorLike | undefined;
  return !!e && e.statusCode === undefined && CONNECTION_CODES.has(e.code ?? "");
}

export function statusOf(err: unknown): number | undefined {
  return (err as EngineErrorLike | undefined)?.statusCode;
}

/** The engine's own message: Docker and Podman put it in the JSON body; dockerode's wrapper text comes last. */
export function errorText(err: unknown): string {
  const e = err as EngineErrorLike;
  return e.json?.message ?? e.reason ?? e.message ?? String(err);
}

const DEFAULT_FIX =
  "Start Docker (`sudo systemctl start docker`, Docker Desktop, or `dockerd &`) or point DOCKER_HOST at a running engine (Podman: `podman system service --time=0 unix:///run/podman/podman.sock &` and DOCKER_HOST=unix:///run/podman/podman.sock), then run `mesos-lab doctor`.";

/** Where the engine was looked for, and the setting that changes it. */
function whereAndFix(host: EngineHost): { where: string; fix: string } {
  switch (host.source) {
    case "env":
      return {
        where: `${host.url}, the address DOCKER_HOST names`,
        fix: `Start Docker, or Podman's API service (\`podman system service --time=0 ${host.url} &\`), so that it listens at DOCKER_HOST, or unset DOCKER_HOST to use the default socket; then run \`mesos-lab doctor\`.`,
      };
    case "config":
      return {
        where: `${host.url}, the address engine.host in lab.config.ts names`,
        fix: "Start the engine so that it listens there, or correct or remove engine.host in lab.config.ts (DOCKER_HOST also overrides it); then run `mesos-lab doctor`.",
      };
    default:
      return { where: host.url, fix: DEFAULT_FIX };
  }
}

export function unreachable(err: unknown, host: EngineHost): LabError {
  const e = err as EngineErrorLike;
  const why = e.code ?? e.message?.split("\n")[0] ?? String(err);
  const { where, fix } = whereAndFix(host);
  return new LabError("dockerUnreachable", `Docker engine unreachable at ${where} (${why}).`, fix, { cause: err });
}

/**
 * An engine that answers but cannot run containers as configured, with the setting that fixes it. Both are Podman's
 * (Debian's podman 4.3 without catatonit, or with its default nofile limit above the machine's hard limit); they fail
 * every container, so they count as an unusable engine (exit 5), not as a lab error.
 */
function engineSetupError(err: unknown): LabError | undefined {
  const text = errorText(err);
  if (/error setting rlimit type 7/.test(text))
    return new LabError(
      "dockerUnreachable",
      `The container engine cannot start containers: its default open-files limit (nofile) is above this machine's hard limit (${text.split("\n")[0]}).`,
      "For Podman: add `default_ulimits = []` under `[containers]` in /etc/containers/containers.conf (rootless: ~/.config/containers/containers.conf), restart `podman system service`, then run `mesos-lab doctor`.",
      { cause: err },
    );
  if (/container-init binary not found/.test(text))
    return new LabError(
      "dockerUnreachable",
      `The container engine cannot start containers with an init process (${text.split("\n")[0]}).`,
      "For Podman: install catatonit (`apt-get install catatonit`), or set `init_path` under `[containers]` in containers.conf to an init such as /usr/bin/tini-static, then run `mesos-lab doctor`.",
      { cause: err },
    );
  return undefined;
}

/**
 * What a caller should see for an engine error: the unreachable error for a connection failure, a setup error with
 * its fix, else the error itself.
 */
export function engineError(err: unknown, host: EngineHost): unknown {
  if (err instanceof LabError) return err;
  return isConnectionError(err) ? unreachable(err, host) : (engineSetupError(err) ?? err);
}

/** A catch handler that treats the listed HTTP statuses as "already so" (e.g. 404 on remove) and rethrows the rest. */
export function tolerate(...statuses: number[]): (err: unknown) => undefined {
  return (err) => {
    const s = statusOf(err);
    if (s !== undefined && statuses.includes(s)) return undefined;
    throw err;
  };
}
