import { isLabError, EXIT } from "../util/errors.js";

/** One place that turns any failure into "error: …" + "fix: …" and the right exit code. */
export function reportError(err: unknown, debug = false): number {
  if (isLabError(err)) {
    process.stderr.write(`error: ${err.message}\n  fix: ${err.fix}\n`);
    if (debug && err.cause) process.stderr.write(`${String((err.cause as Error).stack ?? err.cause)}\n`);
    return err.exitCode;
  }
  process.stderr.write(`internal error: ${(err as Error)?.stack ?? String(err)}\n  fix: please report this with the command you ran (mesos-lab --debug …).\n`);
  return EXIT.internal;
}
