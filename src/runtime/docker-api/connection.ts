import { readFileSync } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import Docker from "dockerode";
import { LabError } from "../../util/errors.js";
import { type EngineHost, publishHostOf } from "../engine-host.js";
import { RUNTIME_TITLE, type EngineInfo, type RuntimeName } from "../types.js";
import { skewWithin } from "./clock-skew.js";
import { type PingHeaders, RUNTIME_QUIRKS, type RuntimeQuirks, rootlessOf, runtimeOf } from "./dialect.js";
import { engineError, unreachable } from "./engine-errors.js";

/**
 * One engine behind the Docker API, shared by the runtime's clients: the dockerode client (which never leaves
 * src/runtime/docker-api/), the address, which dialect answers, and the daemon's clock skew. Every engine call goes
 * through `guard`, so a lost engine is the same "unreachable" error in every client.
 */
export class EngineConnection {
  readonly docker: Docker;
  skewMs = 0;
  private dialect?: Promise<RuntimeName>;

  constructor(
    readonly host: EngineHost,
    /** The runtime lab.config.ts expects ("auto": whichever answers). */
    private readonly expected: RuntimeName | "auto",
    env: NodeJS.ProcessEnv,
  ) {
    this.docker = new Docker(clientOptions(host, env));
  }

  /** Runs one engine call, translating its failure (engine-errors.ts). */
  async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw engineError(err, this.host);
    }
  }

  /** Which runtime answers the Docker API (asked once). */
  name(): Promise<RuntimeName> {
    this.dialect ??= this.ping().then(
      (h) => this.checked(runtimeOf(h)),
      (err: unknown) => {
        this.dialect = undefined;
        throw err;
      },
    );
    return this.dialect;
  }

  async quirks(): Promise<RuntimeQuirks> {
    return RUNTIME_QUIRKS[await this.name()];
  }

  /** The headers of /_ping: the runtime and the API level, in milliseconds. */
  private ping(): Promise<PingHeaders> {
    const opts = { path: "/_ping", method: "GET", isStream: true, statusCodes: { 200: true, 500: "server error" } };
    return this.guard(
      () =>
        new Promise<PingHeaders>((resolve, reject) => {
          this.docker.modem.dial(opts, (err: Error | null, res: unknown) => {
            if (err) return reject(err);
            const r = res as Readable & { headers: PingHeaders };
            r.resume();
            resolve(r.headers);
          });
        }),
    );
  }

  /** A runtime other than the configured one is a config error: the lab would be run by an engine nobody chose. */
  private checked(found: RuntimeName): RuntimeName {
    if (this.expected !== "auto" && found !== this.expected)
      throw new LabError(
        "config",
        `lab.config.ts sets engine.runtime to "${this.expected}", but ${RUNTIME_TITLE[found]} answers at ${this.host.url}.`,
        `Point DOCKER_HOST (or engine.host) at ${RUNTIME_TITLE[this.expected]}'s socket, or set engine.runtime to "auto" or "${found}".`,
      );
    return found;
  }

  /**
   * A dead engine fails at once (ENOENT, ECONNREFUSED); the deadline is for one that accepted the connection and
   * does not answer. Podman computes /info from its storage and took over 3 s on a loaded 2-core machine, so the
   * deadline is generous: a hung engine is rare, a busy one is common.
   */
  async info(timeoutMs = 15_000): Promise<EngineInfo> {
    const t0 = Date.now();
    let raw: Record<string, unknown>;
    let ping: PingHeaders;
    try {
      [raw, ping] = await withTimeout(Promise.all([this.docker.info() as Promise<Record<string, unknown>>, this.ping()]), timeoutMs, () =>
        Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "ETIMEDOUT" }),
      );
    } catch (err) {
      throw err instanceof LabError ? err : unreachable(err, this.host);
    }
    this.skewMs = skewWithin(Date.parse(String(raw.SystemTime ?? "")), t0, Date.now());
    const runtime = this.checked(runtimeOf(ping));
    this.dialect = Promise.resolve(runtime);
    return {
      runtime,
      // Podman's ServerVersion is its own (4.3.1), not the Docker release it emulates
      serverVersion: String(raw.ServerVersion ?? "?"),
      apiVersion: String(ping["api-version"] ?? "?"),
      os: String(raw.OSType ?? "linux"),
      arch: String(raw.Architecture ?? "?"),
      cgroupVersion: String(raw.CgroupVersion ?? "1"),
      cgroupDriver: String(raw.CgroupDriver ?? "?"),
      rootless: rootlessOf(raw),
      clockSkewMs: this.skewMs,
      publishHost: publishHostOf(this.host.url),
    };
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * dockerode's options for an address, read as docker-modem reads DOCKER_HOST (TLS from DOCKER_TLS_VERIFY, port 2376
 * and DOCKER_CERT_PATH), but from the resolved address, so that engine.host and a found socket work the same way.
 */
function clientOptions(host: EngineHost, env: NodeJS.ProcessEnv): Docker.DockerOptions {
  if (host.url.startsWith("unix://")) return { socketPath: host.url.slice("unix://".length) };
  if (host.url.startsWith("npipe://")) return { socketPath: host.url.slice("npipe://".length) || "//./pipe/docker_engine" };
  const u = new URL(host.url.includes("//") ? host.url : `tcp://${host.url}`);
  if (u.protocol === "ssh:") return { protocol: "ssh", host: u.hostname, port: u.port || 22, username: u.username, sshOptions: { agent: env.SSH_AUTH_SOCK } };
  const tls = env.DOCKER_TLS_VERIFY === "1" || u.port === "2376" || u.protocol === "https:";
  const certs = env.DOCKER_CERT_PATH;
  return {
    protocol: tls ? "https" : "http",
    host: u.hostname,
    port: u.port || (tls ? 2376 : 2375),
    ...(certs && {
      ca: readFileSync(path.join(certs, "ca.pem")),
      cert: readFileSync(path.join(certs, "cert.pem")),
      key: readFileSync(path.join(certs, "key.pem")),
    }),
  };
}
