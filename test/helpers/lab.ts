import path from "node:path";
import { resolveConfig } from "../../src/config/load.js";
import type { LabConfig, LabConfigInput } from "../../src/config/schema.js";
import { createRuntime } from "../../src/runtime/factory.js";
import { LabBus, type LabEvent } from "../../src/engine/events.js";
import type { Material } from "../../src/engine/material.js";
import { runExercise } from "../../src/engine/runner.js";
import type { RunnerOptions } from "../../src/engine/runner-options.js";
import { exerciseSchema, type Exercise, type ExerciseInput } from "../../src/model/exercise.js";
import { ensureLabMaterial } from "../../src/pki/index.js";
import { ensureStandinImages } from "../standin/image.js";
import { tempDir } from "./temp-dir.js";

/** A lab config pointing at the stand-in images, with short timeouts so failing tests fail quickly. */
export async function standinConfig(over: Partial<LabConfigInput> = {}, root?: string): Promise<LabConfig> {
  const images = await ensureStandinImages({ profile: (over.profile as "1.4" | "1.11" | undefined) ?? "1.11" });
  return resolveConfig(
    { images, timeouts: { expectation: 20_000, negativeWindow: 1_500, execute: 20_000, ready: 20_000, pull: 1_000 }, ...over },
    undefined,
    root ?? tempDir("engine"),
  );
}

let sharedMaterial: Promise<Material> | undefined;
export function testMaterial(): Promise<Material> {
  if (!sharedMaterial) {
    const dir = tempDir("material");
    sharedMaterial = ensureLabMaterial({ sslDir: path.join(dir, "ssl"), credentialsDir: path.join(dir, "credentials") }) as Promise<Material>;
  }
  return sharedMaterial;
}

export function fixture(ex: ExerciseInput): Exercise {
  return exerciseSchema.parse(ex);
}

export async function run(ex: Exercise, config: LabConfig, extra: Partial<RunnerOptions> = {}) {
  const bus = new LabBus();
  const events: LabEvent[] = [];
  bus.on((e) => events.push(e));
  const runtime = createRuntime();
  const info = await runtime.info();
  const results = await runExercise(ex, {
    config,
    runtime,
    material: await testMaterial(),
    bus,
    labId: `test${process.pid}`,
    publish: "ephemeral",
    publishHost: info.publishHost,
    ...extra,
  });
  return { results, events };
}
