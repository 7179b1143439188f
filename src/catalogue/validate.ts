import type { Exercise } from "../model/exercise.js";
import { validateAcls } from "../model/acls.js";

/**
 * Checks an exercise beyond its shape: every ACL it would hand to Mesos (inline MESOS_ACLS or a file that
 * MESOS_ACLS points at) must be readable by the 1.4 local authorizer, since Mesos ignores what it cannot read.
 */
export function aclProblems(ex: Exercise): string[] {
  const out: string[] = [];
  for (const step of ex.steps) {
    const envs = [step.env, ...Object.values(step.envByProfile ?? {})];
    for (const env of envs) {
      for (const [role, vars] of Object.entries(env ?? {})) {
        const v = (vars as Record<string, string | null>).MESOS_ACLS;
        if (!v) continue;
        if (v.startsWith("file://") || v.startsWith("/")) {
          const p = v.replace(/^file:\/\//, "");
          const f = step.files?.find((f) => f.path === p && f.content !== undefined);
          if (f) for (const pr of validateAcls(f.content!)) out.push(`step '${step.id}', ACL file ${p}: ${pr}`);
          continue;
        }
        for (const pr of validateAcls(v)) out.push(`step '${step.id}', ${role} MESOS_ACLS: ${pr}`);
      }
    }
  }
  return out;
}
