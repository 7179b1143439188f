import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The mesos-lab package folder, from source (src/…) or compiled (dist/src/…) alike. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = path.join(dir, "package.json");
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, "utf8")) as { name?: string }).name === "mesos-lab") return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error("cannot find the mesos-lab package folder");
    dir = up;
  }
}

/** True when this module runs from dist/ (compiled), where exercises are compiled next to it. */
export function runningCompiled(): boolean {
  return fileURLToPath(import.meta.url).includes(`${path.sep}dist${path.sep}`);
}
