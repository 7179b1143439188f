import type { ContainerRuntime } from "./container-runtime.js";
import type { ContainerSpec } from "./types.js";

/** What a one-shot container did: its exit code and every line it printed. */
export interface RunToEnd {
  code: number;
  lines: string[];
}

/**
 * Runs a one-shot container (a probe, a release helper) to its end: created, started, waited for at most `timeoutMs`,
 * its output read to the end. `dispose` gets the container whatever happened, once it exists, and removes it: the
 * caller decides what else a container stopped by the deadline needs first.
 */
export async function runToEnd(
  runtime: ContainerRuntime,
  spec: ContainerSpec,
  o: { timeoutMs: number; timeoutText: string; dispose: (id: string) => Promise<void>; createFailed?: (err: Error) => Error },
): Promise<RunToEnd> {
  let id: string | undefined;
  try {
    id = await runtime.containers.create(spec).catch((err: Error) => {
      throw o.createFailed ? o.createFailed(err) : err;
    });
    const started = id;
    await runtime.containers.start(started, spec.image);
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      runtime.containers.wait(started),
      new Promise<number>((_, reject) => (timer = setTimeout(() => reject(new Error(o.timeoutText)), o.timeoutMs))),
    ]).finally(() => clearTimeout(timer));
    const lines = await new Promise<string[]>((resolve) => {
      const out: string[] = [];
      runtime.logs.follow(started, 0).then(
        (f) => {
          f.onLine((l) => out.push(l.text));
          if (f.ended) resolve(out);
          else f.onEnd(() => resolve(out));
        },
        () => resolve(out),
      );
    });
    return { code, lines };
  } finally {
    if (id) await o.dispose(id).catch(() => undefined);
  }
}
