import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { PassThrough, type Readable } from "node:stream";
import Docker from "dockerode";
import { pack } from "tar-fs";
import { LabError } from "../util/errors.js";
import type { ContainerSpec, ContainerState, EngineInfo, LogLine, Owned, PlacedFile, PullProgress } from "./types.js";

/**
 * The docker port: the only module that talks to the Docker engine. The engine, CLI and tests go through it, so every
 * container, network and volume is created with the caller's labels and removed by label filter only.
 */

type ErrnoLike = Error & { code?: string; statusCode?: number; reason?: string; json?: { message?: string } };

function describeDockerHost(): string {
  return process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
}

function publishHostOf(dockerHost: string | undefined): string {
  if (!dockerHost || dockerHost.startsWith("unix:") || dockerHost.startsWith("npipe:")) return "127.0.0.1";
  try {
    const u = new URL(dockerHost);
    return u.hostname || "127.0.0.1";
  } catch {
    return "127.0.0.1";
  }
}

export function unreachable(err: unknown): LabError {
  const e = err as ErrnoLike;
  const why = e.code ?? e.message?.split("\n")[0] ?? String(err);
  return new LabError(
    "dockerUnreachable",
    `Docker engine unreachable at ${describeDockerHost()} (${why}).`,
    "Start Docker (`sudo systemctl start docker`, Docker Desktop, or `dockerd &`) or point DOCKER_HOST at a running engine, then run `mesos-lab doctor`.",
    { cause: err },
  );
}

function isConnectionError(err: unknown): boolean {
  const code = (err as ErrnoLike).code;
  return ["ENOENT", "ECONNREFUSED", "EACCES", "ECONNRESET", "EHOSTUNREACH", "ETIMEDOUT", "ENOTFOUND", "EPIPE"].includes(code ?? "");
}

