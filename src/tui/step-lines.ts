import type { ExpectationResult, StepResult } from "../engine/events.js";
import type { EnvChange } from "../engine/render.js";
import type { Role } from "../model/roles.js";
import { failureCause } from "../engine/failure-cause.js";
import { uiLoginText } from "../engine/ui-login.js";
import { citeText, containersText, processHeadline, secs, streamExcerpt } from "../report/format.js";
import { blank, cell, inline, line, type Line, sanitize, truncate, truncateMiddle, wrap } from "./lines.js";
import { byHandCommands } from "../attack/by-hand.js";
import type { RunView, StepInfo, TuiState } from "./state.js";

/** The step view's parts as measured lines (src/tui/lines.ts), each at most `width` cells wide. */

export const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export interface ChecklistItem {
  id: string;
  says: string;
  result?: ExpectationResult;
}

const OP_COLOR = { "+": "green", "-": "red", "~": "yellow" } as const;

export function changeText(c: EnvChange): string {
  if (c.op === "+") return `+ ${c.key}=${c.value}`;
  if (c.op === "-") return `- ${c.key}`;
  return `~ ${c.key}=${c.previous}→${c.value}`;
}

/**
 * The flags a step adds, removes or changes, per role. A long value ends in an ellipsis; `expanded` (the `e` key)
 * wraps it in full instead.
 */
export function flagLines(diff: Record<Role, EnvChange[]>, width: number, expanded = false): Line[] {
  const roles = (Object.keys(diff) as Role[]).filter((r) => diff[r].length > 0);
  if (roles.length === 0) return [line("No flag changes: this step runs with the previous step's flags.", { dim: true })];
  const out: Line[] = [];
  for (const role of roles)
    diff[role].forEach((c, i) => {
      const head = cell(line(i === 0 ? role : "", { dim: true }), 9);
      const text = line(sanitize(changeText(c)), { color: OP_COLOR[c.op] });
      if (!expanded) out.push([...head, ...truncate(text, width - 9)]);
      else wrap(text, width - 9).forEach((l, j) => out.push([...(j === 0 ? head : cell([], 9)), ...l]));
    });
  return out;
}

/**
 * One line per expectation in four columns that never overlap: the mark (pending ·, a spinner while waiting, ✓/✗),
 * what it says, where it reads from, and the time it took.
 */
export function checklistLines(items: ChecklistItem[], o: { running: boolean; tick: number; elapsedMs: number; width: number }): Line[] {
  const sources = items.map((it) => sanitize(it.result?.source ?? ""));
  const sourceWidth = Math.min(Math.max(0, ...sources.map((s) => s.length)), Math.max(12, Math.floor(o.width * 0.3)));
  const timeWidth = 7;
  const saysWidth = Math.max(10, o.width - 2 - (sourceWidth ? sourceWidth + 2 : 0) - timeWidth - 1);
  return items.map((it, i) => {
    const r = it.result;
    const status = r?.status ?? (o.running ? "waiting" : "pending");
    const mark =
      status === "passed"
        ? line("✓", { color: "green" })
        : status === "failed"
          ? line("✗", { color: "red" })
          : status === "waiting"
            ? line(SPINNER[o.tick % SPINNER.length]!, { color: "yellow" })
            : line("·", { dim: true });
    const time = r && r.status !== "waiting" ? secs(r.elapsedMs) : status === "waiting" ? secs(o.elapsedMs) : "";
    const says: Line = [
      { text: sanitize(it.says), ...(status === "failed" ? { color: "red" } : {}) },
      ...(r?.negate ? line(" (must not appear)", { dim: true }) : []),
    ];
    return [
      ...cell(mark, 2),
      ...cell(says, saysWidth),
      ...(sourceWidth ? [{ text: "  " }, ...cell(line(sources[i]!, { dim: true }), sourceWidth)] : []),
      { text: " " },
      ...cell(line(time, { dim: true }), timeWidth, "right"),
    ];
  });
}

/** Lines of process output the failure panel shows per stream: the log panes hold the rest. */
export const PROCESS_LINES = 5;

/**
 * On failure: first the line that explains it (failure-cause.ts) and the hint for that cause, then what ended
 * (mesos-execute, or a role's container) with its exit code and its last stderr and stdout lines, then expected vs the
 * closest actual lines, then the step's own hint. A red bar marks the panel's lines.
 */
