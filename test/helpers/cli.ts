import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { tempDir } from "./temp-dir.js";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const BIN = path.join(ROOT, "bin", "mesos-lab.js");

/** Runs the real, built `mesos-lab` binary (npm test builds it first). */
export interface CliResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  all: string;
}

export async function cli(args: string[], opts: { cwd?: string; env?: Record<string, string>; timeout?: number } = {}): Promise<CliResult> {
  if (!existsSync(path.join(ROOT, "dist/src/cli/main.js"))) throw new Error("dist/ is missing: run `npm run build` (npm test does it)");
  const r = await execa("node", [BIN, ...args], { reject: false, all: true, cwd: opts.cwd, env: { CI: "true", ...opts.env }, timeout: opts.timeout ?? 120_000 });
  return { exitCode: r.exitCode, stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? ""), all: String(r.all ?? "") };
}

/** A throw-away lab folder with its own lab.config.ts (raw TypeScript text after the import line). */
export function tempLab(configBody: string): string {
  const dir = tempDir("cli");
  writeFileSync(
    path.join(dir, "lab.config.ts"),
    `import { defineConfig } from ${JSON.stringify(path.join(ROOT, "src/config/index.ts"))};\nexport default defineConfig(${configBody});\n`,
  );
  return dir;
}
