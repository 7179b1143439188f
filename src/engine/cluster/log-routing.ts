import type { LogLine } from "../../runtime/types.js";
import type { Role } from "../../model/roles.js";
import type { RunningContainer } from "./running-container.js";

export type LineSink = (role: Role, source: string, line: LogLine) => void;
export type ExitSink = (live: RunningContainer, code: number) => void;

/**
 * Where the cluster's log lines and container exits go: to the step that runs now. Containers outlive steps, so their
 * streams stay open and a step attaches for its duration; between steps lines go nowhere (each step reads from its
 * own start).
 */
export class LogRouting {
  private lines?: LineSink;
  private exits?: ExitSink;

  attach(lines: LineSink | undefined, exits: ExitSink | undefined): void {
    this.lines = lines;
    this.exits = exits;
  }

  line(role: Role, source: string, line: LogLine): void {
    this.lines?.(role, source, line);
  }

  exit(live: RunningContainer, code: number): void {
    this.exits?.(live, code);
  }
}
