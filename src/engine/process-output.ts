import type { RunningContainer } from "./cluster.js";
import type { DiedProcess } from "./events.js";

/** What a process printed, for the failure report; read once its log stream has ended, so the last lines are in. */
export function outputOf(live: RunningContainer): Pick<DiedProcess, "stderr" | "stdout"> {
  return { stderr: live.tail.stderr.snapshot(), stdout: live.tail.stdout.snapshot() };
}
