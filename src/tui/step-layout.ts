import { currentExercise, currentStep, stepPassed, type TuiState } from "./state.js";
import { auditPanelLines } from "./audit-panel.js";
import { allocate, bodyTop } from "./layout.js";
import { blank, inline, line, type Line, markdownLines, truncate, wrap } from "./lines.js";
import {
  actionLines,
  attackLine,
  checklistLines,
  clockStart,
  endpointLines,
  failureLines,
  flagLines,
  noteLines,
  runErrorLines,
  verdictLine,
} from "./step-lines.js";

/** The step screen measured for a terminal: what each region shows, and where the body is scrolled to. */
export interface StepLayout {
  header: Line;
  verdict: Line;
  /** An attack step's verdict: exploit worked / blocked, beside its proof. */
  attack?: Line;
  /** The body lines on screen, a scroll marker included when the body does not fit. */
  body: Line[];
  logRows: number;
  /** First body line shown, and the largest first line (↑/↓ move between 0 and it). */
  top: number;
  maxTop: number;
  /** Lines an expectation matched: highlighted in the log panes. */
  matched: Set<string>;
}

export function stepLayout(state: TuiState, width: number, rows: number, now: number): StepLayout | undefined {
  const ex = currentExercise(state);
  const step = currentStep(state);
  if (!ex || !step) return undefined;
  // the run belongs to this step only when the attendee has not moved on to another one
  const run = state.run && state.run.exercise === ex.id && state.run.step === step.id ? state.run : undefined;
  const results = new Map((run?.expectations ?? []).map((e) => [e.id, e]));
  const items = step.expectations.map((e) => ({ id: e.id, says: e.says, result: results.get(e.id) }));
  for (const r of run?.expectations ?? []) if (!step.expectations.some((e) => e.id === r.id)) items.push({ id: r.id, says: r.says, result: r });
  const failed = run?.result && run.result.status !== "passed" ? run.result : undefined;

  // while this exercise runs and this step has no result yet, an earlier pass is not what the screen is about
  const rerunning = !!state.run?.running && state.run.exercise === ex.id && !run?.result;
  const badge: Line = [
    ...(rerunning ? line(" … running", { color: "yellow" }) : stepPassed(state) ? line(" ✓ passed", { color: "green" }) : []),
    ...(state.mode === "hands-on" ? line(" [hands-on]", { color: "magenta" }) : []),
  ];
  const title: Line = [
    { text: `${ex.id} ${ex.title} `, bold: true },
    { text: "· ", dim: true },
    { text: `step ${state.stepIndex + 1}/${ex.steps.length}: `, bold: true },
    { text: step.id, color: "cyan", bold: true },
    { text: ` — ${step.title}`, bold: true },
  ];
  // the badge stays whole: the title gives way
  const badgeWidth = badge.reduce((n, s) => n + s.text.length, 0);
  const header = [...truncate(title, width - badgeWidth), ...badge];
  const verdict =
    state.unavailable[ex.id] && !run
      ? truncate(line(`✗ cannot run here: ${state.unavailable[ex.id]!.reason}`, { color: "red", bold: true }), width)
      : verdictLine({ run, now, tick: state.tick, hasNext: state.stepIndex + 1 < ex.steps.length, width });
  const mine = state.exploit && state.exploit.exercise === ex.id && state.exploit.step === step.id ? state.exploit : undefined;
  const attack = step.attack ? attackLine({ attack: step.attack, run, width, mine }) : undefined;

  // an exercise this host cannot run says why first: its steps refuse to run (keys.ts)
  const u = state.unavailable[ex.id];
  const body: Line[] = [
    ...(u
      ? [
          ...wrap(line(`✗ This exercise cannot run here: ${u.reason}${u.checked ? ` ${u.checked}` : ""}`, { color: "red", bold: true }), width),
          ...wrap(line(`  fix: ${u.fix}`, { dim: true }), width, "  "),
          blank,
        ]
      : []),
    ...markdownLines(step.text, width),
    blank,
  ];
  if (state.mode === "hands-on")
    body.push(
      ...wrap(
        inline(
          `**Your turn:** write the flags for each role in \`workspace/${ex.id}-${ex.slug}.env\`, then press r. (s shows the solution; \`mesos-lab solve ${ex.id}:${step.id}\` writes it.)`,
        ),
        width,
      ),
    );
  else body.push(line("Flags this step applies", { bold: true }), ...flagLines(step.diff, width, state.expandFlags));
  body.push(blank);
  // what the attendee asked for or the run produced comes into view first: hint, solution, the cause of a failure
  const runStart = run || state.showHint || state.showSolution ? body.length : undefined;
  if (state.showHint && !failed) body.push(...wrap([...line("hint:", { color: "cyan" }), { text: " " }, ...inline(step.hint)], width, "  "), blank);
  if (state.showSolution) {
    const words = step.solution ? wrap(inline(step.solution), width - 2) : [];
    body.push(
      ...noteLines("Solution: these flags, on top of the previous step's", "magenta", [...flagLines(step.diff, width - 2, true), ...words], width),
      blank,
    );
  }
  if (failed) body.push(...failureLines(failed, width), blank);
  else if (run?.error && !run.result) body.push(...runErrorLines(run.error, width), blank);
  body.push(line("Expectations", { bold: true }));
  body.push(...checklistLines(items, { running: !!run?.running, tick: state.tick, elapsedMs: run ? now - clockStart(run) : 0, width }));
  body.push(blank, ...actionLines(run, width));
  // the audit belongs to the run on screen; after a pass it is the news, so it comes into view in place of the checklist
  const audit = run && state.audit?.exercise === ex.id && state.audit.step === step.id ? state.audit : undefined;
  let auditStart: number | undefined;
  if (audit) {
    body.push(blank);
    auditStart = body.length;
    body.push(...auditPanelLines(audit, width, state.tick));
  }
  if (state.published?.exercise === ex.id) body.push(...endpointLines(state, step, width));
  while (body.length && body.at(-1)!.length === 0) body.pop();

  const { body: bodyRows, logs: logRows } = allocate(Math.max(0, rows - (attack ? 3 : 2)), body.length);
  const cut = body.length > bodyRows;
  const height = cut ? Math.max(0, bodyRows - 1) : bodyRows;
  const maxTop = Math.max(0, body.length - height);
  const top = bodyTop({ total: body.length, height, runStart: auditStart !== undefined && !failed ? auditStart : runStart, scroll: state.bodyScroll });
  const shown = body.slice(top, top + height);
  if (cut && bodyRows > 0)
    shown.push(
      truncate(
        line(
          `── lines ${top + 1}–${top + height} of ${body.length}${top > 0 ? " · ↑ more above" : ""}${top < maxTop ? " · ↓ more below" : ""} (${state.logFocus === "all" ? "↑↓ scroll" : "l until logs: all, then ↑↓ scroll"}) ──`,
          { dim: true },
        ),
        width,
      ),
    );
  const matched = new Set((run?.expectations ?? []).filter((e) => e.status === "passed" && e.matched).map((e) => e.matched!));
  return { header, verdict, ...(attack ? { attack } : {}), body: shown, logRows, top, maxTop, matched };
}
