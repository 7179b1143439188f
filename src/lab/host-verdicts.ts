import type { Exercise } from "../model/exercise.js";
import type { EngineInfo } from "../runtime/types.js";
import type { DoctorCheck } from "./doctor-check.js";
import { capabilitiesFromCheck, exerciseVerdicts, type HostFacts, needsCapabilities, type Verdict } from "./exercise-verdicts.js";
import { probeAgentCapabilities } from "./image-probes.js";
import { type ImageStatus, imageStatus } from "./images.js";
import { type Session, simulatedFreezer } from "./session.js";
import { type CheckedBy, recordVerdicts, verdictBasis } from "./verdict-record.js";

export interface HostVerdicts {
  verdicts: Verdict[];
  /** The facts they were decided from (engine info's cgroup version and rootless, probe, images). */
  facts: HostFacts;
}

/**
 * Gathers the facts exercise-verdicts.ts decides from, for `exercises` on the session's engine, decides, and records
 * the verdicts for `list` (verdict-record.ts). The capabilities mode is probed only when one of the exercises needs
 * it: on a rootless engine, the engine's info answers without a container; elsewhere a throw-away container of the
 * agent image does (1–2 s). Nothing is cached between calls: another engine, or the same
 * one a minute later, is asked again. `images`/`capabilities`: what the caller (doctor) already found.
 */
export async function hostVerdicts(
  s: Session,
  exercises: Exercise[],
  o: { by: CheckedBy; pullable: boolean; images?: ImageStatus[]; capabilities?: DoctorCheck[] },
): Promise<HostVerdicts> {
  const needs = exercises.some((ex) => needsCapabilities(s.config, ex));
  // a run that pulls what is missing and needs no capabilities mode runs everything: no need to ask the engine
  if (o.pullable && !needs)
    return { verdicts: exercises.map((ex) => ({ exercise: ex.id, status: "runs" })), facts: { cgroupVersion: "?", images: {}, pullable: true } };
  const engine = await s.engine();
  const images = o.images ?? (await imageStatus(s.runtime, s.config, exercises));
  const present = Object.fromEntries(images.map((i) => [i.image, i.present]));
  const facts: HostFacts = { cgroupVersion: engine.cgroupVersion, rootless: engine.rootless, images: present, pullable: o.pullable };
  if (needs) facts.capabilities = capabilitiesFromCheck((o.capabilities ?? (await probe(s, engine, present)))[0]);
  const verdicts = exerciseVerdicts(exercises, s.config, facts);
  recordVerdicts(
    s.config.root,
    {
      engine: s.runtime.host.url,
      cgroupVersion: engine.cgroupVersion,
      basis: verdictBasis(s.config),
      exercises: Object.fromEntries(
        verdicts
          .filter((v) => v.status !== "unchecked")
          .map((v) => [v.exercise, v.status === "runs" ? { runs: true } : { runs: false, reason: v.reason, fix: v.fix }]),
      ),
    },
    o.by,
  );
  return { verdicts, facts };
}

/** The capabilities probe, when it can tell: on an engine that runs as root it needs the agent image there. */
async function probe(s: Session, engine: EngineInfo, present: Record<string, boolean>): Promise<DoctorCheck[]> {
  const inContainer = !engine.rootless && simulatedFreezer(s.simulatedCgroup) !== "refused";
  if (inContainer && present[s.config.images.agent] === false) return [];
  if (inContainer && present[s.config.images.agent] === undefined && !(await s.runtime.images.inspect(s.config.images.agent))) return [];
  return probeAgentCapabilities(s.runtime, s.labId, s.config.images.agent, engine, { simulated: simulatedFreezer(s.simulatedCgroup) });
}

/** The verdicts of the exercises that cannot run, by exercise id. */
export function blockedOf(verdicts: Verdict[]): Map<string, Extract<Verdict, { status: "cannot" }>> {
  return new Map(verdicts.flatMap((v) => (v.status === "cannot" ? [[v.exercise, v] as const] : [])));
}
