import { footerLines } from "../layout.js";
import type { TuiState } from "../state.js";
import { Lines } from "./Lines.js";

/** Prompts and the keys that work on this screen (keys.ts), wrapped between keys to the width. */
export function Footer({ state, width = 99 }: { state: TuiState; width?: number }) {
  return <Lines lines={footerLines(state, width)} />;
}
