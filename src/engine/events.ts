import { EventEmitter } from "node:events";
import type { PullProgress } from "../docker/types.js";
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
}

export interface StepResult {
  exercise: string;
  step: string;
  title: string;
  status: "passed" | "failed" | "error";
  durationMs: number;
  expectations: ExpectationResult[];
  /** Set when the step could not run at all (LabError text). */
  error?: string;
  /** Containers that died while the step waited: role → exit code and last lines. */
  died?: Array<{ role: Role; exitCode: number | null; lastLines: string[] }>;
  hint: string;
  /** Per-phase timings for the benchmarks. */
  timings: { reconcileMs: number; readyMs: number; actionsMs: number; settleMs: number; created: number; reused: number };
}

export type LabEvent =
  | { type: "run:start"; runId: string; exercises: Array<{ id: string; title: string; steps: number }>; profile: string; /** hands-on: the workspace file the flags come from */ handsOn?: string }
  | { type: "images:check"; images: string[] }
  | { type: "image:pull"; progress: PullProgress }
  | { type: "exercise:start"; exercise: Pick<Exercise, "id" | "title" | "slug">; steps: number }
  | { type: "step:start"; exercise: string; step: Pick<Step, "id" | "title" | "text" | "hint">; index: number; total: number; diff: Record<Role, EnvChange[]> }
  | { type: "container"; exercise: string; role: Role; state: "created" | "started" | "reused" | "ready" | "exited" | "removed"; exitCode?: number | null; name?: string }
  | { type: "action:start"; exercise: string; step: string; action: string; detail: string }
  | { type: "action:end"; exercise: string; step: string; action: string; detail: string; ms: number }
  | { type: "log"; exercise: string; source: string; role: Role; stream: "stdout" | "stderr"; text: string; ts: number }
  | { type: "expectation"; exercise: string; step: string; result: ExpectationResult }
  | { type: "step:end"; result: StepResult }
  | { type: "exercise:end"; exercise: string; passed: boolean; durationMs: number }
  | { type: "run:end"; passed: number; failed: number; durationMs: number; exitCode: number }
  | { type: "warning"; message: string }
  | { type: "cleanup"; removed: number };

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