function errorText(err: unknown): string {
  const e = err as ErrnoLike;
  return e.json?.message ?? e.reason ?? e.message ?? String(err);
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** A followed log stream of one container, split into lines. Ends when the container stops. */
export interface LogFollow {
  onLine(cb: (line: LogLine) => void): void;
  onEnd(cb: () => void): void;
  close(): void;
  readonly ended: boolean;
}

export class DockerPort {
  readonly docker: Docker;
  private skewMs = 0;

  constructor(docker?: Docker) {
    this.docker = docker ?? new Docker();
  }

  /** Fails with a one-line LabError when the engine does not answer within `timeoutMs`. */
  async info(timeoutMs = 5_000): Promise<EngineInfo> {
    const t0 = Date.now();
    let raw: Record<string, unknown>;
    let version: Record<string, unknown>;
    try {
      [raw, version] = await withTimeout(
        Promise.all([this.docker.info() as Promise<Record<string, unknown>>, this.docker.version() as unknown as Promise<Record<string, unknown>>]),
        timeoutMs,
        () => Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "ETIMEDOUT" }),
      );
    } catch (err) {
      throw unreachable(err);
    }
    const daemonNow = Date.parse(String(raw.SystemTime ?? ""));
    this.skewMs = Number.isFinite(daemonNow) ? daemonNow - (t0 + Date.now()) / 2 : 0;
    if (Math.abs(this.skewMs) < 50) this.skewMs = 0;
    return {
      serverVersion: String(version.Version ?? raw.ServerVersion ?? "?"),
      apiVersion: String(version.ApiVersion ?? "?"),
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
  async imageInspect(ref: string): Promise<{ id: string; arch: string; os: string; labels: Record<string, string> } | undefined> {
    try {
      const i = (await this.docker.getImage(ref).inspect()) as { Id: string; Architecture: string; Os: string; Config?: { Labels?: Record<string, string> | null } };
      return { id: i.Id, arch: i.Architecture, os: i.Os, labels: i.Config?.Labels ?? {} };
    } catch (err) {
      if ((err as ErrnoLike).statusCode === 404) return undefined;
      if (isConnectionError(err)) throw unreachable(err);
      throw err;
    }
  }

  async pull(ref: string, onProgress: (p: PullProgress) => void, timeoutMs: number): Promise<void> {
    const run = async () => {
      const stream = (await this.docker.pull(ref)) as Readable;
      await new Promise<void>((resolve, reject) => {
        this.docker.modem.followProgress(
          stream,
          (err: Error | null) => (err ? reject(err) : resolve()),
          (ev: { id?: string; status?: string; progressDetail?: { current?: number; total?: number }; error?: string }) => {
            if (ev.error) return;
            // "Pulling from <repo>" carries the tag as its id: it is not a layer
            const layer = ev.id && !/^Pulling from /.test(ev.status ?? "") ? ev.id : undefined;
            onProgress({ image: ref, layer, status: ev.status ?? "", current: ev.progressDetail?.current, total: ev.progressDetail?.total });
          },
        );
      });
    };
    try {
      await withTimeout(run(), timeoutMs, () => new Error(`pull did not finish within ${Math.round(timeoutMs / 1000)} s`));
    } catch (err) {
      if (isConnectionError(err) && !(errorText(err).includes("registry") || errorText(err).includes("lookup"))) {
        // a connection error to the *daemon* (not the registry) means the engine itself went away
        if (!(err as ErrnoLike).json) throw unreachable(err);
      }
      throw new LabError("imageMissing", `Could not pull ${ref}: ${errorText(err).split("\n")[0]}`, "Check the registry is reachable (or run `mesos-lab bundle import <file>` with an offline bundle) and retry `mesos-lab pull`.", { cause: err });
    }
  }

  /** `docker save` of several images as one tar stream. */
  async saveImages(refs: string[]): Promise<Readable> {
    // docker-modem builds the query from `options` (an array repeats `names=`); a query written into `path` by
    // hand loses its last character when `options` is empty
    const opts = { path: "/images/get?", options: { names: refs }, method: "GET", isStream: true, statusCodes: { 200: true, 404: "no such image", 500: "server error" } };
    return new Promise((resolve, reject) => {
      this.docker.modem.dial(opts, (err: Error | null, stream: unknown) => (err ? reject(err) : resolve(stream as Readable)));
    });
  }

  /** `docker load` of a tar stream; resolves with the loaded image references. */
  async loadImages(tar: Readable): Promise<string[]> {
    const out = (await this.docker.loadImage(tar, { quiet: true })) as Readable;
    const chunks: Buffer[] = [];
    for await (const c of out) chunks.push(Buffer.from(c as Buffer));
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
    const nets = (await this.docker.listNetworks()) as Array<{ IPAM?: { Config?: Array<{ Subnet?: string }> | null } }>;
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
        const n = await this.docker.createNetwork({ Name: name, Driver: "bridge", CheckDuplicate: true, Labels: labels, IPAM: { Driver: "default", Config: [{ Subnet: s, Gateway: gateway }] } });
        return { id: n.id, name, subnet: s };
      } catch (err) {
        lastErr = err;
        if (isConnectionError(err)) throw unreachable(err);
        if (subnet !== "auto" || !/overlap|already/i.test(errorText(err))) break;
      }
    }
    throw new LabError("config", `Could not create the lab network ${name}: ${errorText(lastErr)}`, subnet === "auto" ? "Remove unused Docker networks (`docker network prune`) and retry." : `Choose another network.subnet in lab.config.ts (${subnet} is taken).`, { cause: lastErr });
  }

  async removeNetwork(id: string): Promise<void> {
    try {
      await this.docker.getNetwork(id).remove();
    } catch (err) {
      if ((err as ErrnoLike).statusCode !== 404) throw err;
    }
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
          ? { EndpointsConfig: { [spec.network.name]: { IPAMConfig: spec.network.ip ? { IPv4Address: spec.network.ip } : undefined, Aliases: spec.network.aliases } } }
          : undefined,
    };
    if (spec.entrypoint) body.Entrypoint = spec.entrypoint;
    if (spec.cmd) body.Cmd = spec.cmd;
    let id: string;
    try {
      id = (await this.docker.createContainer(body)).id;
    } catch (err) {
      if (isConnectionError(err)) throw unreachable(err);
      if ((err as ErrnoLike).statusCode === 404 && /image/i.test(errorText(err)))
        throw new LabError("imageMissing", `Image ${spec.image} is not present on the Docker engine.`, "Run `mesos-lab pull` (or `mesos-lab bundle import <file>` offline) first.", { cause: err });
      throw err;
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
      await this.docker.getContainer(id).putArchive(tar as unknown as NodeJS.ReadableStream, { path: "/" });
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
        throw new LabError("portTaken", `Host port ${port ?? "?"} is already in use, so ${image ?? "the container"} cannot publish it.`, `Stop what listens on port ${port ?? "that port"}, or set another port under \`ports\` in lab.config.ts (0 picks a free one).`, { cause: err });
      if (isConnectionError(err)) throw unreachable(err);
      throw err;
    }
  }

  async inspect(id: string): Promise<ContainerState | undefined> {
    try {
      const c = (await this.docker.getContainer(id).inspect()) as {
        Id: string;
        Name: string;
        State: { Running: boolean; ExitCode: number; StartedAt?: string; FinishedAt?: string; OOMKilled?: boolean; Status?: string };
        Config: { Labels?: Record<string, string>; Env?: string[] };
        NetworkSettings: { Ports?: Record<string, Array<{ HostPort: string }> | null> };
      };
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
    } catch (err) {
      if ((err as ErrnoLike).statusCode === 404) return undefined;
      if (isConnectionError(err)) throw unreachable(err);
      throw err;
    }
  }

  /** Resolves with the exit code when the container stops. */
  async wait(id: string): Promise<number> {
    const r = (await this.docker.getContainer(id).wait()) as { StatusCode: number };
    return r.StatusCode;
  }

  async kill(id: string, signal = "SIGKILL"): Promise<void> {
    try {
      await this.docker.getContainer(id).kill({ signal });
    } catch (err) {
      const code = (err as ErrnoLike).statusCode;
      if (code !== 404 && code !== 409 && code !== 304) throw err;
    }
  }

  async stop(id: string, graceSeconds = 2): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: graceSeconds });
    } catch (err) {
      const code = (err as ErrnoLike).statusCode;
      if (code !== 404 && code !== 304) throw err;
    }
  }

  async remove(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      const code = (err as ErrnoLike).statusCode;
      // 409: removal already in progress
      if (code !== 404 && code !== 409) throw err;
    }
  }

  /**
   * Follows stdout+stderr from `sinceMs` (daemon clock), demultiplexed and split into lines with their timestamps.
   * When the follow ends on its own (the container stopped), the log is read once more without follow and any line
   * the follow did not deliver is emitted before the end: the engine's follow can end before the container's last
   * lines are read (seen with Docker 20.10: mesos-execute's final status lines missing while its exit was reported).
   */
  async follow(id: string, sinceMs = 0): Promise<LogFollow> {
    const container = this.docker.getContainer(id);
    const opts = { stdout: true, stderr: true, timestamps: true } as const;
    const raw = (await container.logs({ ...opts, follow: true, since: Math.floor((sinceMs + this.skewMs) / 1000) })) as unknown as Readable;
    const lineCbs: Array<(l: LogLine) => void> = [];
    const endCbs: Array<() => void> = [];
    let ended = false;
    let closed = false;
    const skew = this.skewMs;
    // the lines delivered in the latest second (daemon timestamp in ns + text), so the drain, which reads from that
    // second on, can tell its repeats from its news; older seconds are forgotten to keep a chatty stream's memory flat
    let seen = new Set<string>();
    let lastSecond = Math.floor((sinceMs + skew) / 1000);
    const emit = (streamName: "stdout" | "stderr", rawLine: string) => {
      const sp = rawLine.indexOf(" ");
      const tsText = sp > 0 ? rawLine.slice(0, sp) : "";
      const parsed = Date.parse(tsText.length > 24 ? tsText.slice(0, 23) + "Z" : tsText);
      const second = Number.isFinite(parsed) ? Math.floor(parsed / 1000) : lastSecond;
      if (second > lastSecond) {
        lastSecond = second;
        seen = new Set();
      }
      const key = `${streamName} ${rawLine}`;
      if (second === lastSecond) {
        if (seen.has(key)) return;
        seen.add(key);
      }
      const ts = Number.isFinite(parsed) ? parsed - skew : Date.now();
      const text = Number.isFinite(parsed) ? rawLine.slice(sp + 1) : rawLine;
      if (ts < sinceMs) return;
      for (const cb of lineCbs) cb({ stream: streamName, text: text.replace(/\r$/, ""), ts });
    };
    const split = (streamName: "stdout" | "stderr") => {
      let buf = "";
      const pt = new PassThrough();
      pt.on("data", (chunk: Buffer) => {
        buf += chunk.toString("utf8");
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          emit(streamName, buf.slice(0, nl));
          buf = buf.slice(nl + 1);
        }
      });
      // a last line without a newline still counts once the stream is over
      const flush = () => {
        if (buf.length) emit(streamName, buf);
        buf = "";
      };
      return { pt, flush };
    };
    let current = raw;
    let resumes = 0;
    const attach = (stream: Readable) => {
      const out = split("stdout");
      const err = split("stderr");
      this.docker.modem.demuxStream(stream, out.pt, err.pt);
      let over = false;
      const onOver = () => {
        if (over) return;
        over = true;
        // let the PassThroughs deliver what demux wrote last
        setImmediate(() => {
          out.flush();
          err.flush();
          void afterStream();
        });
      };
      stream.on("end", onOver);
      stream.on("close", onOver);
      stream.on("error", onOver);
    };
    const drain = async () => {
      const all = (await container.logs({ ...opts, follow: false, since: lastSecond })) as unknown as Buffer;
      const dout = split("stdout");
      const derr = split("stderr");
      // a non-follow read answers with the whole multiplexed body at once: docker-modem's demuxStream recurses once
      // per frame within a chunk and overflows the stack on a chatty log, so the frames are walked here
      for (let i = 0; i + 8 <= all.length; ) {
        const size = all.readUInt32BE(i + 4);
        (all[i] === 2 ? derr : dout).pt.write(all.subarray(i + 8, i + 8 + size));
        i += 8 + size;
      }
      await new Promise((r) => setImmediate(r));
      dout.flush();
      derr.flush();
    };
    const end = () => {
      if (ended) return;
      ended = true;
      endCbs.forEach((cb) => cb());
    };
    // A follow that ends while the container still runs is resumed from the last second seen; one that ends with
    // the container is completed by one plain read of the log.
    const afterStream = async () => {
      if (closed) return end();
      const running = await container.inspect().then(
        (i: { State?: { Running?: boolean } }) => !!i.State?.Running,
        () => false,
      );
      if (closed) return end();
      if (running && resumes++ < 50) {
        await new Promise((r) => setTimeout(r, 100));
        try {
          current = (await container.logs({ ...opts, follow: true, since: lastSecond })) as unknown as Readable;
          if (closed) {
            current.destroy();
            return end();
          }
          attach(current);
          return undefined;
        } catch {
          /* gone meanwhile: read what is left */
        }
      }
      await drain().catch(() => undefined);
      return end();
    };
    attach(raw);
    return {
      onLine: (cb) => void lineCbs.push(cb),
      onEnd: (cb) => (ended ? setImmediate(cb) : void endCbs.push(cb)),
      close: () => {
        closed = true;
        current.destroy();
        end();
      },
      get ended() {
        return ended;
      },
    };
  }

  /** Runs a command in a running container and collects its output. */
  async exec(id: string, cmd: string[], timeoutMs = 15_000): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    const ex = await this.docker.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
    const stream = (await ex.start({ hijack: true, stdin: false })) as Readable;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const o = new PassThrough().on("data", (c: Buffer) => out.push(c));
    const e = new PassThrough().on("data", (c: Buffer) => err.push(c));
    this.docker.modem.demuxStream(stream, o, e);
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
    const info = await ex.inspect();
    return { exitCode: info.ExitCode ?? -1, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
  }

  // ---------------------------------------------------------------- ownership

  /** Everything carrying all of `filters` (label=value strings); never anything without the managed label. */
  async listOwned(filters: string[]): Promise<Owned[]> {
    if (!filters.some((f) => f.startsWith("io.mesos-lab.managed=true"))) throw new Error("refusing to list without the managed label filter");
    const label = { label: filters };
    const [cs, ns, vs] = await Promise.all([
      this.docker.listContainers({ all: true, filters: label }),
      this.docker.listNetworks({ filters: label }),
      this.docker.listVolumes({ filters: label }),
    ]).catch((err) => {
      if (isConnectionError(err)) throw unreachable(err);
      throw err;
    });
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
    for (const v of items.filter((i) => i.kind === "volume")) {
      try {
        await this.docker.getVolume(v.id).remove();
      } catch (err) {
        if ((err as ErrnoLike).statusCode !== 404) throw err;
      }
    }
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
