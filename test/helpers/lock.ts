import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { processAlive } from "../../src/util/process-alive.js";
import { sleep } from "./wait.js";

/** An exclusive lock file in os.tmpdir(), so parallel vitest workers build once and the others wait. */
export async function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const file = path.join(os.tmpdir(), name);
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: "wx" });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let holder = 0;
      try {
        holder = Number(fs.readFileSync(file, "utf8"));
      } catch {
        continue;
      }
      const age = Date.now() - (fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (!(holder > 0 && processAlive(holder)) || age > 5 * 60_000) {
        fs.rmSync(file, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${file} (held by pid ${holder})`);
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(file, { force: true });
  }
}
