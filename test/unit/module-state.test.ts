import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeState, moduleState, stateOf } from "../../scripts/module-state.js";
import { ROOT } from "../helpers/cli.js";

describe("module-level mutable state", () => {
  it("src/engine has none: what a run changes belongs to the run", () => {
    expect(describeState(moduleState(path.join(ROOT, "src/engine")), ROOT)).toEqual([]);
  });

  it("finds a top-level let or var and a shared collection, and leaves constants and function scopes alone", () => {
    const text = [
      "let count = 0;",
      "var legacy = 1;",
      "export const activeClusters = new Set<string>();",
      "const seen = new Map();",
      "const PATTERN = /x/;",
      "export const TABLE = { a: 1 } as const;",
      "const date = new Date();",
      "function f() { let inner = 1; const m = new Map(); return inner + m.size; }",
    ].join("\n");
    expect(stateOf("x.ts", text).map((s) => `${s.line} ${s.name}: ${s.why}`)).toEqual([
      "1 count: a module-level let",
      "2 legacy: a module-level var",
      "3 activeClusters: a module-level new Set()",
      "4 seen: a module-level new Map()",
    ]);
  });
});
