import { afterEach, describe, expect, it } from "vitest";
import { engineAvailable, hasDocker } from "../helpers/docker.js";
import { slowDockerProxy } from "../helpers/slow-docker.js";

/**
 * The tests' engine probe: a busy engine is not a missing one. A Podman service on a loaded 2-core machine once took
 * more than the probe's old 3 s to answer /info, and a clean-clone CI run failed with "no Docker engine answers".
 */
const saved = { host: process.env.DOCKER_HOST, ci: process.env.CI };
afterEach(() => {
  for (const [k, v] of [
    ["DOCKER_HOST", saved.host],
    ["CI", saved.ci],
  ] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe.runIf(hasDocker)("the engine probe of the tests", () => {
  it("waits for an engine that answers /info slowly (here 4 s late) instead of calling it missing", async () => {
    const proxy = await slowDockerProxy(/^GET \/[^ ]*info/, 4_000);
    try {
      process.env.DOCKER_HOST = proxy.url;
      process.env.CI = "true";
      expect(await engineAvailable()).toBe(true);
      expect(proxy.hits(), "the /info call went through the slow front").toBeGreaterThan(0);
    } finally {
      proxy.close();
    }
  });

  it("under CI=true, an engine with no socket at all fails the run at once, naming the address", async () => {
    process.env.DOCKER_HOST = "unix:///nonexistent/mesos-lab-probe.sock";
    process.env.CI = "true";
    await expect(engineAvailable()).rejects.toThrow(/CI=true but no Docker engine answers .*nonexistent\/mesos-lab-probe\.sock.*ENOENT/);
  });

  it("off CI, an engine with no socket is absent (the engine tests skip)", async () => {
    process.env.DOCKER_HOST = "unix:///nonexistent/mesos-lab-probe.sock";
    delete process.env.CI;
    expect(await engineAvailable()).toBe(false);
  });
});
