import mesos111 from "./1.11.js";
import mesos14 from "./1.4.js";
import type { MesosProfile } from "./profile.js";

export type { AclDialect, MesosProfile } from "./profile.js";

/** The profiles mesos-lab ships, oldest first; lab.config.ts may add its own (`profiles`), each like one of these. */
export const BUILTIN_PROFILES: readonly MesosProfile[] = [mesos14, mesos111];

/** The final Apache release: what a lab runs unless lab.config.ts says otherwise. */
export const DEFAULT_PROFILE = mesos111.name;

export function builtinProfile(name: string): MesosProfile | undefined {
  return BUILTIN_PROFILES.find((p) => p.name === name);
}
