import { render } from "ink-testing-library";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AuditReport } from "../../src/audit/types.js";
import { loadCatalogue } from "../../src/catalogue/load.js";
import { resolveConfig } from "../../src/config/load.js";
import type { LabEvent } from "../../src/engine/events.js";
import { App } from "../../src/tui/App.js";
import { exerciseInfos } from "../../src/tui/catalogue.js";
import { initialState, reducer, type TuiState } from "../../src/tui/state.js";
import { emptyProgress, FakeController, tick, waitForFrame } from "./helpers.js";
import { type LabAudits, startLabAudits } from "./lab-audits.js";
import { renderAt, tooWide } from "./screen.js";

/**
 * The audit panel on the step screen (issue 21 point 5): once an exercise's last step has run, the App asks the
 * controller for the lab's audit, says "auditing the lab…" meanwhile, then shows what the exercise closed and what is
 * still open; a failed audit is one line. The panel is part of the measured body: the screen still fits 80×24.
 */

const config = resolveConfig({}, undefined, "/tmp");
const infos = exerciseInfos(await loadCatalogue(), config);
const EX = infos.findIndex((e) => e.id === "02");
const LAST = infos[EX]!.steps.length - 1;
const URLS = { master: "https://127.0.0.1:5050", agent: "https://127.0.0.1:5051" };

let labs: LabAudits;
beforeAll(async () => {
  labs = await startLabAudits();
});
afterAll(() => labs?.close());

const mounted: Array<{ unmount: () => void }> = [];
afterEach(() => mounted.splice(0).forEach((m) => m.unmount()));

/** A passing run of one step of exercise 02 whose cluster published its UIs, as the engine emits it. */
function passingRun(stepIndex: number): LabEvent[] {
  const st = infos[EX]!.steps[stepIndex]!;
  const results = st.expectations.map((e) => ({
    id: e.id,
    says: e.says,
    pattern: e.id,
    negate: false,
    source: "master log",
    cite: { at: "src/master/master.cpp:1", ref: "observed-1.11.md" },
    status: "passed" as const,
    elapsedMs: 1200,
  }));
  return [
    {
      type: "step:start",
      exercise: "02",
      step: { id: st.id, title: st.title, text: st.text, hint: st.hint },
      index: stepIndex,
      total: LAST + 1,
      diff: st.diff,
    },
    ...(["zk", "master", "agent"] as const).map((role): LabEvent => ({ type: "container", exercise: "02", role, state: "ready", name: `mesos-lab-x-${role}` })),
    { type: "published", exercise: "02", urls: URLS, addresses: { master: "127.0.0.1:5050", agent: "127.0.0.1:5051" } },
    ...results.map((result): LabEvent => ({ type: "expectation", exercise: "02", step: st.id, result })),
    {
      type: "step:end",
      result: {
        exercise: "02",
        step: st.id,
        title: st.title,
        status: "passed",
        durationMs: 4200,
        expectations: results,
        hint: st.hint,
        ...(st.attack ? { attack: { id: st.attack.id, expect: st.attack.expect, outcome: st.attack.expect } } : {}),
        timings: { reconcileMs: 1, readyMs: 1, actionsMs: 1, settleMs: 1, created: 3, reused: 0 },
      },
    },
    { type: "exercise:end", exercise: "02", passed: true, durationMs: 4300 },
  ];
}

/** A promise the test settles: the audit as slow as the test wants. */
function deferred() {
  let settle!: { resolve: (r: AuditReport) => void; reject: (e: Error) => void };
  const promise = new Promise<AuditReport>((resolve, reject) => (settle = { resolve, reject }));
  return { promise, ...settle };
}

async function mountAt(stepIndex: number, audit: () => Promise<AuditReport>) {
  const st = infos[EX]!.steps[stepIndex]!;
  const controller = new FakeController({ [`02:${st.id}`]: passingRun(stepIndex) }, () => audit());
  let s = reducer(initialState(infos, emptyProgress()), { type: "open", exIndex: EX });
  s = reducer(s, { type: "step", delta: stepIndex });
  const r = render(<App initial={s} controller={controller} onExit={() => undefined} />);
  mounted.push(r);
  await tick(50);
  r.stdin.write("r");
  return { ...r, controller };
}

