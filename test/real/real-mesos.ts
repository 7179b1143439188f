import { realpathSync } from "node:fs";
import { tempLab } from "../helpers/cli.js";
import { engineAvailable } from "../helpers/docker.js";
import { ensureStandinImages } from "../standin/image.js";
import { ensureRealImages, missingBuild, type RealImages } from "./images.js";

/**
 * Whether the real-Mesos suite can run here. Like the engine tests it skips on a laptop without the build, but FAILS
 * under CI=true: a CI run that silently skipped real Mesos would prove nothing.
 */
export async function realAvailable(): Promise<boolean> {
  const ci = process.env.CI === "true" || process.env.CI === "1";
  if (!(await engineAvailable())) return false;
  const why = missingBuild();
  if (why && ci) throw new Error(`CI=true but the real-Mesos suite cannot run: ${why}`);
  if (why) console.warn(`real-Mesos suite skipped: ${why}`);
  return !why;
}

let images: Promise<RealImages> | undefined;
/** Builds (once per process, and once across processes by a lock) or finds the real images. */
export function realImages(): Promise<RealImages> {
  return (images ??= ensureRealImages({ log: (l) => console.log(`real-mesos: ${l}`) }));
}

/**
 * The lab registry's images (exercise 12): the real Debian docker-registry and Node.js, in the image the stand-in
 * build makes from this machine's binaries (no registry to pull `registry:2.8` or `node:20-alpine` from). Users who
 * pulled those set MESOS_LAB_REAL_REGISTRY and MESOS_LAB_REAL_TOKENS.
 */
async function registryImages(): Promise<{ registry: string; tokens: string }> {
  const { MESOS_LAB_REAL_REGISTRY: registry, MESOS_LAB_REAL_TOKENS: tokens } = process.env;
  if (registry && tokens) return { registry, tokens };
  const built = await ensureStandinImages({ profile: "1.11" });
  return { registry: registry ?? built.registry, tokens: tokens ?? built.tokens };
}

/** Every image a lab on real Mesos runs: the real build's, and the registry's and Node's of the stand-in build. */
export async function realLabImages(): Promise<Record<string, string>> {
  const i = await realImages();
  return { zk: i.zk, master: i.master, agent: i.agent, execute: i.execute, ...(await registryImages()) };
}

/** A lab folder whose lab.config.ts runs profile 1.11 on the real images, with the defaults a user has otherwise. */
export async function realLab(extra = ""): Promise<string> {
  const images = await realLabImages();
  return realpathSync(tempLab(`{ profile: "1.11", images: ${JSON.stringify(images)}, ports: { master: 0, agent: 0, exhibitor: 0, zk: 0 }${extra} }`));
}
