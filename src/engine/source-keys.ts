import type { Source } from "../model/exercise.js";
import type { ClusterRole } from "../model/roles.js";

/**
 * Where an expectation reads its lines: one key per stream a step produces. Keys are made here only, so that the
 * action that feeds a stream and the expectation that reads it cannot disagree on its spelling (a typo used to show up
 * as a timeout): `SourceKey` is a string no other code can make.
 */
declare const sourceKey: unique symbol;
export type SourceKey = string & { readonly [sourceKey]: true };

export type HttpPart = "status" | "headers" | "body" | "all";
export type ExecuteStream = "stdout" | "stderr";

const make = (s: string) => s as SourceKey;

export const SourceKeys = {
  /** A long-running container's log. */
  log: (role: ClusterRole) => make(`log:${role}`),
  /** A long-running container's exit code. */
  exit: (role: ClusterRole) => make(`exit:${role}`),
  /** One stream of one mesos-execute run (its action id). */
  execute: (stream: ExecuteStream, action: string) => make(`execute:${stream}:${action}`),
  /** The exit code of one mesos-execute run. */
  executeExit: (action: string) => make(`exit:execute:${action}`),
  /** A part of the answer to an HTTP action (or a push). */
  http: (action: string, part: HttpPart) => make(`http:${action}:${part}`),
  /** The output of a command run in a container. */
  exec: (action: string) => make(`exec:${action}`),
  /** What an attack action's command printed, or one part of the HTTP answer it printed. */
  attacker: (action: string, part: HttpPart = "all") => make(`attacker:${action}:${part}`),
  /** What a relay recorded of the bytes it forwarded. */
  relay: (action: string) => make(`relay:${action}`),
};

/** The default mesos-execute action of a step: the first one, or `execute`. */
export const DEFAULT_EXECUTE = "execute";

/** The keys an expectation's source reads: `output` is both streams of a mesos-execute run. */
export function sourceKeys(source: Source, defaultExecuteId: string | undefined): SourceKey[] {
  if ("log" in source) return [SourceKeys.log(source.log)];
  if ("execute" in source) {
    const id = source.action ?? defaultExecuteId ?? DEFAULT_EXECUTE;
    return source.execute === "output" ? [SourceKeys.execute("stdout", id), SourceKeys.execute("stderr", id)] : [SourceKeys.execute(source.execute, id)];
  }
  if ("http" in source) return [SourceKeys.http(source.http, source.part)];
  if ("exec" in source) return [SourceKeys.exec(source.exec)];
  if ("attacker" in source) return [SourceKeys.attacker(source.attacker, source.part)];
  if ("relay" in source) return [SourceKeys.relay(source.relay)];
  if (source.exit === "execute") return [SourceKeys.executeExit(source.action ?? defaultExecuteId ?? DEFAULT_EXECUTE)];
  return [SourceKeys.exit(source.exit)];
}
