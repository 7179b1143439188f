import { describe, expect, it } from "vitest";
import { DockerPort } from "../../src/docker/port.js";
import { RUNTIME_TITLE } from "../../src/docker/runtime.js";
import { cli } from "../helpers/cli.js";
import { hasDocker } from "../helpers/docker.js";

/**
 * The runtime behind DOCKER_HOST, named: Docker in `npm test`, Podman in `npm run test:podman` (LAB_RUNTIME=podman).
 * A Podman run that reached Docker instead (or the other way round) fails here instead of proving nothing.
 */
const expected = process.env.LAB_RUNTIME === "podman" ? "podman" : "docker";

describe.skipIf(!hasDocker)(`the runtime at DOCKER_HOST (${expected})`, () => {
  it(`is ${RUNTIME_TITLE[expected]}`, async () => {
    const info = await new DockerPort().info();
    expect(info.runtime, `DOCKER_HOST=${process.env.DOCKER_HOST ?? "(unset)"}; LAB_RUNTIME=podman says which runtime this run is for`).toBe(expected);
  });

  it("doctor names it, with its own version", async () => {
    const info = await new DockerPort().info();
    const r = await cli(["doctor"]);
    const line = r.stdout.split("\n").find((l) => l.startsWith("✓ docker: "));
    const api = expected === "podman" ? "Docker-compatible API" : "API";
    expect(line, r.stdout).toBe(
      `✓ docker: ${RUNTIME_TITLE[expected]} ${info.serverVersion} (${api} ${info.apiVersion}) at ${process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock"}`,
    );
  });
});
