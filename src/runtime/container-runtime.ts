import type { Readable } from "node:stream";
import type { EngineHost } from "./engine-host.js";
import type { ContainerSpec, ContainerState, EngineInfo, ImageFacts, LogLine, Owned, PlacedFile, PullProgress, RuntimeName } from "./types.js";

/**
 * The container runtime as the lab sees it, split by concern the way testcontainers-node splits its client: images,
 * networks, containers, logs, exec and what the lab owns. Only plain data (types.ts) crosses it, so the engine, the
 * CLI and the tests never see the client library behind it, and a runtime with another API could stand in its place.
 * `createRuntime` (factory.ts) picks the implementation and the engine.
 *
 * Every method fails with the same one-line "unreachable" LabError when the engine is gone, and creates nothing
 * without the caller's labels; removal goes by id or by the managed-label filter only.
 */
export interface ContainerRuntime {
  /** Where the engine is and how that address was chosen (messages name the setting to change). */
  readonly host: EngineHost;
  /** Which runtime answers (asked once; a configured runtime that does not answer is a config error). */
  name(): Promise<RuntimeName>;
  /** Fails with a one-line LabError when the engine does not answer within `timeoutMs`. */
  info(timeoutMs?: number): Promise<EngineInfo>;
  readonly images: ImageClient;
  readonly networks: NetworkClient;
  readonly containers: ContainerClient;
  readonly logs: LogClient;
  readonly exec: ExecClient;
  readonly owned: OwnershipClient;
}

export interface ImageClient {
  /** The image's platform, labels and user, or undefined when it is not present locally. */
  inspect(ref: string): Promise<ImageFacts | undefined>;
  /** Pulls `ref`, reporting Docker's progress vocabulary; a failure reported inside the progress fails the pull. */
  pull(ref: string, onProgress: (p: PullProgress) => void, timeoutMs: number): Promise<void>;
  /** `docker save` of several images as one tar stream. */
  save(refs: string[]): Promise<Readable>;
  /** `docker load` of a tar stream; resolves with the loaded image references. */
  load(tar: Readable): Promise<string[]>;
}

export interface NetworkClient {
  /** Creates a bridge network; with subnet 'auto' it takes the first free 10.213.N.0/24, retrying on overlap races. */
  create(name: string, subnet: string, labels: Record<string, string>): Promise<{ id: string; name: string; subnet: string }>;
  /** Waits up to `settleMs` for the endpoints of containers just removed to be released; a network in use fails. */
  remove(id: string, settleMs?: number): Promise<void>;
}

export interface ContainerClient {
  /** Creates (does not start) a container with its files in place, so the process finds them at first start. */
  create(spec: ContainerSpec): Promise<string>;
  /** Copies files into a container (no bind mounts, so nothing root-owned lands on the host). */
  putFiles(id: string, files: PlacedFile[]): Promise<void>;
  /**
   * A published port that is taken fails as `portTaken`, naming the port and the setting; a fixed address on the
   * lab's network still held by a container that ended is waited for (up to `settleMs`), one that stays fails so too.
   */
  start(id: string, image?: string, settleMs?: number): Promise<void>;
  /** Undefined when the container is gone. */
  inspect(id: string): Promise<ContainerState | undefined>;
  /** Resolves with the exit code when the container stops. */
  wait(id: string): Promise<number>;
  /** A container already gone or stopped is not an error. */
  kill(id: string, signal?: string): Promise<void>;
  /** Removes the container and its anonymous volumes; one already gone is not an error. */
  remove(id: string): Promise<void>;
}

/** A followed log stream of one container, split into lines. Ends when the container stops. */
export interface LogFollow {
  onLine(cb: (line: LogLine) => void): void;
  onEnd(cb: () => void): void;
  close(): void;
  readonly ended: boolean;
}

export interface LogClient {
  /** Follows stdout+stderr from `sinceMs` (local clock), complete and in order, with each line's time. */
  follow(id: string, sinceMs?: number): Promise<LogFollow>;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A command started in a running container: its lines as they come, and its exit status once its output ended. */
export interface ExecProcess {
  follow: LogFollow;
  exit: Promise<number>;
}

export interface ExecClient {
  /** Runs a command in a running container and collects its output. */
  run(id: string, cmd: string[], timeoutMs?: number): Promise<ExecResult>;
  /** Starts a command in a running container with exactly `env` added, and follows its output from the first line. */
  start(id: string, cmd: string[], env: Record<string, string>): Promise<ExecProcess>;
}

export interface OwnershipClient {
  /** Everything carrying all of `filters` (label=value strings); refuses a query without the managed label. */
  list(filters: string[]): Promise<Owned[]>;
  /** Removes what `list` returned: containers first, then the networks they were on, then volumes. */
  remove(items: Owned[]): Promise<number>;
}
