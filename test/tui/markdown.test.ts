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
