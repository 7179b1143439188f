import { currentStep, isRunning, stepPassed, type TuiAction, type TuiState, unavailableHere, unavailableText } from "./state.js";

/**
 * Key → what to do, as a pure function of the state: either a reducer action or an effect the App performs
 * (starting a run, removing containers, exiting). The footer is generated from the same table, so the keys it
 * shows are the keys that work.
 */

export type Effect =
  | { effect: "run" }
  | { effect: "quit"; stopCluster: boolean }
  | { effect: "interrupt" }
  | { effect: "resetExercise" }
  | { effect: "resetAll" }
  | { effect: "doctor" };

export type Intent = TuiAction | Effect;

export interface KeyInfo {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  return?: boolean;
  escape?: boolean;
  ctrl?: boolean;
  backspace?: boolean;
  delete?: boolean;
  tab?: boolean;
}

/** Where the step body is scrolled on screen now (src/tui/step-layout.ts), so ↑/↓ move from what the attendee sees. */
export interface BodyView {
  top: number;
  maxTop: number;
}

export function keyIntent(s: TuiState, input: string, key: KeyInfo, view?: BodyView): Intent | undefined {
  // Enter pressed while the TUI starts, before Ink sets raw mode, reaches it as "\n": the terminal's line discipline
  // turned the CR into a newline (ICRNL), and Ink names that `enter`, not `return`. It is the same key.
  if (input === "\n" && !key.return) return keyIntent(s, "", { ...key, return: true }, view);
  if (key.ctrl && input === "c") return { effect: "interrupt" };

  if (s.confirm) {
    const yes = input === "y" || input === "Y";
    const no = input === "n" || input === "N";
    switch (s.confirm.kind) {
      case "quit":
        // y: stop the cluster and quit; n: quit and leave it running (`mesos-lab down` removes it later)
        if (yes) return { effect: "quit", stopCluster: true };
        if (no) return { effect: "quit", stopCluster: false };
        break;
      case "reset":
        if (yes) return { effect: "resetExercise" };
        if (no) return { type: "cancel" };
        break;
      case "resetAll":
        if (yes) return { effect: "resetAll" };
        if (no) return { type: "cancel" };
        break;
      case "solution":
        if (yes) return { type: "showSolution" };
        if (no) return { type: "cancel" };
        break;
    }
    return key.escape ? { type: "cancel" } : undefined;
  }

  if (s.filterEditing) {
    if (key.return) return { type: "filterEnd", keep: true };
    if (key.escape) return { type: "filterEnd", keep: false };
    if (key.backspace || key.delete) return { type: "filterText", text: s.filter.slice(0, -1) };
    if (input && !key.ctrl) return { type: "filterText", text: s.filter + input };
    return undefined;
  }

  // only a cluster this session started is worth the question: with none, q quits and leaves whatever else runs
  const quit: Intent = Object.keys(s.names).length
    ? { type: "confirm", confirm: { kind: "quit", prompt: "Quit: stop this lab's cluster too? [y]es / [n]o, leave it running / [esc] stay" } }
    : { effect: "quit", stopCluster: false };
  const resetAll: Intent = {
    type: "confirm",
    confirm: { kind: "resetAll", prompt: "Remove EVERY mesos-lab container/network on this engine (all labs)? [y/n]" },
  };

  if (s.screen === "list") {
    if (key.upArrow || input === "k") return { type: "cursor", delta: -1 };
    if (key.downArrow || input === "j") return { type: "cursor", delta: 1 };
    if (key.return || key.rightArrow) return { type: "open" };
    if (/^[0-9]$/.test(input)) {
      // the nth exercise of the list (ids need not be contiguous)
      const i = parseInt(input, 10) - 1;
      if (s.exercises[i]) return { type: "open", exIndex: i };
    }
    if (input === "d") return { effect: "doctor" };
    if (input === "R") return resetAll;
    if (input === "q") return quit;
    return undefined;
  }

  if (s.screen === "doctor") {
    if (key.escape || input === "b" || key.leftArrow) return { type: "back" };
    if (input === "d") return { effect: "doctor" };
    if (input === "R") return resetAll;
    if (input === "q") return quit;
    return undefined;
  }

  // step view
  if (key.escape || input === "b") return { type: "back" };
  if (input === "n" || key.rightArrow) return { type: "step", delta: 1 };
  if (input === "p" || key.leftArrow) return { type: "step", delta: -1 };
  if (input === "r" || key.return) {
    // an exercise this host cannot run refuses its steps, with the reason and the fix, and starts nothing
    const u = unavailableHere(s);
    if (u) return { type: "message", text: unavailableText(u) };
    return isRunning(s) ? undefined : { effect: "run" };
  }
  if (input === "h") return { type: "toggleHint" };
  if (input === "s") {
    if (!currentStep(s)) return undefined;
    return stepPassed(s)
      ? { type: "showSolution" }
      : { type: "confirm", confirm: { kind: "solution", prompt: "You have not passed this step yet. Show the solution anyway? [y/n]" } };
  }
  if (input === "l" || key.tab) return { type: "cycleLogs" };
  if (input === "e") return { type: "toggleFlags" };
  if (s.logFocus === "all" && view) {
    const to = (top: number) => ({ type: "bodyScroll" as const, top: Math.max(0, Math.min(view.maxTop, top)) });
    if (key.upArrow) return to(view.top - 1);
    if (key.downArrow) return to(view.top + 1);
    if (key.pageUp) return to(view.top - SCROLL_PAGE);
    if (key.pageDown) return to(view.top + SCROLL_PAGE);
  }
  if (s.logFocus !== "all") {
    if (key.pageUp) return { type: "scroll", delta: SCROLL_PAGE };
    if (key.pageDown) return { type: "scroll", delta: -SCROLL_PAGE };
    if (key.upArrow) return { type: "scroll", delta: 1 };
    if (key.downArrow) return { type: "scroll", delta: -1 };
    if (input === "f") return { type: "follow" };
  }
  if (input === "/") return { type: "filterStart" };
  if (input === "x")
    return isRunning(s)
      ? undefined
      : { type: "confirm", confirm: { kind: "reset", prompt: "Reset this exercise: forget its progress and remove its containers? [y/n]" } };
  if (input === "q") return quit;
  return undefined;
}

