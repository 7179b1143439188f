import "./production.js";
import type { GlobalOpts } from "../lab/global-options.js";

/**
 * Entry point main.ts loads for the TUI. No JSX here on purpose: TypeScript puts the `react/jsx-runtime` import
 * above every other import of a .tsx file, so React would load before production.js set NODE_ENV, and React
 * (development) and Ink's reconciler (production) would disagree — the app then renders nothing. Everything
 * React-related loads through the dynamic import below, after NODE_ENV is set.
 */
export async function launchTui(g: GlobalOpts, opts: { handsOn?: boolean } = {}): Promise<number> {
  return (await import("./run.js")).launchTui(g, opts);
}
