import type { Exercise } from "../model/exercise.js";
import { validateAcls } from "../model/acls.js";
import type { MesosProfile } from "../model/profiles/index.js";
import { inRange } from "../model/release.js";

/**
 * Checks an exercise beyond its shape: every ACL it would hand to Mesos on the profile's release (inline MESOS_ACLS or
 * a file that MESOS_ACLS points at) must be readable by that release's local authorizer, since Mesos ignores what it
 * cannot read.
 */
export function aclProblems(ex: Exercise, profile: MesosProfile): string[] {
  const out: string[] = [];
  if (!inRange(ex, profile.release)) return out;
  const steps = ex.steps.filter((s) => inRange(s, profile.release));
  // an ACL file may be placed by an earlier step than the one that points MESOS_ACLS at it
  const contents = new Map<string, string>();
  for (const step of steps) for (const f of step.files ?? []) if (f.content !== undefined) contents.set(f.path, f.content);
  for (const step of steps) {
    const envs = [step.env, ...(step.envByRelease ?? []).filter((d) => inRange(d, profile.release)).map((d) => d.env)];
    for (const env of envs) {
      for (const [role, vars] of Object.entries(env ?? {})) {
        const v = (vars as Record<string, string | null>).MESOS_ACLS;
        if (!v) continue;
        if (v.startsWith("file://") || v.startsWith("/")) {
          const p = v.replace(/^file:\/\//, "");
          const content = step.files?.find((f) => f.path === p && f.content !== undefined)?.content ?? contents.get(p);
          if (content !== undefined) for (const pr of validateAcls(content, profile.acls)) out.push(`step '${step.id}', ACL file ${p}: ${pr}`);
          continue;
        }
        for (const pr of validateAcls(v, profile.acls)) out.push(`step '${step.id}', ${role} MESOS_ACLS: ${pr}`);
      }
    }
  }
  return out;
}
