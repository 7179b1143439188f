import type { LabConfig } from "../config/schema.js";
import type { DockerPort } from "../docker/port.js";
import type { PullProgress } from "../docker/types.js";
import { LabError } from "../util/errors.js";

export function configuredImages(config: Pick<LabConfig, "images">): string[] {
  return [...new Set(Object.values(config.images))];
}

export interface ImageStatus {
  image: string;
  present: boolean;
  arch?: string;
}

export async function imageStatus(port: DockerPort, config: Pick<LabConfig, "images">): Promise<ImageStatus[]> {
  return Promise.all(
    configuredImages(config).map(async (image) => {
      const i = await port.imageInspect(image);
      return { image, present: !!i, arch: i?.arch };
    }),
  );
}

/**
 * Makes sure every configured image is on the engine before anything is created. With `pull` false (verify's
 * default, so CI never hangs on a registry) a missing image is an error naming the image and the fix.
 */
export async function ensureImages(
  port: DockerPort,
  config: Pick<LabConfig, "images" | "timeouts">,
  opts: { pull: boolean; onProgress?: (p: PullProgress) => void },
): Promise<void> {
  const status = await imageStatus(port, config);
  const missing = status.filter((s) => !s.present).map((s) => s.image);
  if (missing.length === 0) return;
  if (!opts.pull) {
    throw new LabError(
      "imageMissing",
      `Image${missing.length > 1 ? "s" : ""} not present on the Docker engine: ${missing.join(", ")}.`,
      "Run `mesos-lab pull` where a registry is reachable (or `mesos-lab bundle import <file>` with an instructor's offline bundle), or pass --pull.",
    );
  }
  for (const image of missing) await port.pull(image, opts.onProgress ?? (() => undefined), config.timeouts.pull);
}
