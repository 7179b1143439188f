import type { RenderedStep } from "./render.js";

/**
 * Where the lab's files are inside the containers, said under the step text and in the starter workspace: a
 * `file://` flag names a path in the container, and attendees who had to guess wrote `file:///credentials/…`
 * (issue 19). Every file the cluster has at this step, the earlier steps' included, since the flags carried over
 * name them too.
 */
export function stepFiles(rs: Pick<RenderedStep, "files">): Array<{ path: string; roles: string[] }> {
  const byPath = new Map<string, string[]>();
  for (const f of rs.files) {
    if (f.role !== "master" && f.role !== "agent" && f.role !== "execute") continue;
    byPath.set(f.path, [...(byPath.get(f.path) ?? []), f.role === "execute" ? "mesos-execute" : f.role]);
  }
  return [...byPath].map(([path, roles]) => ({ path, roles })).sort((a, b) => a.path.localeCompare(b.path));
}

/** The step text's closing paragraph naming those files; empty when the step has none. */
export function filesParagraph(rs: Pick<RenderedStep, "files">): string {
  const files = stepFiles(rs);
  if (!files.length) return "";
  return `**Files in the containers** (what a \`file://\` flag names): ${files.map((f) => `\`${f.path}\` (${f.roles.join(", ")})`).join(", ")}.`;
}

export function withFiles(text: string, rs: Pick<RenderedStep, "files">): string {
  const p = filesParagraph(rs);
  return p ? `${text}\n\n${p}` : text;
}
