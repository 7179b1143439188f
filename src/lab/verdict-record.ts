import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { entryName } from "../util/memo.js";
import { progressPath } from "./progress.js";

/**
 * The exercises' verdicts (exercise-verdicts.ts) as `doctor`, `verify`, `up` and the TUI last decided them, so that
 * `list`, which must start fast and never talks to the engine, can mark an exercise that cannot run here. Kept next to
 * the progress file ($XDG_STATE_HOME/mesos-lab/verdicts.json), per lab folder, then per engine address and cgroup
 * version, and only for the config they were made with (its profile, images, agentCapabilities): a verdict of another
 * engine, or of a config since changed, is never shown. Lab folders that no longer exist are dropped on each write.
 * Written atomically (temp file + rename), best effort: a state folder that cannot be written loses the record, never
 * the command. Light on purpose (node:fs and path only): `list` reads it.
 */

export type CheckedBy = "doctor" | "verify" | "up" | "tui";

export interface RecordedVerdict {
  runs: boolean;
  reason?: string;
  fix?: string;
  by: CheckedBy;
  /** ISO time of the check. */
  at: string;
}

export interface EngineVerdicts {
  /** The engine's address (DOCKER_HOST, engine.host, or the socket found) and its cgroup version then. */
  engine: string;
  cgroupVersion: string;
  /** What of the config the verdicts depend on (verdictBasis). */
  basis: string;
  exercises: Record<string, RecordedVerdict>;
}

interface VerdictFile {
  version: 1;
  labs: Record<string, Record<string, EngineVerdicts>>;
}

/** Engines kept per lab folder: the newest. */
const KEEP = 8;

export function verdictsPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(path.dirname(progressPath(env)), "verdicts.json");
}

/** The config the verdicts were made with, as a short name: another profile or image makes them another lab's. */
export function verdictBasis(config: { profile: string; images: Record<string, string>; agentCapabilities: boolean }): string {
  return entryName(JSON.stringify([config.profile, Object.entries(config.images).sort(), config.agentCapabilities]));
}

function readFile(file: string): VerdictFile {
  try {
    if (!existsSync(file)) return { version: 1, labs: {} };
    const raw = JSON.parse(readFileSync(file, "utf8")) as VerdictFile;
    return raw?.version === 1 && typeof raw.labs === "object" && raw.labs !== null ? raw : { version: 1, labs: {} };
  } catch {
    return { version: 1, labs: {} }; // unreadable: as if none were recorded (the next check writes a good one)
  }
}

/** When the engine's newest verdict was recorded (ISO times sort as text). */
const newest = (e: EngineVerdicts) =>
  Object.values(e.exercises)
    .map((v) => v.at)
    .sort()
    .at(-1) ?? "";

/**
 * Records the verdicts of one check for the lab folder `root` on `engine`: they replace those of the same exercises
 * recorded before on that engine, cgroup version and config; the other exercises' stay.
 */
export function recordVerdicts(
  root: string,
  entry: Omit<EngineVerdicts, "exercises"> & { exercises: Record<string, Omit<RecordedVerdict, "by" | "at">> },
  by: CheckedBy,
  at = new Date().toISOString(),
  file = verdictsPath(),
): void {
  try {
    const data = readFile(file);
    const lab = (data.labs[root] ??= {});
    const key = `${entry.engine} cgroup v${entry.cgroupVersion}`;
    const before = lab[key]?.basis === entry.basis ? lab[key].exercises : {};
    const mine = Object.fromEntries(Object.entries(entry.exercises).map(([id, v]) => [id, { ...v, by, at }]));
    lab[key] = { engine: entry.engine, cgroupVersion: entry.cgroupVersion, basis: entry.basis, exercises: { ...before, ...mine } };
    // a lab folder keeps its newest engines only
    const keys = Object.keys(lab).sort((a, b) => (newest(lab[b]!) < newest(lab[a]!) ? -1 : 1));
    for (const k of keys.slice(KEEP)) delete lab[k];
    // a lab folder since removed (a class's copy, a test's temp folder) can never be listed again: the file would only
    // grow, and `list` reads all of it at start-up
    for (const r of Object.keys(data.labs)) if (r !== root && !existsSync(r)) delete data.labs[r];
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o644 });
    renameSync(tmp, file);
  } catch {
    /* best effort: the verdicts are a convenience of `list`, the check itself already said them */
  }
}

/**
 * The verdicts last recorded for the lab folder `root` on the engine at `engine` with this config (`basis`), the
 * newest check's cgroup version if the engine changed its own; undefined when none is.
 */
export function recalledVerdicts(root: string, engine: string, basis: string, file = verdictsPath()): EngineVerdicts | undefined {
  const lab = readFile(file).labs[root];
  if (!lab) return undefined;
  const mine = Object.values(lab).filter((e) => e.engine === engine && e.basis === basis && typeof e.exercises === "object");
  return mine.sort((a, b) => (newest(b) < newest(a) ? -1 : 1))[0];
}

/** "(last checked by doctor at 2026-12-07 10:31 UTC)" */
export const checkedText = (v: Pick<RecordedVerdict, "by" | "at">) =>
  `(last checked by ${v.by === "tui" ? "the TUI" : v.by} at ${v.at.slice(0, 16).replace("T", " ")} UTC)`;
