import type { EnvChange } from "../../engine/render.js";
import type { Role } from "../../model/roles.js";
import { flagLines } from "../step-lines.js";
import { Lines } from "./Lines.js";

/** The flags this step adds, removes or changes, per role — what the attendee would type by hand. */
export function FlagDiff({ diff, width = 99, expanded = false }: { diff: Record<Role, EnvChange[]>; width?: number; expanded?: boolean }) {
  return <Lines lines={flagLines(diff, width, expanded)} />;
}
