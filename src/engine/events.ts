import { EventEmitter } from "node:events";
import type { PullProgress } from "../runtime/types.js";
import type { Citation, Exercise, Step } from "../model/exercise.js";
import type { Role } from "../model/roles.js";
import type { EnvChange } from "./render.js";

/**
 * The headless engine speaks only in these events; the Ink TUI, plain, JSON and JUnit renderers subscribe to them.
 * Recorded sequences of them drive the TUI tests without Docker.
 */

export type ExpectationStatus = "waiting" | "passed" | "failed";

export interface ExpectationResult {
  id: string;
  says: string;
  pattern: string;
  negate: boolean;
  source: string;
  cite: Citation;
  status: ExpectationStatus;
  elapsedMs: number;
  /** The line that matched (positive) or broke the rule (negative). */
  matched?: string;
  /** When that line was written (container clock) and when the engine resolved it: the detection latency. */
  matchedTs?: number;
  resolvedAt?: number;
  /** On failure: why, and the lines that came closest. */
  reason?: string;
  closest?: string[];
  /** The line shows a secret an exploit stole: reports show it on purpose (src/report/redact.ts). */
  stolen?: true;
  /**
   * While a negative expectation's window runs: when it closes (ms since the epoch), so a screen can count it down.
   * Sent once, when the window opens; a resolved result has none.
   */
  until?: number;
}

/**
 * What one output stream of a process printed, bounded: its first lines (a flag error comes before the usage text,
 * `flags.usage(message)` in stout), its last lines after those, and how many lines it printed in all.
 */
export interface StreamTail {
  total: number;
  head: string[];
  /** The last lines after `head`; `total - head.length - tail.length` lines between them were not kept. */
  tail: string[];
}

export interface DiedProcess {
  role: Role;
  /** Which agent, when the lab runs more than one. */
  instance?: number;
  /** The `mesos-execute` action that ran it, and its command line as the step wrote it. */
  action?: string;
  command?: string;
  /** null when the harness stopped it (`stoppedAfterMs`) or the engine could not tell. */
  exitCode: number | null;
  stoppedAfterMs?: number;
  stderr: StreamTail;
  stdout: StreamTail;
}

export type AttackOutcome = "works" | "blocked" | "unproven";

export interface StepResult {
  exercise: string;
  step: string;
  title: string;
  status: "passed" | "failed" | "error";
  durationMs: number;
  expectations: ExpectationResult[];
  /** Set when the step could not run at all (LabError text). */
  error?: string;
  /**
   * Processes whose end explains the failure, with what each printed last, stderr and stdout apart: a role's container
   * that exited while the step waited, and, in a step that did not pass, a `mesos-execute` that exited non-zero (or was
   * stopped at its timeout) when no exit-code expectation of the step accepted that.
   */
  died?: DiedProcess[];
  hint: string;
  /** Where the step's files are inside the containers, so a failure on a wrong path can name the right one. */
  files?: Array<{ role: Role; path: string }>;
  /**
   * An attack step: the attack, what the step expected of it, and what was seen: `works` (its evidence that it
   * worked held), `blocked` (its evidence that it was blocked held), or `unproven` (neither).
   */
  attack?: { id: string; expect: "works" | "blocked"; outcome: AttackOutcome };
  /** Per-phase timings for the benchmarks. */
  timings: { reconcileMs: number; readyMs: number; actionsMs: number; settleMs: number; created: number; reused: number };
}

/** A container of the run changed state (the TUI's panes, the plain reporter's verbose lines, the bench's phases). */
export interface ContainerEvent {
  type: "container";
  exercise: string;
  role: Role;
  state: "created" | "started" | "reused" | "ready" | "exited" | "removed";
  exitCode?: number | null;
  name?: string;
}

export type LabEvent =
  | {
      type: "run:start";
      runId: string;
      exercises: Array<{ id: string; title: string; steps: number }>;
      profile: string;
      /** hands-on: the workspace file the flags come from */
      handsOn?: string;
    }
  | { type: "image:pull"; progress: PullProgress }
  | { type: "exercise:start"; exercise: Pick<Exercise, "id" | "title" | "slug">; steps: number }
  | { type: "step:start"; exercise: string; step: Pick<Step, "id" | "title" | "text" | "hint">; index: number; total: number; diff: Record<Role, EnvChange[]> }
  | ContainerEvent
  | {
      /** Where this machine reaches the cluster's services once they are ready (its UIs; an attendee's own attack). */
      type: "published";
      exercise: string;
      /** The scheme of each UI: https when the process speaks TLS. */
      urls: Partial<Record<"master" | "agent", string>>;
      /** `host:port` of the master's and agent's service ports. */
      addresses: Partial<Record<"master" | "agent", string>>;
      /** The credentials file a UI asks a login from (ui-login.ts), where it does; never a secret. */
      logins?: Partial<Record<"master" | "agent", string>>;
    }
  | { type: "action:start"; exercise: string; step: string; action: string; detail: string }
  | { type: "action:end"; exercise: string; step: string; action: string; detail: string; ms: number }
  | { type: "log"; exercise: string; source: string; role: Role; stream: "stdout" | "stderr"; text: string; ts: number }
  | { type: "expectation"; exercise: string; step: string; result: ExpectationResult }
  | { type: "step:end"; result: StepResult }
  | { type: "exercise:end"; exercise: string; passed: boolean; durationMs: number }
  | { type: "run:end"; passed: number; failed: number; durationMs: number; exitCode: number }
  | {
      /** An attendee ran an attack by hand against the kept cluster, and the lab saw it go through. */
      type: "exploit";
      exercise: string;
      step: string;
      attack: string;
      /** The log line that shows it, and the address it came from. */
      line: string;
      from: string;
    }
  | { type: "warning"; message: string }
  | { type: "cleanup"; removed: number; exercise?: string };

export class LabBus {
  private readonly ee = new EventEmitter();
  constructor() {
    this.ee.setMaxListeners(50);
  }
  emit(ev: LabEvent): void {
    this.ee.emit("event", ev);
  }
  on(cb: (ev: LabEvent) => void): () => void {
    this.ee.on("event", cb);
    return () => this.ee.off("event", cb);
  }
}
