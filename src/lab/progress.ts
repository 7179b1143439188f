import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { StepResult } from "../engine/events.js";
import { LabError } from "../util/errors.js";

/**
 * Attendee progress, per lab id (one checkout = one lab): where they are and which steps passed. Plain JSON in the
 * XDG state directory so it survives restarts and can be copied to another laptop; written atomically (temp file +
 * rename) so a crash mid-write never leaves half a file behind.
 */

export interface ExerciseProgress {
  passed: string[];
  failed: string[];
  /** Attacks the attendee ran by hand and the lab saw go through (the TUI's "you exploited it"). */
  exploited?: string[];
  last?: { step: string; status: StepResult["status"]; at: string; durationMs: number };
}

export interface LabProgress {
  root?: string;
  current?: { exercise: string; step: string };
  exercises: Record<string, ExerciseProgress>;
  updatedAt?: string;
}

interface ProgressFile {
  version: 1;
  labs: Record<string, LabProgress>;
}

export function progressPath(env: NodeJS.ProcessEnv = process.env): string {
  const state = env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : path.join(env.HOME ?? os.homedir(), ".local", "state");
  return path.join(state, "mesos-lab", "progress.json");
}

export const emptyProgress = (): LabProgress => ({ exercises: {} });

function readFile(file: string): ProgressFile {
  if (!existsSync(file)) return { version: 1, labs: {} };
  try {
    const raw = JSON.parse(readFileSync(file, "utf8")) as ProgressFile;
    if (raw?.version !== 1 || typeof raw.labs !== "object" || raw.labs === null) throw new Error("not a mesos-lab progress file (version 1)");
    return raw;
  } catch (err) {
    throw new LabError(
      "config",
      `progress file ${file} is unreadable: ${(err as Error).message}`,
      "Fix or delete it, or run `mesos-lab progress --reset` to start over.",
      { cause: err },
    );
  }
}

export function readProgress(labId: string, file = progressPath()): LabProgress {
  return readFile(file).labs[labId] ?? emptyProgress();
}

function writeFile(file: string, data: ProgressFile): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o644 });
  renameSync(tmp, file);
}

export function writeProgress(labId: string, p: LabProgress, file = progressPath()): void {
  const data = readFile(file);
  data.labs[labId] = { ...p, updatedAt: new Date().toISOString() };
  writeFile(file, data);
}

/** Clears one lab's progress (or every lab's with `all`); returns whether anything was there. */
export function resetProgress(labId: string, opts: { all?: boolean } = {}, file = progressPath()): boolean {
  const data = readFile(file);
  const had = opts.all ? Object.keys(data.labs).length > 0 : labId in data.labs;
  if (opts.all) data.labs = {};
  else delete data.labs[labId];
  if (had) writeFile(file, data);
  return had;
}

/** Pure: the progress after a step result (a pass removes an earlier failure of that step and vice versa). */
export function recordResult(p: LabProgress, r: Pick<StepResult, "exercise" | "step" | "status" | "durationMs">, at = new Date().toISOString()): LabProgress {
  const prev = p.exercises[r.exercise] ?? { passed: [], failed: [] };
  const passed = r.status === "passed" ? [...new Set([...prev.passed, r.step])] : prev.passed.filter((s) => s !== r.step);
  const failed = r.status === "passed" ? prev.failed.filter((s) => s !== r.step) : [...new Set([...prev.failed, r.step])];
  return { ...p, exercises: { ...p.exercises, [r.exercise]: { passed, failed, last: { step: r.step, status: r.status, at, durationMs: r.durationMs } } } };
}

export function clearExercise(p: LabProgress, exercise: string): LabProgress {
  const exercises = { ...p.exercises };
  delete exercises[exercise];
  return { ...p, exercises, current: p.current?.exercise === exercise ? { exercise, step: "" } : p.current };
}

export type ExerciseStatus = "not started" | "in progress" | "passed" | "failed";

export function exerciseStatus(p: LabProgress, ex: { id: string; steps: Array<{ id: string }> }): ExerciseStatus {
  const e = p.exercises[ex.id];
  if (!e || (e.passed.length === 0 && e.failed.length === 0)) return "not started";
  if (ex.steps.every((s) => e.passed.includes(s.id))) return "passed";
  if (e.last && e.last.status !== "passed") return "failed";
  return "in progress";
}

/** Records that the attendee exploited `attack` of `exercise` by hand. */
export function recordExploit(p: LabProgress, exercise: string, attack: string): LabProgress {
  const ex = p.exercises[exercise] ?? { passed: [], failed: [] };
  if (ex.exploited?.includes(attack)) return p;
  return { ...p, exercises: { ...p.exercises, [exercise]: { ...ex, exploited: [...(ex.exploited ?? []), attack] } } };
}
