import { footerKeys } from "./keys.js";
import { line, type Line, truncate, widthOf } from "./lines.js";
import type { TuiState } from "./state.js";

/**
 * How the step screen shares the terminal's rows: the title, the step's header and verdict and the footer always
 * show; the body (step text, flags, the run) and the log panes share the rest, the body first up to what it needs,
 * the panes never fewer than a few lines.
 */

/** The footer as lines: prompts first, then the keys, wrapped between keys (never inside one). */
export function footerLines(state: TuiState, width: number): Line[] {
  const out: Line[] = [];
  if (state.confirm) out.push(truncate(line(state.confirm.prompt, { color: "yellow", bold: true }), width));
  if (state.filterEditing) out.push(truncate(line(`filter logs: ${state.filter}▏`, { color: "cyan" }), width));
  if (state.message && !state.confirm) out.push(truncate(line(state.message, { color: "yellow" }), width));
  let cur: Line = [];
  for (const [k, what] of footerKeys(state)) {
    const key: Line = [{ text: ` ${k} `, inverse: true }, { text: ` ${what}` }];
    const sep = cur.length ? [{ text: "  " }] : [];
    if (cur.length && widthOf(cur) + widthOf(sep) + widthOf(key) > width) {
      out.push(truncate(cur, width));
      cur = [...key];
    } else cur.push(...sep, ...key);
  }
  if (cur.length) out.push(truncate(cur, width));
  return out;
}

/** The fewest rows the log panes keep: a header and some lines for each pane of the 2×2 grid. */
export function logRowsMin(available: number): number {
  return available >= 36 ? 12 : available >= 24 ? 8 : available >= 14 ? 6 : 4;
}

/** Rows of the body and of the log panes, out of `available` (the step view's rows less its header and verdict). */
export function allocate(available: number, bodyLines: number): { body: number; logs: number } {
  const logsMin = Math.min(available, logRowsMin(available));
  const body = Math.max(0, Math.min(bodyLines, available - logsMin));
  return { body, logs: available - body };
}

/**
 * Which body lines show: the attendee's own scroll position when they scrolled (↑/↓), else the top before a run and,
 * once a run started, its part of the body (`runStart`), so the checklist and the cause of a failure are on screen.
 * Returns the first line shown, kept within the body.
 */
export function bodyTop(o: { total: number; height: number; runStart?: number; scroll?: number }): number {
  const max = Math.max(0, o.total - o.height);
  const want = o.scroll ?? o.runStart ?? 0;
  return Math.max(0, Math.min(want, max));
}
