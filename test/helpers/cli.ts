import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { execa, type ResultPromise } from "execa";
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

let stateHome: string | undefined;

/**
 * The environment of a run of the binary: CI, and a state folder of the test file's own unless the test passes one.
 * The binary keeps progress and verdicts in $XDG_STATE_HOME; without it every test run wrote into the real user's
 * (646 temp labs' verdicts piled up there on a dev machine), and one test file saw another's.
 */
export function cliEnv(env?: Record<string, string>): Record<string, string> {
  stateHome ??= tempDir("state");
  return { CI: "true", XDG_STATE_HOME: stateHome, ...env };
}

export async function cli(args: string[], opts: { cwd?: string; env?: Record<string, string>; timeout?: number } = {}): Promise<CliResult> {
  if (!existsSync(path.join(ROOT, "dist/src/cli/main.js"))) throw new Error("dist/ is missing: run `npm run build` (npm test does it)");
  const r = await execa("node", [BIN, ...args], {
    reject: false,
    all: true,
    cwd: opts.cwd,
    env: cliEnv(opts.env),
    timeout: opts.timeout ?? 120_000,
  });
  return { exitCode: r.exitCode, stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? ""), all: String(r.all ?? "") };
}

/**
 * What a failed `--reporter junit` run says about its failures: each failed case's whole explanation (the failure
 * element's body, which names the line that matched or the one that never came), then the end of its stderr. A
 * stderr tail alone cut a rootless CI failure's explanation off, and it took a reproduction to read it.
 */
export function junitFailureDetail(xml: string, stderr: string): string {
  const unXml = (t: string) =>
    t
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, "&");
  const cases = [...xml.matchAll(/<testcase [^>]*name="([^"]+)"[^/]*>\s*<(failure|error) message="[^"]*">([^<]*)<\/\2>/g)].map(
    (m) => `── ${unXml(m[1]!)}\n${unXml(m[3]!)}`,
  );
  return [...cases, `── stderr (end)\n${stderr.slice(-1500)}`].join("\n");
}

/** The failed or errored test cases of a `--reporter junit` output, as `name: message`. */
export function junitFailures(xml: string): string[] {
  return [...xml.matchAll(/<testcase [^>]*name="([^"]+)"[^/]*>\s*<(?:failure|error) message="([^"]*)"/g)].map((m) => `${m[1]}: ${m[2]}`);
}

const started = new Set<ResultPromise>();

/** Starts the built binary without waiting for it, for a test that signals it or reads it while it runs. */
export function startCli(args: string[], opts: { cwd: string; env?: Record<string, string> }): ResultPromise {
  const child = execa("node", [BIN, ...args], { reject: false, cwd: opts.cwd, env: cliEnv(opts.env) });
  started.add(child);
  void child.finally(() => started.delete(child));
  return child;
}

/**
 * Ends what startCli started and a failed test left running (test/setup/stop-cli-runs.ts, after each test). SIGTERM,
 * so the run removes its containers; until it exits it would write into its lab folder after the folder is removed.
 */
export async function stopCliRuns(): Promise<void> {
  await Promise.all(
    [...started].map((child) => {
      child.kill("SIGTERM");
      return child;
    }),
  );
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
