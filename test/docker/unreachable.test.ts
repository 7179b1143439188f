import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createRuntime } from "../../src/runtime/factory.js";

/**
 * One error translator for the whole runtime: every method of every client turns a missing engine into the same
 * "unreachable" error (exit 5), not a raw ENOENT. No engine needed: the runtime points at a socket nobody serves.
 */
const NOWHERE = "unix:///tmp/mesos-lab-no-engine-here.sock";
const dead = createRuntime({ env: { DOCKER_HOST: NOWHERE } });
const id = "0123456789ab";

const calls: Record<string, () => Promise<unknown>> = {
  info: () => dead.info(1000),
  name: () => dead.name(),
  "images.inspect": () => dead.images.inspect("busybox:1"),
  "images.pull": () => dead.images.pull("busybox:1", () => undefined, 5000),
  "images.save": () => dead.images.save(["busybox:1"]),
  "images.load": () => dead.images.load(Readable.from([Buffer.alloc(512)])),
  "networks.create": () => dead.networks.create("mesos-lab-x", "10.213.250.0/24", {}),
  "networks.create auto": () => dead.networks.create("mesos-lab-x", "auto", {}),
  "networks.remove": () => dead.networks.remove(id),
  "containers.create": () => dead.containers.create({ name: "mesos-lab-x", image: "busybox:1", env: {}, labels: {} }),
  "containers.putFiles": () => dead.containers.putFiles(id, [{ path: "/etc/x", content: "x", mode: 0o600 }]),
  "containers.start": () => dead.containers.start(id),
  "containers.inspect": () => dead.containers.inspect(id),
  "containers.wait": () => dead.containers.wait(id),
  "containers.kill": () => dead.containers.kill(id),
  "containers.remove": () => dead.containers.remove(id),
  "logs.follow": () => dead.logs.follow(id),
  "exec.run": () => dead.exec.run(id, ["true"]),
  "owned.list": () => dead.owned.list(["io.mesos-lab.managed=true"]),
  "owned.remove": () => dead.owned.remove([{ id: "v", name: "v", kind: "volume", labels: {} }]),
};

describe("the container runtime without an engine", () => {
  it.each(Object.keys(calls))("%s fails with the one 'unreachable' error", async (name) => {
    await expect(calls[name]!()).rejects.toMatchObject({ kind: "dockerUnreachable", message: expect.stringMatching(/^Docker engine unreachable at /) });
  });

  it("names DOCKER_HOST when the address came from it, with the Podman service as a fix", async () => {
    const err = await dead.containers.wait(id).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: `Docker engine unreachable at ${NOWHERE}, the address DOCKER_HOST names (ENOENT).` });
    expect((err as { fix: string }).fix).toContain(`podman system service --time=0 ${NOWHERE}`);
  });

  it("names engine.host when the address came from lab.config.ts, and says DOCKER_HOST overrides it", async () => {
    const fromConfig = createRuntime({ env: {}, engine: { runtime: "auto", host: NOWHERE } });
    expect(fromConfig.host).toEqual({ url: NOWHERE, source: "config" });
    const err = await fromConfig.containers.inspect(id).catch((e: unknown) => e);
    expect(err).toMatchObject({
      kind: "dockerUnreachable",
      message: `Docker engine unreachable at ${NOWHERE}, the address engine.host in lab.config.ts names (ENOENT).`,
    });
    expect((err as { fix: string }).fix).toContain("engine.host in lab.config.ts (DOCKER_HOST also overrides it)");
  });
});
