import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type Docker from "dockerode";
import { pack } from "tar-fs";
import { LabError } from "../../util/errors.js";
import type { ContainerClient, ImageClient } from "../container-runtime.js";
import type { ContainerSpec, ContainerState, PlacedFile } from "../types.js";
import type { EngineConnection } from "./connection.js";
import { engineError, errorText, statusOf, tolerate } from "./engine-errors.js";

export class DockerApiContainers implements ContainerClient {
  constructor(
    private readonly c: EngineConnection,
    private readonly images: ImageClient,
  ) {}

  private container(id: string): Docker.Container {
    return this.c.docker.getContainer(id);
  }

  async create(spec: ContainerSpec): Promise<string> {
    const exposed: Record<string, object> = {};
    const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
    for (const [cport, hport] of Object.entries(spec.publish ?? {})) {
      exposed[`${cport}/tcp`] = {};
      bindings[`${cport}/tcp`] = [{ HostIp: "127.0.0.1", HostPort: hport ? String(hport) : "" }];
    }
    const mac = spec.network?.ip && !spec.hostNetwork ? macOf(spec.network.ip) : undefined;
    const body: Docker.ContainerCreateOptions = {
      name: spec.name,
      // API < 1.44 reads the MAC here, 1.44+ and Podman's compat API from the endpoint: both get it
      ...(mac ? { MacAddress: mac } : {}),
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
        // Docker API 1.41 and Podman's compat API; @types/dockerode does not list it
        ...((spec.cgroupns ? { CgroupnsMode: spec.cgroupns } : {}) as object),
        ExtraHosts: spec.hosts && !spec.hostNetwork ? Object.entries(spec.hosts).map(([name, ip]) => `${name}:${ip}`) : undefined,
        Init: spec.init ?? false,
        AutoRemove: false,
      },
      NetworkingConfig:
        spec.network && !spec.hostNetwork
          ? {
              EndpointsConfig: {
                [spec.network.name]: {
                  IPAMConfig: spec.network.ip ? { IPv4Address: spec.network.ip } : undefined,
                  Aliases: spec.network.aliases,
                  ...((mac ? { MacAddress: mac } : {}) as object),
                },
              },
            }
          : undefined,
    };
    if (spec.entrypoint) body.Entrypoint = spec.entrypoint;
    if (spec.cmd) body.Cmd = spec.cmd;
    if ((await this.c.quirks()).rootNeedsGroupAdd && /^(|root|0)(:(root|0))?$/.test((await this.images.inspect(spec.image))?.user ?? "-"))
      body.HostConfig!.GroupAdd = ["0"];
    let id: string;
    try {
      id = (await this.c.docker.createContainer(body)).id;
    } catch (err) {
      if (statusOf(err) === 404 && /image/i.test(errorText(err)))
        throw new LabError(
          "imageMissing",
          `Image ${spec.image} is not present on the Docker engine.`,
          "Run `mesos-lab pull` (or `mesos-lab bundle import <file>` offline) first.",
          { cause: err },
        );
      throw engineError(err, this.c.host);
    }
    if (spec.files?.length) await this.putFiles(id, spec.files);
    return id;
  }

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
      await this.c.guard(() => this.container(id).putArchive(tar as unknown as NodeJS.ReadableStream, { path: "/" }));
    } finally {
      await rm(stage, { recursive: true, force: true });
    }
  }

  /**
   * Starts a container. A fixed address on the lab's network can stay held for a moment after the container that had
   * it ended (rootless Podman frees it in the cleanup process its conmon starts after the exit: exercise 10's replay
   * after a mesos-execute failed so there): such a refusal is retried for up to `settleMs`; a holder that runs on
   * past that is named. A port a process on the host holds is the user's to free, at once.
   */
  async start(id: string, image?: string, settleMs = 15_000): Promise<void> {
    const end = Date.now() + settleMs;
    for (;;) {
      try {
        return void (await this.container(id).start());
      } catch (err) {
        const text = errorText(err);
        const held = addressHeld(text);
        if (held) {
          if (Date.now() < end) {
            await new Promise((r) => setTimeout(r, 200));
            continue;
          }
          throw new LabError(
            "portTaken",
            `The address ${held.ip ?? "this container asks for"} on the lab's network is still held${held.holder ? ` by container ${held.holder.slice(0, 12)}` : ""}, so ${image ?? "the container"} cannot start.`,
            "Run `mesos-lab reset` to remove what the lab left running, then try again.",
            { cause: err },
          );
        }
        const port = /(?:Bind for [\d.]+:|0\.0\.0\.0:|127\.0\.0\.1:)(\d+)(?: failed)?.*(?:already allocated|address already in use)/.exec(text)?.[1];
        if (port || /address already in use|port is already allocated/.test(text))
          throw new LabError(
            "portTaken",
            `Host port ${port ?? "?"} is already in use, so ${image ?? "the container"} cannot publish it.`,
            `Stop what listens on port ${port ?? "that port"}, or set another port under \`ports\` in lab.config.ts (0 picks a free one).`,
            { cause: err },
          );
        throw engineError(err, this.c.host);
      }
    }
  }

  async inspect(id: string): Promise<ContainerState | undefined> {
    const c = (await this.c.guard(() => this.container(id).inspect().catch(tolerate(404)))) as
      | {
          Id: string;
          Name: string;
          State: { Running: boolean; ExitCode: number; StartedAt?: string; FinishedAt?: string; OOMKilled?: boolean; Status?: string };
          Config: { Labels?: Record<string, string>; Env?: string[]; Image?: string };
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
      image: c.Config.Image,
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

  async wait(id: string): Promise<number> {
    const r = (await this.c.guard(() => this.container(id).wait())) as { StatusCode: number };
    return r.StatusCode;
  }

  /** 404: gone; 409: not running; 304: already stopped. */
  async kill(id: string, signal = "SIGKILL"): Promise<void> {
    await this.c.guard(() =>
      this.container(id)
        .kill({ signal })
        .catch(tolerate(404, 409, 304)),
    );
  }

  /** 409: removal already in progress. */
  async remove(id: string): Promise<void> {
    await this.c.guard(() => this.container(id).remove({ force: true, v: true }).catch(tolerate(404, 409)));
  }
}

/**
 * A start refused because the container's fixed address on its network is held: Podman's IPAM names the address and
 * its holder; Docker's says "Address already in use", capitalised and with no port (a port bind failure names one).
 */
export function addressHeld(text: string): { ip?: string; holder?: string } | undefined {
  const podman = /IPAM error: requested ip address (\S+) is already allocated to container ID ([0-9a-f]+)/.exec(text);
  if (podman) return { ip: podman[1], holder: podman[2] };
  if (/\bAddress already in use\b/.test(text) && !/:\d+\b/.test(text)) return {};
  return undefined;
}

/**
 * The MAC a container at `ip` gets: Docker 20.10's own choice (02:42 and the address's four bytes), made explicit.
 * Podman picks a random MAC, so a container re-created at a kept address (the master after a control step) answers
 * at a new MAC while the containers kept running (the attacker) still hold the old one in their ARP cache: their
 * connections time out until the entry goes stale. Seen on rootless Podman 4.3 by hand: the kept container's
 * /proc/net/arp kept c2:9d:fb:52:3b:8f for an address whose new container had 0e:92:a5:c1:d9:26, and curl timed out.
 */
export function macOf(ip: string): string {
  return ["02", "42", ...ip.split(".").map((b) => Number(b).toString(16).padStart(2, "0"))].join(":");
}