describe("the audit panel at the end of an exercise", () => {
  it("audits the lab once the last step has run: 'auditing the lab…', then what 02 closed and what is still open", async () => {
    const d = deferred();
    const { lastFrame, controller } = await mountAt(LAST, () => d.promise);
    let f = await waitForFrame(lastFrame, (x) => x.includes("auditing the lab…"));
    expect(f).toContain("Step passed");
    expect(controller.calls).toEqual([`run 02:${infos[EX]!.steps[LAST]!.id}`, `audit 02 ${URLS.master}`]);
    d.resolve(labs.reports.tls);
    f = await waitForFrame(lastFrame, (x) => x.includes("Closed by exercise 02"));
    expect(f).toContain("Audit of the lab's cluster");
    expect(f).toMatch(/✓ the port speaks plain HTTP only/);
    expect(f).not.toContain("auditing the lab…");
    // asked once per run, not once per frame
    await tick(200);
    expect(controller.calls.filter((c) => c.startsWith("audit"))).toHaveLength(1);
  });

  it("does not audit after a step that is not the exercise's last", async () => {
    const { lastFrame, controller } = await mountAt(1, async () => labs.reports.tls);
    await waitForFrame(lastFrame, (x) => x.includes("Step passed"));
    await tick(200);
    expect(controller.calls).toEqual([`run 02:${infos[EX]!.steps[1]!.id}`]);
    expect(lastFrame()).not.toContain("Audit of the lab");
  });

  it("a failed audit is one line with its reason, and the screen goes on", async () => {
    const { lastFrame } = await mountAt(LAST, async () => {
      throw new Error("the exercise's cluster is no longer up");
    });
    const f = await waitForFrame(lastFrame, (x) => x.includes("audit of the lab not available"));
    expect(f).toContain("audit of the lab not available: the exercise's cluster is no longer up");
    expect(f).toContain("Step passed");
  });
});

/** The screen after 02's last step passed and the lab's audit came back. */
function audited(report: AuditReport): TuiState {
  let s = reducer(initialState(infos, emptyProgress()), { type: "open", exIndex: EX });
  s = reducer(s, { type: "step", delta: LAST });
  s = reducer(s, { type: "runRequested", now: Date.now() - 4300 });
  s = reducer(s, { type: "events", events: passingRun(LAST) });
  const key = `02:${infos[EX]!.steps[LAST]!.id}:${s.run!.startedAt}`;
  s = reducer(s, { type: "auditStart", due: { key, exercise: "02", step: infos[EX]!.steps[LAST]!.id, urls: URLS } });
  return reducer(s, { type: "auditEnd", key, report });
}

describe("the audit panel fits the terminal", () => {
  for (const [columns, rows] of [
    [80, 24],
    [120, 40],
    [200, 50],
  ] as const)
    it(`${columns}×${rows}: header, verdict and footer on screen, the panel in view, no line too wide`, () => {
      for (const report of ["open", "tls", "secured"] as const) {
        const r = renderAt(
          <App initial={audited(labs.reports[report])} controller={new FakeController()} onExit={() => undefined} header="profile 1.11" />,
          columns,
          rows,
        );
        mounted.push(r);
        const lines = r.lines();
        const text = lines.join("\n");
        expect(lines.length, text).toBeLessThanOrEqual(rows);
        expect(tooWide(lines, columns), text).toEqual([]);
        for (const must of [`step ${LAST + 1}/${LAST + 1}`, "Step passed", "quit", "Audit of the lab's cluster", "Closed by exercise 02"])
          expect(text, text).toContain(must);
        r.unmount();
      }
    });

  it("a stale answer (the attendee ran the step again meanwhile) is dropped", () => {
    const s = audited(labs.reports.tls);
    const again = reducer(s, { type: "auditEnd", key: "02:eavesdrop-replay:0", reason: "late" });
    expect(again.audit).toBe(s.audit);
    expect(reducer(s, { type: "runRequested", now: Date.now() }).audit).toBeUndefined();
  });
});
