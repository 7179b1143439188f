import type { Cluster } from "../engine/cluster.js";
import { EXIT } from "../util/errors.js";

/** Set once a signal arrived: from then on the signal handler decides the exit code, not the interrupted command. */
export const shutdown: { requested: boolean } = { requested: false };

/**
 * Ctrl-C / SIGTERM: stop waiting, remove this process's containers and networks, exit 130/143. A second signal
 * exits at once (the next start sweeps what is left, since this process will be dead). The CLI commands and the
 * TUI both install it, with the set of clusters their run keeps up.
 */
export function installSignalCleanup(
  controller: AbortController,
  clusters: ReadonlySet<Cluster>,
  log: (s: string) => void = (s) => process.stderr.write(s),
): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    const code = signal === "SIGINT" ? EXIT.interrupted : EXIT.terminated;
    if (stopping) process.exit(code);
    stopping = true;
    shutdown.requested = true;
    log(`\n${signal}: removing this run's containers…\n`);
    controller.abort();
    void Promise.allSettled([...clusters].map((c) => c.dispose())).then((r) => {
      const removed = r.reduce((a, x) => a + (x.status === "fulfilled" ? x.value : 0), 0);
      log(`removed ${removed} container(s)/network(s)\n`);
      process.exit(code);
    });
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}
