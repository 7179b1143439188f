import { describe, expect, it } from "vitest";
import { createRuntime } from "../../src/runtime/factory.js";
import { RUNTIME_TITLE } from "../../src/runtime/types.js";
import { cli, tempLab } from "../helpers/cli.js";
import { hasDocker } from "../helpers/docker.js";

/**
 * The runtime behind DOCKER_HOST, named: Docker in `npm test`, Podman in `npm run test:podman` (LAB_RUNTIME=podman).
 * A Podman run that reached Docker instead (or the other way round) fails here instead of proving nothing.
 */
const expected = process.env.LAB_RUNTIME === "podman" ? "podman" : "docker";
const other = expected === "podman" ? "docker" : "podman";

describe.skipIf(!hasDocker)(`the runtime at DOCKER_HOST (${expected})`, () => {
  it(`is ${RUNTIME_TITLE[expected]}`, async () => {
    const info = await createRuntime().info();
    expect(info.runtime, `DOCKER_HOST=${process.env.DOCKER_HOST ?? "(unset)"}; LAB_RUNTIME=podman says which runtime this run is for`).toBe(expected);
  });

  it("doctor names it, with its own version and the setting that chose it", async () => {
    const rt = createRuntime();
    const info = await rt.info();
    const r = await cli(["doctor"]);
    const line = r.stdout.split("\n").find((l) => l.startsWith("✓ engine: "));
    const api = expected === "podman" ? "Docker-compatible API" : "API";
    const chosenBy = process.env.DOCKER_HOST ? " (DOCKER_HOST)" : "";
    expect(line, r.stdout).toBe(`✓ engine: ${RUNTIME_TITLE[expected]} ${info.serverVersion} (${api} ${info.apiVersion}) at ${rt.host.url}${chosenBy}`);
  });

  it("engine.host in lab.config.ts is used when DOCKER_HOST is unset", async () => {
    const { url } = createRuntime().host;
    const dir = tempLab(JSON.stringify({ engine: { host: url } }));
    const r = await cli(["doctor"], { cwd: dir, env: { DOCKER_HOST: "" } });
    expect(
      r.stdout.split("\n").find((l) => l.startsWith("✓ engine: ")),
      r.all,
    ).toMatch(
      new RegExp(`^✓ engine: ${RUNTIME_TITLE[expected]} .* at ${url.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} \\(engine\\.host in lab\\.config\\.ts\\)$`),
    );
  });

  it(`a lab that names ${RUNTIME_TITLE[other]} as its runtime refuses ${RUNTIME_TITLE[expected]}, naming both and the setting`, async () => {
    // DOCKER_HOST points at this engine, so the configured runtime is checked, not looked for elsewhere
    const here = { DOCKER_HOST: createRuntime().host.url };
    await expect(createRuntime({ engine: { runtime: other }, env: here }).name()).rejects.toMatchObject({
      kind: "config",
      message: expect.stringContaining(`sets engine.runtime to "${other}", but ${RUNTIME_TITLE[expected]} answers at`),
    });
    const dir = tempLab(JSON.stringify({ engine: { runtime: other } }));
    const r = await cli(["verify", "01"], { cwd: dir, env: here });
    expect(r.exitCode, r.all).toBe(3);
    expect(r.stderr).toContain(`lab.config.ts sets engine.runtime to "${other}", but ${RUNTIME_TITLE[expected]} answers at`);
    expect(r.stderr).toContain(`set engine.runtime to "auto" or "${expected}"`);
  });
});
