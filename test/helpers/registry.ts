import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import Docker from "dockerode";
import { ensureBusybox } from "./docker.js";
import { sleep } from "./wait.js";

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
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ok = await fetch(`http://${host}/v2/`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`docker-registry did not answer on ${host}: ${stderr.slice(-1000)}`);
    }
    await sleep(100);
  }
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
