import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { skewWithin } from "../../src/runtime/docker-api/clock-skew.js";
import { knownSockets, resolveEngineHost, socketPathOf } from "../../src/runtime/engine-host.js";
import { addressHeld, macOf } from "../../src/runtime/docker-api/containers.js";
import { rootlessOf, runtimeOf } from "../../src/runtime/docker-api/dialect.js";
import { engineDetail } from "../../src/lab/doctor.js";
import { hostRoutes, overlapsRoutes } from "../../src/runtime/host-routes.js";
import { tempDir } from "../helpers/temp-dir.js";

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

  it("doctor's line names the runtime, its own version, where it answered and the setting that chose it", () => {
    expect(engineDetail({ runtime: "podman", serverVersion: "4.3.1", apiVersion: "1.41" }, { url: "unix:///run/podman/podman.sock", source: "env" })).toBe(
      "Podman 4.3.1 (Docker-compatible API 1.41) at unix:///run/podman/podman.sock (DOCKER_HOST)",
    );
    expect(engineDetail({ runtime: "docker", serverVersion: "20.10.24", apiVersion: "1.41" }, { url: "unix:///var/run/docker.sock", source: "found" })).toBe(
      "Docker 20.10.24 (API 1.41) at unix:///var/run/docker.sock",
    );
    expect(engineDetail({ runtime: "docker", serverVersion: "27.3.1", apiVersion: "1.47" }, { url: "tcp://10.0.0.2:2375", source: "config" })).toBe(
      "Docker 27.3.1 (API 1.47) at tcp://10.0.0.2:2375 (engine.host in lab.config.ts)",
    );
  });
});

describe("whether the engine runs rootless", () => {
  it("reads Podman's own Rootless field and Docker's name=rootless security option", () => {
    // Podman 4.3's compat /info, rootless (as this machine's CI answers it): no name=rootless among SecurityOptions
    expect(rootlessOf({ Rootless: true, SecurityOptions: ["name=seccomp,profile=default"] })).toBe(true);
    expect(rootlessOf({ Rootless: false, SecurityOptions: ["name=seccomp,profile=default"] })).toBe(false);
    // rootless dockerd
    expect(rootlessOf({ SecurityOptions: ["name=seccomp,profile=builtin", "name=rootless", "name=cgroupns"] })).toBe(true);
    expect(rootlessOf({ SecurityOptions: ["name=apparmor", "name=seccomp,profile=default", "name=cgroupns"] })).toBe(false);
    expect(rootlessOf({})).toBe(false);
  });

  it("doctor's engine line says rootless", () => {
    expect(
      engineDetail(
        { runtime: "podman", serverVersion: "4.3.1", apiVersion: "1.41", rootless: true },
        { url: "unix:///run/user/1001/podman/podman.sock", source: "env" },
      ),
    ).toBe("Podman 4.3.1 rootless (Docker-compatible API 1.41) at unix:///run/user/1001/podman/podman.sock (DOCKER_HOST)");
  });
});