/** Lines one PgUp/PgDn moves the focused log pane. */
export const SCROLL_PAGE = 10;

/** Footer text per screen; the same keys keyIntent handles. */
export function footerKeys(s: TuiState): Array<[string, string]> {
  if (s.confirm)
    return [
      ["y", "yes"],
      ["n", "no"],
      ["esc", "cancel"],
    ];
  if (s.filterEditing)
    return [
      ["enter", "apply filter"],
      ["esc", "clear"],
    ];
  if (s.screen === "list")
    return [
      ["↑↓/jk", "move"],
      ["enter", "open"],
      ["1-9", "jump"],
      ["d", "doctor"],
      ["R", "reset all"],
      ["q", "quit"],
    ];
  if (s.screen === "doctor")
    return [
      ["d", "re-check"],
      ["R", "reset all"],
      ["esc", "back"],
      ["q", "quit"],
    ];
  return [
    ["r", unavailableHere(s) ? "cannot run here" : isRunning(s) ? "running…" : s.run?.result ? "re-run" : "run"],
    ["n/p", "next/prev"],
    ["h", "hint"],
    ["s", "solution"],
    ["l", `logs: ${s.logFocus}`],
    ["e", s.expandFlags ? "cut flags" : "full flags"],
    ["/", s.filter ? `filter "${s.filter}"` : "filter"],
    ["x", "reset"],
    ["esc", "list"],
    ["q", "quit"],
  ];
}
