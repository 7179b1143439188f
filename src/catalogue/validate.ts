import type { Exercise } from "../model/exercise.js";
import { validateAcls } from "../model/acls.js";

/**
 * Checks an exercise beyond its shape: every ACL it would hand to Mesos (inline MESOS_ACLS or a file that
 * MESOS_ACLS points at) must be readable by the 1.4 local authorizer, since Mesos ignores what it cannot read.
 */
export function aclProblems(ex: Exercise): string[] {
  const out: string[] = [];
  // an ACL file may be placed by an earlier step than the one that points MESOS_ACLS at it
  const contents = new Map<string, string>();
  for (const step of ex.steps) for (const f of step.files ?? []) if (f.content !== undefined) contents.set(f.path, f.content);
  for (const step of ex.steps) {
    const envs = [step.env, ...Object.values(step.envByProfile ?? {})];
    for (const env of envs) {
      for (const [role, vars] of Object.entries(env ?? {})) {
        const v = (vars as Record<string, string | null>).MESOS_ACLS;
        if (!v) continue;
        if (v.startsWith("file://") || v.startsWith("/")) {
          const p = v.replace(/^file:\/\//, "");
          const content = step.files?.find((f) => f.path === p && f.content !== undefined)?.content ?? contents.get(p);
          if (content !== undefined) for (const pr of validateAcls(content)) out.push(`step '${step.id}', ACL file ${p}: ${pr}`);
          continue;
        }
        for (const pr of validateAcls(v)) out.push(`step '${step.id}', ${role} MESOS_ACLS: ${pr}`);
      }
    }
  }
  return out;
}
