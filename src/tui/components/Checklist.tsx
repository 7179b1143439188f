import { type ChecklistItem, checklistLines } from "../step-lines.js";
import { Lines } from "./Lines.js";

export type { ChecklistItem } from "../step-lines.js";

/** One line per expectation: pending ·, live spinner while waiting, ✓/✗ with the time it took. */
export function Checklist(props: { items: ChecklistItem[]; running: boolean; tick: number; elapsedMs: number; width?: number }) {
  return <Lines lines={checklistLines(props.items, { ...props, width: props.width ?? 99 })} />;
}