export function failureLines(result: StepResult, width: number, maxClosest = 3): Line[] {
  const inner = width - 2;
  const body: Line[] = [];
  const add = (l: Line) => body.push(truncate(l, inner));
  const addWrapped = (l: Line) => body.push(...wrap(l, inner, "  "));
  add(line(`Step ${result.status === "error" ? "could not run" : "failed"}`, { color: "red", bold: true }));
  const cause = failureCause(result);
  if (cause) {
    // wrapped, not cut: both ends of `EXIT with status 1: Failed to read credentials file '…': No such file…` matter
    addWrapped([...line("cause:", { color: "red", bold: true }), { text: " " }, ...line(sanitize(cause.line), { color: "yellow" })]);
    addWrapped([...line("→", { color: "cyan" }), { text: ` ${sanitize(cause.hint)}` }, ...line(` (${sanitize(cause.where)})`, { dim: true })]);
  }
  if (result.error) addWrapped(line(`error: ${sanitize(result.error)}`, { color: "red" }));
  for (const d of result.died ?? []) {
    add(line(`${processHeadline(d)}${d.role === "execute" ? "" : " while the step waited"}`, { color: "red" }));
    if (d.command) add(line(`  $ ${sanitize(d.command)}`, { dim: true }));
    for (const name of ["stderr", "stdout"] as const) {
      const x = streamExcerpt(name, d[name], PROCESS_LINES);
      add(line(`  ${x.label}`));
      // the middle goes, not the end: `Failed to load value '<task JSON>': Missing required fields: agent_id`
      for (const l of x.lines) body.push(line(truncateMiddle(`    | ${sanitize(l)}`, inner), name === "stderr" ? { color: "yellow" } : {}));
    }
  }
  for (const e of result.expectations.filter((x) => x.status === "failed")) {
    add([...line(`✗ ${sanitize(e.says)}`, { color: "red" }), ...line(` [${citeText(e)}]`, { dim: true })]);
    add([{ text: `  ${e.negate ? "must not match" : "expected"} ` }, ...line(`/${e.pattern}/`, { color: "green" }), { text: ` in ${e.source}` }]);
    if (e.reason) addWrapped(line(`  ${sanitize(e.reason)}`, { dim: true }));
    if (e.matched) add(line(`  matched: ${sanitize(e.matched)}`, { color: "yellow" }));
    if (e.closest?.length) add(line("  closest actual lines:"));
    for (const l of (e.closest ?? []).slice(0, maxClosest)) add(line(`    | ${sanitize(l)}`, { color: "yellow" }));
  }
  addWrapped([...line("hint:", { color: "cyan" }), { text: " " }, ...inline(result.hint)]);
  return body.map((l) => [{ text: "┃ ", color: "red" }, ...l]);
}

/**
 * A run that could not start (a workspace flag under the wrong role, an engine that went away): its whole message and
 * fix, wrapped, where the failure panel goes. The verdict line holds only its start.
 */
export function runErrorLines(error: string, width: number): Line[] {
  const inner = width - 2;
  // the TUI's error text is `<message>  fix: <fix>` (App.tsx errorText): the fix gets a line of its own
  const [message, fix] = error.split(/\s{2}fix: /, 2);
  return [
    line("Step could not run", { color: "red", bold: true }),
    ...wrap(line(sanitize(message!), { color: "red" }), inner, "  "),
    ...(fix ? wrap([...line("fix:", { color: "cyan" }), { text: ` ${sanitize(fix)}` }], inner, "  ") : []),
  ].map((l) => [{ text: "┃ ", color: "red" }, ...l]);
}

/** When the step's clock starts: its step:start, or the key press while the run is being prepared. */
export const clockStart = (run: RunView): number => run.stepStartedAt ?? run.startedAt;

/** What the run did, one line per action, the newest last. */
export function actionLines(run: RunView | undefined, width: number): Line[] {
  if (!run) return [];
  if (!run.actions.length)
    return [line(run.running ? "→ starting containers…" : "→ no actions: this step checks what the containers log on their own", { dim: true })];
  return run.actions.map((a) =>
    truncate(
      [...line("→", { color: "cyan" }), { text: ` ${sanitize(a.detail)} ` }, ...line(a.ms !== undefined ? `(${secs(a.ms)})` : "…", { dim: true })],
      width,
    ),
  );
}

/**
 * What the step is doing right now, said on the verdict line while it runs: the containers it waits for, the action
 * it runs, or the expectations still open (a line that must not appear is watched for until its window closes).
 */
export function phaseText(run: RunView, now = Date.now()): string {
  const pending = run.actions.find((a) => a.ms === undefined);
  if (pending) return sanitize(pending.detail);
  if (!run.actions.length) {
    const states = Object.entries(run.containers) as Array<[Role, { state: string }]>;
    const starting = states.filter(([, c]) => c.state === "created" || c.state === "started").map(([r]) => r);
    if (starting.length) return `waiting for ${starting.join(", ")} to be ready`;
    return "starting containers";
  }
  const open = run.expectations.filter((e) => e.status === "waiting");
  if (open.length && open.every((e) => e.negate)) {
    // the seconds left come first: a narrow terminal cuts the end of this line
    const until = Math.max(0, ...open.map((e) => e.until ?? 0));
    const left = until ? `${Math.max(0, Math.ceil((until - now) / 1000))} s left: ` : "";
    return `${left}watching that ${open.length === 1 ? `"${open[0]!.says}" does not happen` : `${open.length} lines do not appear`}`;
  }
  return open.length ? `waiting for ${open.length} expectation${open.length === 1 ? "" : "s"}` : "checking the expectations";
}

