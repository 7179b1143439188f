/** Plain data crossing the container runtime interface (container-runtime.ts); no client library's types leak out. */

/** Which engine answers: Docker, or Podman through its Docker-compatible service (`podman system service`). */
export type RuntimeName = "docker" | "podman";

export const RUNTIME_TITLE: Record<RuntimeName, string> = { docker: "Docker", podman: "Podman" };

export interface EngineInfo {
  /** Which engine answers the Docker API at DOCKER_HOST (or the default socket). */
  runtime: RuntimeName;
  /** The runtime's own version (Podman's, not the Docker API level it emulates). */
  serverVersion: string;
  apiVersion: string;
  os: string;
  arch: string;
  cgroupVersion: string;
  cgroupDriver: string;
  /**
   * The engine runs as an unprivileged user, in a user namespace of its own (rootless Podman, rootless Docker): what
   * it grants a container (CAP_SYS_ADMIN included) holds inside that namespace only.
   */
  rootless: boolean;
  /** Daemon clock minus local clock (ms): log timestamps are compared on the daemon's clock. */
  clockSkewMs: number;
  /** Host name the published ports are reachable at. */
  publishHost: string;
}

export interface ImageFacts {
  id: string;
  arch: string;
  os: string;
  labels: Record<string, string>;
  /** The image's configured user ("" for root by default). */
  user: string;
}

export interface PlacedFile {
  path: string;
  content: Buffer | string;
  mode: number;
}

export interface ContainerSpec {
  name: string;
  image: string;
  /** Replaces the image's entrypoint (and with it the image's command); unset keeps the image's own. */
  entrypoint?: string[];
  /** Overrides the image's command (the arguments after the entrypoint). */
  cmd?: string[];
  env: Record<string, string>;
  labels: Record<string, string>;
  /** Network to attach to, with a fixed address and aliases; omitted in host-network mode. */
  network?: { name: string; ip?: string; aliases: string[] };
  /** Name → address lines for the container's /etc/hosts: its peers, found without the engine's DNS server. */
  hosts?: Record<string, string>;
  hostNetwork?: boolean;
  hostname?: string;
  /** Container port → host port on 127.0.0.1 (0 = any free port). */
  publish?: Record<number, number>;
  files?: PlacedFile[];
  privileged?: boolean;
  /** Linux capabilities to add (e.g. SYS_ADMIN for the agent capabilities mode), instead of `privileged`. */
  capAdd?: string[];
  /** Security options, e.g. `seccomp=unconfined`, `apparmor=unconfined`. */
  securityOpt?: string[];
  /** The cgroup namespace: the host's (the agent capabilities mode mounts cgroup-v1 hierarchies) or the engine's default. */
  cgroupns?: "host";
  /** Run an init as PID 1 so signals reach the process (mesos-execute ignores SIGTERM as PID 1). */
  init?: boolean;
}

export interface ContainerState {
  id: string;
  name: string;
  /** The image as the container was created from it (its reference). */
  image?: string;
  running: boolean;
  exitCode: number | null;
  /** Published ports: container port → host port. */
  ports: Record<number, number>;
  labels: Record<string, string>;
  env: Record<string, string>;
  startedAt?: string;
  finishedAt?: string;
  oomKilled?: boolean;
}

export interface LogLine {
  stream: "stdout" | "stderr";
  text: string;
  /** Daemon timestamp in ms since the epoch (local clock, skew removed). */
  ts: number;
}

export interface PullProgress {
  image: string;
  layer?: string;
  status: string;
  current?: number;
  total?: number;
}

export interface Owned {
  id: string;
  name: string;
  kind: "container" | "network" | "volume";
  labels: Record<string, string>;
  /** A network's IPv4 subnet (`10.213.4.0/24`), where it has one. */
  subnet?: string;
}
