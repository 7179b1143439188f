import { describe, expect, it } from "vitest";
import { parseMarkdown } from "../../src/tui/markdown.js";

describe("terminal markdown", () => {
  it("reads paragraphs, list items, bold, code and emphasis", () => {
    const b = parseMarkdown("Mesos starts **open**: see `MESOS_ZK`\nand *more*.\n\n- first `a`\n  continued\n2. second");
    expect(b).toEqual([
      {
        kind: "paragraph",
        spans: [
          { kind: "text", text: "Mesos starts " },
          { kind: "bold", text: "open" },
          { kind: "text", text: ": see " },
          { kind: "code", text: "MESOS_ZK" },
          { kind: "text", text: " and " },
          { kind: "em", text: "more" },
          { kind: "text", text: "." },
        ],
      },
      {
        kind: "item",
        bullet: "•",
        spans: [
          { kind: "text", text: "first " },
          { kind: "code", text: "a" },
          { kind: "text", text: " continued" },
        ],
      },
      { kind: "item", bullet: "2.", spans: [{ kind: "text", text: "second" }] },
    ]);
  });
});

describe("terminal markdown: code blocks", () => {
  it("keeps a fenced block's lines as they are, between the paragraphs around it", () => {
    expect(parseMarkdown('ACLs:\n\n```json\n{\n  "a": 1\n}\n```\n\nDone.')).toEqual([
      { kind: "paragraph", spans: [{ kind: "text", text: "ACLs:" }] },
      { kind: "code", lines: ["{", '  "a": 1', "}"] },
      { kind: "paragraph", spans: [{ kind: "text", text: "Done." }] },
    ]);
  });
});
