import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** Every folder a test or the product makes in the temp dir starts with this, so a leftover can be traced to us. */
export const TEMP_PREFIX = "mesos-lab-";

const made: string[] = [];

/**
 * A fresh folder `mesos-lab-<purpose>-XXXXXX` in os.tmpdir(). test/setup/remove-temp-dirs.ts removes it after the
 * test file; a script outside vitest calls removeTempDirs() itself before it exits.
 */
export function tempDir(purpose: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `${TEMP_PREFIX}${purpose}-`));
  made.push(dir);
  return dir;
}

/** A tempDir(purpose) holding `files` (relative path → text), their folders made as needed. */
export function tempTree(purpose: string, files: Record<string, string>): string {
  const root = tempDir(purpose);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return root;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The `mesos-lab-*` folders in dir: what a test run must not leave behind. */
export function leftTempDirs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name.startsWith(TEMP_PREFIX))
    .map((e) => e.name)
    .sort();
}
