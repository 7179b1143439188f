import { realpathSync } from "node:fs";
import { tempLab } from "../helpers/cli.js";
import { engineAvailable } from "../helpers/docker.js";
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

/** A lab folder whose lab.config.ts runs profile 1.11 on the real images, with the defaults a user has otherwise. */
export async function realLab(extra = ""): Promise<string> {
  const i = await realImages();
  const images = { zk: i.zk, master: i.master, agent: i.agent, execute: i.execute };
  return realpathSync(tempLab(`{ profile: "1.11", images: ${JSON.stringify(images)}, ports: { master: 0, agent: 0, exhibitor: 0, zk: 0 }${extra} }`));
}
