import { describe, expect, it } from "vitest";
import type { LabEvent } from "../../src/engine/events.js";
import { emptyProgress } from "../../src/lab/progress.js";
import { initialState, reducer, type TuiState } from "../../src/tui/state.js";
import { stepLayout } from "../../src/tui/step-layout.js";
import { infos, recorded, stepEvents } from "./helpers.js";

const text = (l: Array<{ text: string }>) => l.map((s) => s.text).join("");
const open = async () => reducer(initialState(await infos(), emptyProgress()), { type: "open" });
/** 01's first step as the engine emitted it, up to (not including) its end. */
const untilEnd = (events: LabEvent[]) =>
  events.slice(
    0,
    events.findIndex((e) => e.type === "step:end"),
  );

describe("the step view's clock and header while a step runs (issue 19)", () => {
  it("the spinner counts from the step's start, as the report does, not from the key press", async () => {
    let s = reducer(await open(), { type: "runRequested", now: 1_000 });
    // preparing the run took 3 s before the step started
    s = reducer(s, { type: "events", events: untilEnd(stepEvents(recorded("01-pass"), "cluster")), now: 4_000 });
    const verdict = text(stepLayout(s, 120, 40, 5_500)!.verdict);
    expect(verdict).toMatch(/running 1\.5 s/);
  });

  it("a passed step run again says running in its header until its new result, not ✓ passed", async () => {
    let s: TuiState = reducer(await open(), { type: "runRequested", now: 0 });
    s = reducer(s, { type: "events", events: stepEvents(recorded("01-pass"), "cluster"), now: 10 });
    expect(text(stepLayout(s, 120, 40, 100)!.header)).toMatch(/ ✓ passed$/);
    s = reducer(s, { type: "runRequested", now: 200 });
    expect(text(stepLayout(s, 120, 40, 300)!.header)).toMatch(/ … running$/);
    const events = stepEvents(recorded("01-pass"), "cluster");
    s = reducer(s, { type: "events", events: untilEnd(events), now: 400 });
    expect(text(stepLayout(s, 120, 40, 500)!.header)).toMatch(/ … running$/);
    s = reducer(s, { type: "events", events: events.slice(untilEnd(events).length), now: 600 });
    expect(text(stepLayout(s, 120, 40, 700)!.header)).toMatch(/ ✓ passed$/);
  });

  it("the UIs line names the file a protected UI's login comes from, and no secret", async () => {
    let s = reducer(await open(), { type: "runRequested", now: 0 });
    s = reducer(s, { type: "events", events: untilEnd(stepEvents(recorded("01-pass"), "cluster")), now: 10 });
    s = reducer(s, {
      type: "events",
      events: [
        {
          type: "published",
          exercise: "01",
          urls: { master: "http://127.0.0.1:5050", agent: "http://127.0.0.1:5051" },
          addresses: { master: "127.0.0.1:5050", agent: "127.0.0.1:5051" },
          logins: { master: "credentials/credentials.json" },
        },
      ],
      now: 20,
    });
    const body = stepLayout(s, 200, 50, 30)!.body.map(text).join("\n");
    expect(body).toContain(
      "UIs: master http://127.0.0.1:5050 (asks for a login: a principal and its secret from credentials/credentials.json) · agent http://127.0.0.1:5051",
    );
  });
});
