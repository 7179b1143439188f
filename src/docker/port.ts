import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import Docker from "dockerode";
import { pack } from "tar-fs";
import { LabError } from "../util/errors.js";
import { engineError, errorText, isConnectionError, statusOf, tolerate, unreachable } from "./engine-errors.js";
import { skewWithin } from "./clock-skew.js";
import { publishHostOf } from "./engine-host.js";
import { followLogs, type LogFollow } from "./log-follow.js";
import { FrameReader } from "./log-frames.js";
import { RUNTIME_QUIRKS, runtimeOf, type PingHeaders, type RuntimeName } from "./runtime.js";
import type { ContainerSpec, ContainerState, EngineInfo, Owned, PlacedFile, PullProgress } from "./types.js";

export type { LogFollow } from "./log-follow.js";

/**
 * The docker port: the only module that talks to the container engine (Docker, or Podman through its Docker-compatible
 * API). The engine, CLI and tests go through it, so every container, network and volume is created with the caller's
 * labels and removed by label filter only. Every engine call goes through `guard`, so a lost engine is the same
 * "unreachable" error in every method.
 */

/** Runs one engine call, translating its failure (engine-errors.ts). */
async function guard<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw engineError(err);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export class DockerPort {
  readonly docker: Docker;
  private skewMs = 0;
  private runtimeName?: Promise<RuntimeName>;

  constructor(docker?: Docker) {
    this.docker = docker ?? new Docker();
  }

  /** Which runtime answers the Docker API (asked once). */
  runtime(): Promise<RuntimeName> {
    this.runtimeName ??= this.ping().then(
      (h) => runtimeOf(h),
      (err: unknown) => {
        this.runtimeName = undefined;
        throw err;
      },
    );
    return this.runtimeName;
  }

  /** The headers of /_ping: the runtime and the API level, in milliseconds. */
  private ping(): Promise<PingHeaders> {
    const opts = { path: "/_ping", method: "GET", isStream: true, statusCodes: { 200: true, 500: "server error" } };
    return guard(
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

  /** Fails with a one-line LabError when the engine does not answer within `timeoutMs`. */
  async info(timeoutMs = 5_000): Promise<EngineInfo> {
    const t0 = Date.now();
    let raw: Record<string, unknown>;
    let ping: PingHeaders;
    try {
      [raw, ping] = await withTimeout(Promise.all([this.docker.info() as Promise<Record<string, unknown>>, this.ping()]), timeoutMs, () =>
        Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "ETIMEDOUT" }),
      );
    } catch (err) {
      throw err instanceof LabError ? err : unreachable(err);
    }
    this.skewMs = skewWithin(Date.parse(String(raw.SystemTime ?? "")), t0, Date.now());
    const runtime = runtimeOf(ping);
    this.runtimeName = Promise.resolve(runtime);
    return {
      runtime,
      // Podman's ServerVersion is its own (4.3.1), not the Docker release it emulates
      serverVersion: String(raw.ServerVersion ?? "?"),
      apiVersion: String(ping["api-version"] ?? "?"),
      os: String(raw.OSType ?? "linux"),
      arch: String(raw.Architecture ?? "?"),
      cgroupVersion: String(raw.CgroupVersion ?? "1"),
      cgroupDriver: String(raw.CgroupDriver ?? "?"),
      clockSkewMs: this.skewMs,
      publishHost: publishHostOf(process.env.DOCKER_HOST),
    };
  }

  // ---------------------------------------------------------------- images

  /** The image's platform, or undefined when it is not present locally. */
  async imageInspect(ref: string): Promise<{ id: string; arch: string; os: string; labels: Record<string, string>; user: string } | undefined> {
    const i = (await guard(() => this.docker.getImage(ref).inspect().catch(tolerate(404)))) as
      | { Id: string; Architecture: string; Os: string; Config?: { Labels?: Record<string, string> | null; User?: string } }
      | undefined;
    return i && { id: i.Id, arch: i.Architecture, os: i.Os, labels: i.Config?.Labels ?? {}, user: i.Config?.User ?? "" };
  }

  /**
   * Pulls `ref`, reporting Docker's progress vocabulary. A failure the engine reports inside the progress stream
   * (Podman answers 200 and then `{"error": …}` for an unreachable registry; Docker does so for one that fails
   * mid-pull) fails the pull. Podman sends no closing "Status:" line, so the port adds Docker's.
   */
  async pull(ref: string, onProgress: (p: PullProgress) => void, timeoutMs: number): Promise<void> {
    const run = async () => {
      const stream = (await this.docker.pull(ref)) as Readable;
      let failure: string | undefined;
      let closed = false;
      await new Promise<void>((resolve, reject) => {
        this.docker.modem.followProgress(
          stream,
          (err: Error | null) => (err ? reject(err) : failure ? reject(new Error(failure)) : resolve()),
          (ev: { id?: string; status?: string; progressDetail?: { current?: number; total?: number }; error?: string }) => {
            if (ev.error) return void (failure ??= ev.error);
            if (/^Status: /.test(ev.status ?? "")) closed = true;
            // "Pulling from <repo>" carries the tag as its id: it is not a layer
            const layer = ev.id && !/^Pulling from /.test(ev.status ?? "") ? ev.id : undefined;
            onProgress({ image: ref, layer, status: ev.status ?? "", current: ev.progressDetail?.current, total: ev.progressDetail?.total });
          },
        );
      });
      // only missing images are pulled (lab/images.ts), so what arrived is newer
      if (!closed) onProgress({ image: ref, status: `Status: Downloaded newer image for ${ref}` });
    };
    try {
      await withTimeout(run(), timeoutMs, () => new Error(`pull did not finish within ${Math.round(timeoutMs / 1000)} s`));
    } catch (err) {
      // a connection error to the *daemon* (not the registry) means the engine itself went away
      if (isConnectionError(err) && !/registry|lookup/.test(errorText(err))) throw unreachable(err);
      throw new LabError(
        "imageMissing",
        `Could not pull ${ref}: ${errorText(err).split("\n")[0]}`,
        "Check the registry is reachable (or run `mesos-lab bundle import <file>` with an offline bundle) and retry `mesos-lab pull`.",
        { cause: err },
      );
    }
  }

  /** `docker save` of several images as one tar stream. */
  async saveImages(refs: string[]): Promise<Readable> {
    // docker-modem builds the query from `options` (an array repeats `names=`); a query written into `path` by
    // hand loses its last character when `options` is empty
    const opts = {
      path: "/images/get?",
      options: { names: refs },
      method: "GET",
      isStream: true,
      statusCodes: { 200: true, 404: "no such image", 500: "server error" },
    };
    return guard(
      () =>
        new Promise<Readable>((resolve, reject) => {
          this.docker.modem.dial(opts, (err: Error | null, stream: unknown) => (err ? reject(err) : resolve(stream as Readable)));
        }),
    );
  }

  /** `docker load` of a tar stream; resolves with the loaded image references. */
  async loadImages(tar: Readable): Promise<string[]> {
    const chunks: Buffer[] = [];
    await guard(async () => {
      const out = (await this.docker.loadImage(tar, { quiet: true })) as Readable;
      for await (const c of out) chunks.push(Buffer.from(c as Buffer));
    });
    const loaded: string[] = [];
    for (const line of Buffer.concat(chunks).toString("utf8").split("\n")) {
      if (!line.trim()) continue;
      const msg = JSON.parse(line) as { stream?: string; error?: string };
      if (msg.error) throw new Error(msg.error);
      const m = /Loaded image(?: ID)?: (\S+)/.exec(msg.stream ?? "");
      if (m?.[1]) loaded.push(m[1]);
    }
    return loaded;
  }

  // ---------------------------------------------------------------- networks

  async networkSubnetsInUse(): Promise<string[]> {
    const nets = (await guard(() => this.docker.listNetworks())) as Array<{ IPAM?: { Config?: Array<{ Subnet?: string }> | null } }>;
    return nets.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? "")).filter(Boolean);
  }

  /** Creates a bridge network; with subnet 'auto' it takes the first free 10.213.N.0/24, retrying on overlap races. */
  async createNetwork(name: string, subnet: string, labels: Record<string, string>): Promise<{ id: string; name: string; subnet: string }> {
    const candidates: string[] = [];
    if (subnet === "auto") {
      const used = new Set(await this.networkSubnetsInUse());
      const start = process.pid % 200;
      for (let i = 0; i < 250; i++) {
        const s = `10.213.${(start + i) % 250}.0/24`;
        if (!used.has(s)) candidates.push(s);
      }
    } else candidates.push(subnet);
    let lastErr: unknown;
    for (const s of candidates.slice(0, 25)) {
      const gateway = s.replace(/0\/24$/, "1");
      try {
        const n = await this.docker.createNetwork({
          Name: name,
          Driver: "bridge",
          CheckDuplicate: true,
          Labels: labels,
          IPAM: { Driver: "default", Config: [{ Subnet: s, Gateway: gateway }] },
        });
        return { id: n.id, name, subnet: s };
      } catch (err) {
        lastErr = engineError(err);
        if (lastErr instanceof LabError) throw lastErr;
        if (subnet !== "auto" || !/overlap|already/i.test(errorText(err))) break;
      }
    }
    throw new LabError(
      "config",
      `Could not create the lab network ${name}: ${errorText(lastErr)}`,
      subnet === "auto"
        ? "Remove unused Docker networks (`docker network prune`) and retry."
        : `Choose another network.subnet in lab.config.ts (${subnet} is taken).`,
      { cause: lastErr },
    );
  }

  async removeNetwork(id: string): Promise<void> {
    await guard(() => this.docker.getNetwork(id).remove().catch(tolerate(404)));
  }

  // ---------------------------------------------------------------- containers

  /** Creates (does not start) a container and copies its files in, so the process finds them at first start. */
  async createContainer(spec: ContainerSpec): Promise<string> {
    const exposed: Record<string, object> = {};
    const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
    for (const [cport, hport] of Object.entries(spec.publish ?? {})) {
      exposed[`${cport}/tcp`] = {};
      bindings[`${cport}/tcp`] = [{ HostIp: "127.0.0.1", HostPort: hport ? String(hport) : "" }];
    }
    const body: Docker.ContainerCreateOptions = {
      name: spec.name,
      Image: spec.image,
      Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      Labels: spec.labels,
      Hostname: spec.hostNetwork ? undefined : spec.hostname,
      ExposedPorts: spec.hostNetwork ? undefined : exposed,
      HostConfig: {
        NetworkMode: spec.hostNetwork ? "host" : spec.network?.name,
        PortBindings: spec.hostNetwork ? undefined : bindings,
        Privileged: spec.privileged ?? false,
        CapAdd: spec.capAdd,
        SecurityOpt: spec.securityOpt,
        Init: spec.init ?? false,
        AutoRemove: false,
      },
      NetworkingConfig:
        spec.network && !spec.hostNetwork
          ? {
              EndpointsConfig: {
                [spec.network.name]: { IPAMConfig: spec.network.ip ? { IPv4Address: spec.network.ip } : undefined, Aliases: spec.network.aliases },
              },
            }
          : undefined,
    };
    if (spec.entrypoint) body.Entrypoint = spec.entrypoint;
    if (spec.cmd) body.Cmd = spec.cmd;
    if (RUNTIME_QUIRKS[await this.runtime()].rootNeedsGroupAdd && /^(|root|0)(:(root|0))?$/.test((await this.imageInspect(spec.image))?.user ?? "-"))
      body.HostConfig!.GroupAdd = ["0"];
    let id: string;
    try {
      id = (await this.docker.createContainer(body)).id;
    } catch (err) {
      if (statusOf(err) === 404 && /image/i.test(errorText(err)))
        throw new LabError(
          "imageMissing",
          `Image ${spec.image} is not present on the Docker engine.`,
          "Run `mesos-lab pull` (or `mesos-lab bundle import <file>` offline) first.",
          { cause: err },
        );
      throw engineError(err);
    }
    if (spec.files?.length) await this.putFiles(id, spec.files);
    return id;
  }

  /** Copies files into a container with putArchive: no bind mounts, so nothing root-owned lands on the host. */
  async putFiles(id: string, files: PlacedFile[]): Promise<void> {
    const stage = await mkdtemp(path.join(os.tmpdir(), "mesos-lab-files-"));
    try {
      const entries: string[] = [];
      const modes = new Map<string, number>();
      for (const f of files) {
        const rel = f.path.replace(/^\/+/, "");
        const abs = path.join(stage, rel);
        await mkdir(path.dirname(abs), { recursive: true, mode: 0o700 });
        await writeFile(abs, f.content, { mode: 0o600 });
        entries.push(rel);
        modes.set(rel, f.mode);
      }
      const tar = pack(stage, {
        entries,
        map: (h) => ({ ...h, uid: 0, gid: 0, mode: modes.get(h.name) ?? h.mode }),
      });
      await guard(() => this.docker.getContainer(id).putArchive(tar as unknown as NodeJS.ReadableStream, { path: "/" }));
    } finally {
      await rm(stage, { recursive: true, force: true });
    }
  }

  async start(id: string, image?: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (err) {
      const text = errorText(err);
      const port = /(?:Bind for [\d.]+:|0\.0\.0\.0:|127\.0\.0\.1:)(\d+)(?: failed)?.*(?:already allocated|address already in use)/.exec(text)?.[1];
      if (port || /address already in use|port is already allocated/.test(text))
        throw new LabError(
          "portTaken",
          `Host port ${port ?? "?"} is already in use, so ${image ?? "the container"} cannot publish it.`,
          `Stop what listens on port ${port ?? "that port"}, or set another port under \`ports\` in lab.config.ts (0 picks a free one).`,
          { cause: err },
        );
      throw engineError(err);
    }
  }

  async inspect(id: string): Promise<ContainerState | undefined> {
    const c = (await guard(() => this.docker.getContainer(id).inspect().catch(tolerate(404)))) as
      | {
          Id: string;
          Name: string;
          State: { Running: boolean; ExitCode: number; StartedAt?: string; FinishedAt?: string; OOMKilled?: boolean; Status?: string };
          Config: { Labels?: Record<string, string>; Env?: string[] };
          NetworkSettings: { Ports?: Record<string, Array<{ HostPort: string }> | null> };
        }
      | undefined;
    if (!c) return undefined;
    const ports: Record<number, number> = {};
    for (const [k, v] of Object.entries(c.NetworkSettings.Ports ?? {})) if (v?.[0]) ports[parseInt(k, 10)] = parseInt(v[0].HostPort, 10);
    const neverStarted = c.State.Status === "created";
    return {
      id: c.Id,
      name: c.Name.replace(/^\//, ""),
      running: c.State.Running,
      exitCode: c.State.Running || neverStarted ? null : c.State.ExitCode,
      ports,
      labels: c.Config.Labels ?? {},
      env: Object.fromEntries((c.Config.Env ?? []).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)])),
      startedAt: c.State.StartedAt,
      finishedAt: c.State.FinishedAt,
      oomKilled: c.State.OOMKilled,
    };
  }

  /** Resolves with the exit code when the container stops. */
  async wait(id: string): Promise<number> {
    const r = (await guard(() => this.docker.getContainer(id).wait())) as { StatusCode: number };
    return r.StatusCode;
  }

  /** 404: gone; 409: not running; 304: already stopped. */
  async kill(id: string, signal = "SIGKILL"): Promise<void> {
    await guard(() =>
      this.docker
        .getContainer(id)
        .kill({ signal })
        .catch(tolerate(404, 409, 304)),
    );
  }

  async stop(id: string, graceSeconds = 2): Promise<void> {
    await guard(() => this.docker.getContainer(id).stop({ t: graceSeconds }).catch(tolerate(404, 304)));
  }

  /** 409: removal already in progress. */
  async remove(id: string): Promise<void> {
    await guard(() => this.docker.getContainer(id).remove({ force: true, v: true }).catch(tolerate(404, 409)));
  }

  /** Follows stdout+stderr from `sinceMs` (local clock), split into lines with their timestamps (log-follow.ts). */
  async follow(id: string, sinceMs = 0): Promise<LogFollow> {
    const { lossyFollow } = RUNTIME_QUIRKS[await this.runtime()];
    return guard(() => followLogs(this.docker.getContainer(id), { sinceMs, skewMs: this.skewMs, lossyFollow }));
  }

  /** Runs a command in a running container and collects its output. */
  async exec(id: string, cmd: string[], timeoutMs = 15_000): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    const ex = await guard(() => this.docker.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true }));
    const stream = (await guard(() => ex.start({ hijack: true, stdin: false }))) as Readable;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const frames = new FrameReader((s, payload) => (s === "stderr" ? err : out).push(payload));
    stream.on("data", (c: Buffer) => frames.push(c));
    await withTimeout(
      new Promise<void>((resolve) => {
        stream.on("end", resolve);
        stream.on("close", resolve);
      }),
      timeoutMs,
      () => new Error(`exec ${cmd.join(" ")} did not finish within ${timeoutMs} ms`),
    ).catch((er) => {
      stream.destroy();
      throw er;
    });
    const info = await guard(() => ex.inspect());
    return { exitCode: info.ExitCode ?? -1, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
  }

  // ---------------------------------------------------------------- ownership

  /** Everything carrying all of `filters` (label=value strings); never anything without the managed label. */
  async listOwned(filters: string[]): Promise<Owned[]> {
    if (!filters.some((f) => f.startsWith("io.mesos-lab.managed=true"))) throw new Error("refusing to list without the managed label filter");
    const label = { label: filters };
    const [cs, ns, vs] = await guard(() =>
      Promise.all([
        this.docker.listContainers({ all: true, filters: label }),
        this.docker.listNetworks({ filters: label }),
        this.docker.listVolumes({ filters: label }),
      ]),
    );
    return [
      ...cs.map((c) => ({ id: c.Id, name: (c.Names[0] ?? c.Id).replace(/^\//, ""), kind: "container" as const, labels: c.Labels ?? {} })),
      ...ns.map((n) => ({ id: n.Id, name: n.Name, kind: "network" as const, labels: (n.Labels as Record<string, string>) ?? {} })),
      ...(vs.Volumes ?? []).map((v) => ({ id: v.Name, name: v.Name, kind: "volume" as const, labels: v.Labels ?? {} })),
    ];
  }

  /** Removes what `listOwned(filters)` returns: containers first, then the networks they were on, then volumes. */
  async removeOwned(items: Owned[]): Promise<number> {
    const containers = items.filter((i) => i.kind === "container");
    await Promise.all(containers.map((c) => this.remove(c.id)));
    for (const n of items.filter((i) => i.kind === "network")) await this.removeNetwork(n.id);
    for (const v of items.filter((i) => i.kind === "volume")) await guard(() => this.docker.getVolume(v.id).remove().catch(tolerate(404)));
    return items.length;
  }
}

/** True when something on this machine already listens on 127.0.0.1:port. */
export function localPortInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(true));
    srv.listen({ port, host: "127.0.0.1", exclusive: true }, () => srv.close(() => resolve(false)));
  });
}
