import { readFileSync } from "node:fs";
import Docker from "dockerode";
import tar from "tar-stream";
import { socketPathOf } from "../../src/runtime/engine-host.js";
import { createRuntime } from "../../src/runtime/factory.js";

/**
 * The engine as a test observes it: a dockerode client of its own at the address the product resolves, so a check
 * of what is left on the engine does not go through the code under test.
 */
export function engineClient(): Docker {
  const socketPath = engineSocket();
  return socketPath ? new Docker({ socketPath }) : new Docker();
}

/** The engine's unix socket (DOCKER_HOST's, else the one the product finds), or undefined for a tcp:// engine. */
export function engineSocket(): string | undefined {
  return socketPathOf(createRuntime().host);
}

/**
 * Docker-backed tests run against the real engine. Without one they skip on a laptop, but FAIL in CI:
 * a CI run that silently skipped the engine tests would prove nothing.
 */
export async function engineAvailable(): Promise<boolean> {
  try {
    await createRuntime().info(3000);
    return true;
  } catch (err) {
    if (process.env.CI === "true" || process.env.CI === "1") {
      throw new Error(`CI=true but no Docker engine answers (${(err as Error).message}); .ci/run must start dockerd before the tests`);
    }
    return false;
  }
}

export const hasDocker = await engineAvailable();

export const BUSYBOX = "mesos-lab-test/busybox:1";
const APPLETS = ["sh", "sleep", "echo", "cat", "ls", "env", "nc", "true", "false", "stat", "printf", "seq", "yes", "head", "kill", "hostname", "wget", "httpd"];

/** A busybox image made from Debian's busybox-static, without any registry. */
export async function ensureBusybox(): Promise<string> {
  const docker = engineClient();
  try {
    await docker.getImage(BUSYBOX).inspect();
    return BUSYBOX;
  } catch {
    /* build it */
  }
  const pack = tar.pack();
  pack.entry({ name: "bin/", type: "directory", mode: 0o755 });
  pack.entry({ name: "tmp/", type: "directory", mode: 0o1777 });
  pack.entry({ name: "etc/", type: "directory", mode: 0o755 });
  pack.entry({ name: "etc/passwd", mode: 0o644 }, "root:x:0:0:root:/root:/bin/sh\n");
  pack.entry({ name: "bin/busybox", mode: 0o755 }, readFileSync("/bin/busybox"));
  for (const a of APPLETS) pack.entry({ name: `bin/${a}`, type: "symlink", linkname: "busybox" });
  pack.finalize();
  // the tag goes inside `repo`: Podman's compat API ignores a separate `tag` on import (and tags :latest); Docker takes both
  const stream = await docker.importImage(pack as unknown as NodeJS.ReadableStream, { repo: BUSYBOX, changes: ["ENV PATH=/bin", 'CMD ["sh"]'] } as object);
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())));
  return BUSYBOX;
}
