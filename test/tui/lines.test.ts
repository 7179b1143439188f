import { describe, expect, it } from "vitest";
import { allocate, bodyTop, logRowsMin } from "../../src/tui/layout.js";
import type { ExpectationResult } from "../../src/engine/events.js";
import { line, markdownLines, sanitize, truncate, truncateMiddle, widthOf, wrap } from "../../src/tui/lines.js";
import type { RunView } from "../../src/tui/state.js";
import { phaseText } from "../../src/tui/step-lines.js";

const text = (l: Array<{ text: string }>) => l.map((s) => s.text).join("");

describe("measured lines", () => {
  it("sanitize expands tabs to the next multiple of 8 and drops escapes and control characters", () => {
    expect(sanitize("\tat org.Foo")).toBe("        at org.Foo");
    expect(sanitize("ab\tc")).toBe("ab      c");
    expect(sanitize("\u001b[31mred\u001b[0m\u0007 bell")).toBe("red bell");
  });

  it("truncate cuts at the width and ends in an ellipsis, keeping styles; a short line stays", () => {
    const l = [{ text: "abc", color: "red" }, { text: "defgh" }];
    expect(text(truncate(l, 5))).toBe("abcd…");
    expect(truncate(l, 5)[0]).toMatchObject({ text: "abc", color: "red" });
    expect(widthOf(truncate(l, 5))).toBe(5);
    expect(truncate(l, 8)).toBe(l);
    expect(text(truncate(line("中文字"), 4))).toBe("中…");
  });

  it("truncateMiddle keeps the start and the end", () => {
    expect(truncateMiddle("Failed to load value 'long json': Missing required fields: agent_id", 30)).toBe("Failed to load …elds: agent_id");
  });

  it("wrap never makes a line wider than the width, cuts a word longer than a line, and indents continuations", () => {
    const lines = wrap(line(`a ${"x".repeat(25)} bb ccc`), 10, "  ");
    expect(lines.map(text)).toEqual(["a xxxxxxxx", "  xxxxxxxx", "  xxxxxxxx", "  x bb ccc"]);
    expect(lines.every((l) => widthOf(l) <= 10)).toBe(true);
  });

  it("markdown lines wrap paragraphs and list items and keep code blocks' lines", () => {
    const md = markdownLines('One **two** three four five six.\n\n- an item that wraps\n\n```\n{ "a": 1 }\n```', 12);
    expect(md.map(text)).toEqual(["One two", "three four", "five six.", "", " • an item", "   that", "   wraps", "", '  { "a": 1 }']);
  });
});

describe("the step screen's rows", () => {
  it("the body takes what it needs up to what the log panes leave; the panes keep their minimum", () => {
    expect(allocate(22, 5)).toEqual({ body: 5, logs: 17 });
    expect(allocate(22, 100)).toEqual({ body: 22 - logRowsMin(22), logs: logRowsMin(22) });
    expect(allocate(3, 100)).toEqual({ body: 0, logs: 3 });
  });

  it("the body follows the run unless the attendee scrolled, and stays within its lines", () => {
    expect(bodyTop({ total: 50, height: 10 })).toBe(0);
    expect(bodyTop({ total: 50, height: 10, runStart: 30 })).toBe(30);
    expect(bodyTop({ total: 50, height: 10, runStart: 45 })).toBe(40);
    expect(bodyTop({ total: 50, height: 10, runStart: 30, scroll: 3 })).toBe(3);
    expect(bodyTop({ total: 5, height: 10, scroll: 3 })).toBe(0);
  });
});

describe("the running step's phase", () => {
  const neg = (id: string, until?: number) =>
    ({ id, says: id, pattern: "x", negate: true, source: "master log", cite: { at: "x.cpp:1" }, status: "waiting", elapsedMs: 0, until }) as ExpectationResult;
  const run = (expectations: ExpectationResult[]): RunView => ({
    exercise: "11",
    step: "3",
    running: true,
    startedAt: 0,
    actions: [{ action: "a", detail: "POST agent/api/v1", ms: 120 }],
    expectations,
    containers: {},
  });

  it("a window watching that a line does not appear counts down to its end", () => {
    expect(phaseText(run([neg("the session is refused", 20_000)]), 12_300)).toBe('8 s left: watching that "the session is refused" does not happen');
    expect(phaseText(run([neg("a", 20_000), neg("b", 22_000)]), 12_000)).toBe("10 s left: watching that 2 lines do not appear");
    // before its window opens (no end sent yet) there is nothing to count
    expect(phaseText(run([neg("a")]), 12_000)).toBe('watching that "a" does not happen');
  });
});
