import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import Docker from "dockerode";
import { ensureBusybox } from "./docker.js";
import { pollUntil } from "./wait.js";

/**
 * A real registry on loopback: Debian's `docker-registry` (the CNCF distribution server), so pulls go through the
 * engine's own registry client with real layer progress. Docker trusts 127.0.0.0/8 registries without TLS.
 */
export const REGISTRY_BIN = "/usr/bin/docker-registry";

export function registryAvailable(): boolean {
  if (existsSync(REGISTRY_BIN)) return true;
  if (process.env.CI === "true" || process.env.CI === "1") throw new Error(`CI=true but ${REGISTRY_BIN} is missing; .ci/run installs Debian's docker-registry`);
  return false;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Waits until the docker-registry `child` serving `url` answers `GET /v2/` with `status` (200 open, 401 behind a token
 * service), 15 s at most. Otherwise, or once it exits, it is killed and the error says what /v2/ last answered and
 * the end of `stderr`.
 */
export async function registryAnswers(url: string, status: number, child: ChildProcess, stderr = () => ""): Promise<void> {
  const answer = () =>
    fetch(`${url}/v2/`).then(
      (r) => `HTTP ${r.status}`,
      (e: Error) => (e.cause instanceof Error ? e.cause.message : e.message),
    );
  const want = `HTTP ${status}`;
  const said = (last: string) => `${url}/v2/ last answered: ${last}; stderr: ${stderr().slice(-1000)}`;
  try {
    const last = await pollUntil(answer, (a) => a === want || child.exitCode !== null || child.signalCode !== null, {
      timeoutMs: 15_000,
      everyMs: 100,
      failure: (a) => `docker-registry did not answer ${want} within 15 s; ${said(a)}`,
    });
    if (last !== want) throw new Error(`docker-registry exited (${child.exitCode ?? child.signalCode}) before answering ${want}; ${said(last)}`);
  } catch (e) {
    child.kill("SIGKILL");
    throw e;
  }
}

export interface LocalRegistry {
  /** `127.0.0.1:<port>` */
  host: string;
  stop(): Promise<void>;
}

export async function startRegistry(): Promise<LocalRegistry> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mesos-lab-registry-"));
  const port = await freePort();
  const config = path.join(dir, "config.yml");
  writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n  secret: mesos-lab-test\n`,
  );
  const child: ChildProcess = spawn(REGISTRY_BIN, ["serve", config], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const host = `127.0.0.1:${port}`;
  await registryAnswers(`http://${host}`, 200, child, () => stderr);
  return {
    host,
    async stop() {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const follow = (docker: Docker, stream: NodeJS.ReadableStream) =>
  new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(err) : resolve()),
      (ev: { error?: string }) => ev.error && reject(new Error(ev.error)),
    ),
  );

/**
 * Pushes a two-layer image (busybox, then `blobMb` MB of random data so the pull has a layer to report progress on)
 * as `<registry>/mesos-lab-test/pulled:<tag>`, then removes it from the engine so that only the registry has it.
 */
export async function pushTestImage(registry: LocalRegistry, tag: string, blobMb = 8): Promise<string> {
  const docker = new Docker();
  const base = await ensureBusybox();
  const ref = `${registry.host}/mesos-lab-test/pulled:${tag}`;
  const c = await docker.createContainer({
    Image: base,
    Cmd: ["sh", "-c", `head -c ${blobMb * 1_000_000} /dev/urandom > /blob`],
    Labels: { "io.mesos-lab.test": "registry" },
  });
  try {
    await c.start();
    await c.wait();
    const [repo, t] = [ref.slice(0, ref.lastIndexOf(":")), tag];
    await c.commit({ repo, tag: t });
  } finally {
    await c.remove({ force: true });
  }
  const img = docker.getImage(ref);
  // the engine wants an X-Registry-Auth header even for a registry without auth
  await follow(docker, (await img.push({ authconfig: { serveraddress: registry.host } })) as unknown as NodeJS.ReadableStream);
  await img.remove();
  return ref;
}
