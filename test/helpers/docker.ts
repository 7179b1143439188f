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
 *
 * A busy engine is not a missing one: a Podman service on a loaded 2-core machine took more than 3 s to answer /info
 * (a clean-clone CI run failed here that way), and an engine that .ci/run just started may still refuse connections.
 * So a slow answer is waited for, and under CI a refused connection (an engine starting or restarting) is asked again
 * for up to ENGINE_PROBE_MS. No socket at all is no engine, at once: a CI run without one fails fast.
 */
export const ENGINE_PROBE_MS = 120_000;

export async function engineAvailable(): Promise<boolean> {
  const ci = process.env.CI === "true" || process.env.CI === "1";
  const end = Date.now() + (ci ? ENGINE_PROBE_MS : 20_000);
  let last: Error | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      await createRuntime().info(Math.max(5_000, Math.min(30_000, end - Date.now())));
      return true;
    } catch (err) {
      last = err as Error;
      const code = (last.cause as { code?: string } | undefined)?.code;
      const absent = code === "ENOENT" || (code === "ECONNREFUSED" && !ci);
      if (absent || Date.now() >= end) break;
      await new Promise((r) => setTimeout(r, Math.min(5_000, 500 * attempt)));
    }
  }
  if (ci)
    throw new Error(
      `CI=true but no Docker engine answers (${last?.message}); .ci/run must start dockerd (or the Podman service DOCKER_HOST names) before the tests`,
    );
  return false;
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