describe("where the engine is", () => {
  const env = { XDG_RUNTIME_DIR: "/run/user/1000", HOME: "/home/ann" };
  const only =
    (...present: string[]) =>
    (p: string) =>
      present.includes(p);

  it("DOCKER_HOST wins over engine.host, which wins over any socket found", () => {
    const all = () => true;
    expect(resolveEngineHost({ runtime: "auto", host: "tcp://10.0.0.2:2375" }, { ...env, DOCKER_HOST: "unix:///tmp/e.sock" }, all)).toEqual({
      url: "unix:///tmp/e.sock",
      source: "env",
    });
    expect(resolveEngineHost({ runtime: "auto", host: "tcp://10.0.0.2:2375" }, env, all)).toEqual({ url: "tcp://10.0.0.2:2375", source: "config" });
    // an empty DOCKER_HOST is unset, as for the docker CLI
    expect(resolveEngineHost({ runtime: "auto" }, { ...env, DOCKER_HOST: "" }, all)).toEqual({ url: "unix:///var/run/docker.sock", source: "found" });
  });

  it("without either, Docker's sockets come before Podman's; a named runtime looks only for its own", () => {
    const rootless = only("/run/user/1000/podman/podman.sock", "/run/user/1000/docker.sock");
    expect(resolveEngineHost({ runtime: "auto" }, env, rootless)).toEqual({ url: "unix:///run/user/1000/docker.sock", source: "found" });
    expect(resolveEngineHost({ runtime: "podman" }, env, rootless)).toEqual({ url: "unix:///run/user/1000/podman/podman.sock", source: "found" });
    expect(resolveEngineHost({ runtime: "auto" }, env, only("/run/podman/podman.sock"))).toEqual({ url: "unix:///run/podman/podman.sock", source: "found" });
    expect(resolveEngineHost({ runtime: "auto" }, env, only("/home/ann/.docker/run/docker.sock"))).toEqual({
      url: "unix:///home/ann/.docker/run/docker.sock",
      source: "found",
    });
  });

  it("with no socket at all, the runtime's usual address, so the message names where it looked", () => {
    expect(resolveEngineHost({ runtime: "auto" }, env, only())).toEqual({ url: "unix:///var/run/docker.sock", source: "default" });
    expect(resolveEngineHost({ runtime: "podman" }, env, only())).toEqual({ url: "unix:///run/podman/podman.sock", source: "default" });
    expect(knownSockets("podman", {})).toEqual(["/run/podman/podman.sock"]);
  });

  it("the socket path only for unix://", () => {
    expect(socketPathOf({ url: "unix:///run/podman/podman.sock", source: "env" })).toBe("/run/podman/podman.sock");
    expect(socketPathOf({ url: "tcp://10.0.0.2:2375", source: "env" })).toBeUndefined();
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

describe("subnets the host already routes", () => {
  // /proc/net/route as this machine had it with Podman's bridges left up on lab subnets
  const TABLE = [
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
    "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
    "podman7\t000CD50A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
    "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0",
    "",
  ].join("\n");

  it("reads each interface's network and mask, leaving out the default route", () => {
    const file = path.join(tempDir("routes"), "route");
    writeFileSync(file, TABLE);
    expect(hostRoutes(file)).toEqual([
      [(10 << 24) + (213 << 16) + (12 << 8), 0xffffff00],
      [((172 << 24) >>> 0) + (17 << 16), 0xffff0000],
    ]);
    expect(hostRoutes(path.join(tempDir("routes"), "missing"))).toEqual([]);
  });

  it("a lab /24 overlaps a route as long as or longer than it, and one that contains it", () => {
    const file = path.join(tempDir("routes"), "route");
    writeFileSync(file, TABLE);
    const routes = hostRoutes(file);
    expect(overlapsRoutes("10.213.12.0/24", routes)).toBe(true);
    expect(overlapsRoutes("10.213.13.0/24", routes)).toBe(false);
    expect(overlapsRoutes("172.17.5.0/24", routes)).toBe(true);
    expect(overlapsRoutes("10.213.12.0/24", [[(10 << 24) + (213 << 16) + (12 << 8) + 128, 0xffffff80]])).toBe(true);
  });
});

describe("the MAC of a fixed address (macOf)", () => {
  it("is Docker 20.10's own: 02:42 and the address's bytes in hex (rootless Podman reported 02:42:0a:d5:0b:04 for 10.213.11.4)", () => {
    expect(macOf("10.213.11.4")).toBe("02:42:0a:d5:0b:04");
    expect(macOf("172.17.0.255")).toBe("02:42:ac:11:00:ff");
  });
});

describe("a start refused for a fixed address still held (addressHeld)", () => {
  it("reads Podman's IPAM refusal and Docker's, and leaves a host port's for the port message", () => {
    expect(
      addressHeld(
        "IPAM error: requested ip address 10.213.141.20 is already allocated to container ID 40ee8c58b0cae578b03d632cd916c8fb947dfde842dd59efb450bb840f282e84",
      ),
    ).toEqual({ ip: "10.213.141.20", holder: "40ee8c58b0cae578b03d632cd916c8fb947dfde842dd59efb450bb840f282e84" });
    // Docker 20.10's answer (seen here: a second container asking for a running one's --ip)
    expect(addressHeld("Address already in use")).toEqual({});
    expect(addressHeld("Bind for 127.0.0.1:5050 failed: port is already allocated")).toBeUndefined();
    expect(
      addressHeld(
        "driver failed programming external connectivity on endpoint x: Error starting userland proxy: listen tcp4 127.0.0.1:5050: bind: address already in use",
      ),
    ).toBeUndefined();
  });
});
