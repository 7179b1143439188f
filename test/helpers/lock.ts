import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { processAlive } from "../../src/util/process-alive.js";
import { pollUntil } from "./wait.js";

/**
 * Takes the lock `file` if it is free: 0 then, else the pid of the live process that holds it. A lock whose holder
 * is gone, or older than 5 minutes, is removed and taken.
 */
function take(file: string): number {
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: "wx" });
      return 0;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let holder = 0;
    try {
      holder = Number(fs.readFileSync(file, "utf8"));
    } catch {
      continue;
    }
    const age = Date.now() - (fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (holder > 0 && processAlive(holder) && age <= 5 * 60_000) return holder;
    fs.rmSync(file, { force: true });
  }
}

/** An exclusive lock file in os.tmpdir(), so parallel vitest workers build once and the others wait. */
export async function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const file = path.join(os.tmpdir(), name);
  await pollUntil(
    () => take(file),
    (holder) => holder === 0,
    { timeoutMs: 10 * 60_000, everyMs: 250, failure: (holder) => `Timed out waiting for ${file} (held by pid ${holder})` },
  );
  try {
    return await fn();
  } finally {
    fs.rmSync(file, { force: true });
  }
}