/** The verdict: not run, running (with its phase and clock), passed, failed or could not run. */
export function verdictLine(o: { run?: RunView; now: number; tick: number; hasNext: boolean; width: number }): Line {
  const { run } = o;
  if (!run) return line("press r to run this step", { dim: true });
  if (run.error && !run.result) return truncate(line(`✗ could not run: ${sanitize(run.error)}`, { color: "red", bold: true }), o.width);
  if (run.result) {
    const r = run.result;
    if (r.status === "passed")
      return truncate(
        line(`✓ Step passed in ${secs(r.durationMs)} (${containersText(r.timings)}).${o.hasNext ? " Press n for the next step." : " Exercise complete."}`, {
          color: "green",
          bold: true,
        }),
        o.width,
      );
    const failed = r.expectations.filter((e) => e.status === "failed").length;
    const why =
      r.status === "error"
        ? `could not run${r.error ? `: ${sanitize(r.error)}` : ""}`
        : `failed: ${failed} of ${r.expectations.length} expectations did not hold`;
    return truncate(line(`✗ Step ${why} (${secs(r.durationMs)}); the cause is below`, { color: "red", bold: true }), o.width);
  }
  if (!run.running) return line("stopped", { dim: true });
  return truncate(
    [
      ...line(`${SPINNER[o.tick % SPINNER.length]} running ${secs(o.now - clockStart(run))}`, { color: "yellow" }),
      ...line(` · ${phaseText(run, o.now)}`, { dim: true }),
    ],
    o.width,
  );
}

/** The hint or the solution box, as lines. */
export function noteLines(title: string, color: string, text: Line[], width: number): Line[] {
  return [line(title, { color, bold: true }), ...text.map((l) => truncate([{ text: "  " }, ...l], width))];
}

export { blank };

/**
 * An attack step's own verdict, beside the line that proves it: "exploit worked" in red on the open cluster,
 * "exploit blocked" in green after the control. Before a run it says which of the two the step expects.
 */
export function attackLine(o: { attack: NonNullable<StepInfo["attack"]>; run?: RunView; width: number; mine?: { from: string; line: string } }): Line {
  const { attack, run } = o;
  if (o.mine)
    return truncate(
      [
        ...line(`☠ you exploited it yourself, from ${o.mine.from}: ${attack.title}`, { color: "red", bold: true }),
        ...line(`  ${sanitize(o.mine.line)}`, { dim: true }),
      ],
      o.width,
    );
  const outcome = run?.result?.attack?.outcome;
  const proof = run?.result?.expectations.find((e) => attack.evidence.includes(e.id) && e.status === "passed" && e.matched)?.matched;
  const tail = proof ? line(`  ${sanitize(proof)}`, { dim: true }) : [];
  if (outcome === "works") return truncate([...line(`☠ exploit worked: ${attack.title}`, { color: "red", bold: true }), ...tail], o.width);
  if (outcome === "blocked") return truncate([...line(`🛡 exploit blocked: ${attack.title}`, { color: "green", bold: true }), ...tail], o.width);
  if (outcome === "unproven") return truncate(line(`☠ attack ${attack.title}: neither shown to work nor blocked`, { color: "yellow", bold: true }), o.width);
  const where = attack.expect === "works" ? "the open cluster: it should work" : "after the control: it should be blocked";
  return truncate(line(`☠ attack: ${attack.title} (on ${where})`, { color: attack.expect === "works" ? "red" : "green" }), o.width);
}

/**
 * Where the cluster is (its UIs), and for an attack step the attacker's commands to run by hand against it, once a
 * step has published its ports.
 */
export function endpointLines(state: Pick<TuiState, "published" | "names">, step: StepInfo, width: number): Line[] {
  const p = state.published;
  if (!p) return [];
  const uis = (Object.entries(p.urls) as Array<["master" | "agent", string]>).map(
    ([r, u]) => `${r} ${u}${p.logins?.[r] ? ` (${uiLoginText(p.logins[r])})` : ""}`,
  );
  const out: Line[] = [];
  if (uis.length) out.push(blank, ...wrap([...line("UIs: ", { bold: true }), { text: uis.join(" · ") }], width, "     "));
  if (!step.attack) return out;
  out.push(blank, line("Try the attack yourself:", { bold: true }));
  for (const c of byHandCommands(step.attack, p.addresses, state.names.attacker))
    out.push(...wrap([...line("$ ", { color: "red" }), ...line(c.command, { color: "cyan" })], width, "    "));
  return out;
}
