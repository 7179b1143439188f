import { describe, expect, it } from "vitest";
import { labelFilter } from "../../src/runtime/labels.js";
import { createRuntime } from "../../src/runtime/factory.js";
import { labIdOf } from "../../src/lab/identity.js";
import { ensureStandinImages } from "../standin/image.js";
import { startCli } from "../helpers/cli.js";
import { hasDocker } from "../helpers/docker.js";
import { labWithExercises, waitingExercise } from "../helpers/fixture-lab.js";
import { slowDockerProxy } from "../helpers/slow-docker.js";
import { pollUntil } from "../helpers/wait.js";

const runtime = createRuntime();
// waits for the moment to interrupt, not timings under test: a fresh lab's first run makes its material and checks its
// images before its first container, which took over 20 s on this 2-core machine under the rest of `npm test`
const until = (what: string, pred: () => Promise<boolean> | boolean, ms = 60_000) =>
  pollUntil(pred, Boolean, { timeoutMs: ms, failure: () => `${what}: not within ${ms / 1000} s` });

describe.skipIf(!hasDocker)("interrupting a step at each of its phases leaves nothing behind", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    const code = signal === "SIGINT" ? 130 : 143;

    it(`${signal} during the image check`, async () => {
      const images = await ensureStandinImages({ profile: "1.11" });
      const proxy = await slowDockerProxy(/^GET \S*\/images\/\S+\/json/, 4000);
      try {
        const dir = labWithExercises(`{ images: ${JSON.stringify(images)} }`, { "01-wait": waitingExercise("01", 30_000) });
        const child = startCli(["verify", "01"], { cwd: dir, env: { DOCKER_HOST: proxy.url } });
        await until("the image check reaches Docker", () => proxy.hits() > 0);
        child.kill(signal);
        const r = await child;
        expect(r.exitCode).toBe(code);
        expect(await runtime.owned.list(labelFilter({ lab: labIdOf({ root: dir }) }))).toEqual([]);
      } finally {
        proxy.close();
      }
    });

    it(`${signal} while containers start`, async () => {
      const images = await ensureStandinImages({ profile: "1.11" });
      const dir = labWithExercises(`{ images: ${JSON.stringify(images)} }`, { "01-wait": waitingExercise("01", 30_000) });
      const lab = labIdOf({ root: dir });
      const child = startCli(["verify", "01"], { cwd: dir });
      await until("a container of the run exists", async () => (await runtime.owned.list(labelFilter({ lab }))).some((i) => i.kind === "container"));
      child.kill(signal);
      const r = await child;
      expect(r.exitCode).toBe(code);
      expect(await runtime.owned.list(labelFilter({ lab }))).toEqual([]);
    });

    it(`${signal} while waiting on expectations`, async () => {
      const images = await ensureStandinImages({ profile: "1.11" });
      const dir = labWithExercises(`{ images: ${JSON.stringify(images)} }`, { "01-wait": waitingExercise("01", 60_000) });
      const lab = labIdOf({ root: dir });
      const child = startCli(["verify", "01"], { cwd: dir });
      let out = "";
      child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
      await until("verify prints ✓ elected", () => out.includes("✓ elected"), 60_000);
      const t0 = Date.now();
      child.kill(signal);
      const r = await child;
      expect(r.exitCode).toBe(code);
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(await runtime.owned.list(labelFilter({ lab }))).toEqual([]);
    });
  }
});
