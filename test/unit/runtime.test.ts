import { describe, expect, it } from "vitest";
import { skewWithin } from "../../src/docker/clock-skew.js";
import { engineHost, engineSocketPath } from "../../src/docker/engine-host.js";
import { runtimeOf } from "../../src/docker/runtime.js";
import { engineDetail } from "../../src/lab/doctor.js";

/** `GET /_ping`'s headers as each runtime answered (lower-cased, as Node gives them). */
const PODMAN_4_3 = {
  "api-version": "1.41",
  "libpod-api-version": "4.3.1",
  "libpod-buildah-version": "1.28.2",
  server: "Libpod/4.3.1 (linux)",
  "docker-experimental": "true",
};
const DEBIAN_DOCKER_20_10 = { "api-version": "1.41", ostype: "linux", server: "Docker/20.10.24+dfsg1 (linux)", "docker-experimental": "false" };
const DOCKER_27 = { "api-version": "1.47", ostype: "linux", server: "Docker/27.3.1 (linux)", "builder-version": "2" };

describe("which runtime answers the Docker API", () => {
  it("tells Podman from Docker by the ping's headers", () => {
    expect(runtimeOf(PODMAN_4_3)).toBe("podman");
    expect(runtimeOf({ server: "Libpod/5.2.0 (linux)" })).toBe("podman");
    expect(runtimeOf(DEBIAN_DOCKER_20_10)).toBe("docker");
    expect(runtimeOf(DOCKER_27)).toBe("docker");
    expect(runtimeOf({})).toBe("docker");
  });

  it("doctor's line names the runtime, its own version, and where it answered", () => {
    const before = process.env.DOCKER_HOST;
    try {
      process.env.DOCKER_HOST = "unix:///run/podman/podman.sock";
      expect(engineDetail({ runtime: "podman", serverVersion: "4.3.1", apiVersion: "1.41" })).toBe(
        "Podman 4.3.1 (Docker-compatible API 1.41) at unix:///run/podman/podman.sock",
      );
      delete process.env.DOCKER_HOST;
      expect(engineDetail({ runtime: "docker", serverVersion: "20.10.24", apiVersion: "1.41" })).toBe(
        "Docker 20.10.24 (API 1.41) at unix:///var/run/docker.sock",
      );
    } finally {
      if (before === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = before;
    }
  });

  it("the engine's address: DOCKER_HOST when set, the socket path only for unix://", () => {
    expect(engineHost({})).toEqual({ url: "unix:///var/run/docker.sock", fromEnv: false });
    expect(engineHost({ DOCKER_HOST: "tcp://10.0.0.2:2375" })).toEqual({ url: "tcp://10.0.0.2:2375", fromEnv: true });
    expect(engineSocketPath({ DOCKER_HOST: "unix:///run/podman/podman.sock" })).toBe("/run/podman/podman.sock");
    expect(engineSocketPath({ DOCKER_HOST: "tcp://10.0.0.2:2375" })).toBeUndefined();
  });
});

describe("the daemon's clock against ours", () => {
  it("a local engine shares our clock: no skew, however slowly it answered", () => {
    // SystemTime read somewhere in a 4 s answer of a loaded Podman: the midpoint would have said ±2 s
    expect(skewWithin(10_500, 10_000, 14_000)).toBe(0);
    expect(skewWithin(13_900, 10_000, 14_000)).toBe(0);
  });

  it("a remote engine's clock is taken as near to ours as its answer allows", () => {
    expect(skewWithin(15_050, 10_000, 10_100)).toBe(4_950);
    expect(skewWithin(4_000, 10_000, 10_100)).toBe(-6_000);
    expect(skewWithin(NaN, 10_000, 10_100)).toBe(0);
  });
});
