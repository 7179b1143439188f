import type { LabConfig } from "../config/schema.js";
import type { ContainerRuntime } from "../runtime/container-runtime.js";
import type { PullProgress } from "../runtime/types.js";
import { stepApplies } from "../engine/render.js";
import { withAttack, type Exercise } from "../model/exercise.js";
import type { MesosProfile } from "../model/profiles/index.js";
import { inRange } from "../model/release.js";
import { ROLES, type Role } from "../model/roles.js";
import { LabError } from "../util/errors.js";

/** Every configured image, or the images of the roles `exercises` run (their steps' clusters, and mesos-execute). */
export function configuredImages(config: Pick<LabConfig, "images" | "mesos">, exercises?: Exercise[]): string[] {
  const roles = exercises ? rolesUsed(exercises, config.mesos) : (Object.keys(config.images) as Role[]);
  return [...new Set(roles.map((r) => config.images[r]))];
}

/** The roles the steps of `exercises` that run on the profile's release start: a lab without exercise 12 needs no registry image. */
export function rolesUsed(exercises: Exercise[], mesos: Pick<MesosProfile, "release">): Role[] {
  const used = new Set<Role>();
  for (const ex of exercises.filter((e) => inRange(e, mesos.release)))
    for (const step of ex.steps.filter((s) => stepApplies(s, mesos)).map((s) => withAttack(s, ex.attacks))) {
      step.cluster.forEach((r) => used.add(r));
      if (step.actions.some((a) => a.do === "execute")) used.add("execute");
      if (step.actions.some((a) => a.do === "attack")) used.add("attacker");
      if (step.actions.some((a) => a.do === "relay")) used.add("relay");
    }
  return ROLES.filter((r) => used.has(r));
}

export interface ImageStatus {
  image: string;
  present: boolean;
  arch?: string;
}

export async function imageStatus(runtime: ContainerRuntime, config: Pick<LabConfig, "images" | "mesos">, exercises?: Exercise[]): Promise<ImageStatus[]> {
  return Promise.all(
    configuredImages(config, exercises).map(async (image) => {
      const i = await runtime.images.inspect(image);
      return { image, present: !!i, arch: i?.arch };
    }),
  );
}

/**
 * Makes sure every configured image is on the engine before anything is created. With `pull` false (verify's
 * default, so CI never hangs on a registry) a missing image is an error naming the image and the fix.
 */
export async function ensureImages(
  runtime: ContainerRuntime,
  config: Pick<LabConfig, "images" | "timeouts" | "mesos">,
  opts: { pull: boolean; onProgress?: (p: PullProgress) => void; exercises?: Exercise[] },
): Promise<void> {
  const status = await imageStatus(runtime, config, opts.exercises);
  const missing = status.filter((s) => !s.present).map((s) => s.image);
  if (missing.length === 0) return;
  if (!opts.pull) {
    throw new LabError(
      "imageMissing",
      `Image${missing.length > 1 ? "s" : ""} not present on the Docker engine: ${missing.join(", ")}.`,
      "Run `mesos-lab pull` where a registry is reachable (or `mesos-lab bundle import <file>` with an instructor's offline bundle), or pass --pull.",
    );
  }
  for (const image of missing) await runtime.images.pull(image, opts.onProgress ?? (() => undefined), config.timeouts.pull);
}
