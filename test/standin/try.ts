/**
 * Developer tool: run exercises from source against the stand-in images, as `verify` would, without building.
 *   node --import tsx test/standin/try.ts [--profile 1.11] [-v] 02 03:agent-credential
 * It writes a throw-away lab folder whose lab.config.ts points at the stand-ins and this checkout's exercises/.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { ensureStandinImages } from "./image.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const args = process.argv.slice(2);
const pi = args.indexOf("--profile");
const profile = (pi >= 0 ? args.splice(pi, 2)[1] : "1.4") as "1.4" | "1.11";
const images = await ensureStandinImages({ profile });
const dir = mkdtempSync(path.join(os.tmpdir(), "mesos-lab-try-"));
writeFileSync(
  path.join(dir, "lab.config.ts"),
  `import { defineConfig } from ${JSON.stringify(path.join(ROOT, "src/config/index.ts"))};\n` +
    `export default defineConfig({ profile: ${JSON.stringify(profile)}, images: ${JSON.stringify(images)}, exercisesDir: ${JSON.stringify(path.join(ROOT, "exercises"))} });\n`,
);
const r = await execa("node", ["--import", import.meta.resolve("tsx"), path.join(ROOT, "src/cli/main.ts"), "verify", ...args], {
  cwd: dir,
  stdio: "inherit",
  reject: false,
  env: { CI: "true" },
});
rmSync(dir, { recursive: true, force: true });
process.exit(r.exitCode ?? 1);
