import { Readable } from "node:stream";
import Docker from "dockerode";
import { describe, expect, it } from "vitest";
import { DockerPort } from "../../src/docker/port.js";

/**
 * One error translator for the whole port: every method that talks to the engine turns a missing engine into the
 * same "unreachable" error (exit 5), not a raw ENOENT. No engine needed: the port points at a socket nobody serves.
 */
const dead = new DockerPort(new Docker({ socketPath: "/tmp/mesos-lab-no-engine-here.sock" }));
const id = "0123456789ab";

const calls: Record<string, () => Promise<unknown>> = {
  info: () => dead.info(1000),
  runtime: () => dead.runtime(),
  imageInspect: () => dead.imageInspect("busybox:1"),
  pull: () => dead.pull("busybox:1", () => undefined, 5000),
  saveImages: () => dead.saveImages(["busybox:1"]),
  loadImages: () => dead.loadImages(Readable.from([Buffer.alloc(512)])),
  networkSubnetsInUse: () => dead.networkSubnetsInUse(),
  createNetwork: () => dead.createNetwork("mesos-lab-x", "10.213.250.0/24", {}),
  removeNetwork: () => dead.removeNetwork(id),
  createContainer: () => dead.createContainer({ name: "mesos-lab-x", image: "busybox:1", env: {}, labels: {} }),
  putFiles: () => dead.putFiles(id, [{ path: "/etc/x", content: "x", mode: 0o600 }]),
  start: () => dead.start(id),
  inspect: () => dead.inspect(id),
  wait: () => dead.wait(id),
  kill: () => dead.kill(id),
  stop: () => dead.stop(id),
  remove: () => dead.remove(id),
  follow: () => dead.follow(id),
  exec: () => dead.exec(id, ["true"]),
  listOwned: () => dead.listOwned(["io.mesos-lab.managed=true"]),
  removeOwned: () => dead.removeOwned([{ id: "v", name: "v", kind: "volume", labels: {} }]),
};

describe("the docker port without an engine", () => {
  it.each(Object.keys(calls))("%s fails with the one 'unreachable' error", async (name) => {
    await expect(calls[name]!()).rejects.toMatchObject({ kind: "dockerUnreachable", message: expect.stringMatching(/^Docker engine unreachable at /) });
  });

  it("names DOCKER_HOST when the address came from it, with the Podman service as a fix", async () => {
    const before = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = "unix:///tmp/mesos-lab-no-engine-here.sock";
    try {
      const err = await dead.wait(id).catch((e: unknown) => e);
      expect(err).toMatchObject({ message: "Docker engine unreachable at unix:///tmp/mesos-lab-no-engine-here.sock, the address DOCKER_HOST names (ENOENT)." });
      expect((err as { fix: string }).fix).toContain("podman system service --time=0 unix:///tmp/mesos-lab-no-engine-here.sock");
    } finally {
      if (before === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = before;
    }
  });
});
