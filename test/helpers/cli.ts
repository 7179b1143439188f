import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa, type Options } from "execa";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const BIN = path.join(ROOT, "bin", "mesos-lab.js");

/** Runs the real, built `mesos-lab` binary (npm test builds it first). */
export async function cli(args: string[], opts: Options = {}) {
  if (!existsSync(path.join(ROOT, "dist/src/cli/main.js"))) throw new Error("dist/ is missing: run `npm run build` (npm test does it)");
  return execa("node", [BIN, ...args], { reject: false, all: true, env: { CI: "true", ...opts.env }, timeout: 120_000, ...opts });
}

/** A throw-away lab folder with its own lab.config.ts (raw TypeScript text after the import line). */
export function tempLab(configBody: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mesos-lab-cli-"));
  writeFileSync(
    path.join(dir, "lab.config.ts"),
    `import { defineConfig } from ${JSON.stringify(path.join(ROOT, "src/config/index.ts"))};\nexport default defineConfig(${configBody});\n`,
  );
  return dir;
}
