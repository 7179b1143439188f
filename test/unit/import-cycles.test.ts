import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeCycles, findCycles, importCycles, importGraph, type ImportGraph } from "../../scripts/import-cycles.js";
import { ROOT } from "../helpers/cli.js";
import { tempTree } from "../helpers/temp-dir.js";

describe("import cycles", () => {
  it("src/ has none, type-only imports included, between modules or between its top-level folders", () => {
    expect(describeCycles(importCycles(path.join(ROOT, "src"), { withTypes: true }), ROOT)).toEqual([]);
  });

  it("findCycles reports each group of modules that reach each other, with one cycle through it", () => {
    const graph: ImportGraph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a", "d"]],
      ["d", []],
      ["e", ["e"]],
      ["f", ["a"]],
    ]);
    expect(findCycles(graph)).toEqual([
      { modules: ["a", "b", "c"], cycle: ["a", "b", "c", "a"] },
      { modules: ["e"], cycle: ["e", "e"] },
    ]);
    expect(
      findCycles(
        new Map([
          ["a", ["b"]],
          ["b", []],
        ]),
      ),
    ).toEqual([]);
  });

  it("sees a dynamic import hidden from the type checker, and the folder cycle it closes", () => {
    const root = tempTree("imports", {
      "cli/main.ts": 'export async function main() { return (await import("../tui/run.js" as string)).run(); }\n',
      "cli/signals.ts": "export const shutdown = { requested: false };\n",
      "tui/run.ts": 'import { shutdown } from "../cli/signals.js";\nexport const run = () => shutdown.requested;\n',
    });
    expect(importGraph(root).get(path.join(root, "cli/main.ts"))).toEqual([path.join(root, "tui/run.ts")]);
    expect(describeCycles(importCycles(root), root)).toEqual(["import cycle: cli → tui → cli"]);
  });

  it("a type-only import closes a cycle between folders, but not between modules of one folder unless asked", () => {
    const root = tempTree("imports", {
      "lab/doctor.ts": 'import { probe } from "./probes.js";\nexport interface Check { ok: boolean }\nexport const run = () => probe();\n',
      "lab/probes.ts": 'import type { Check } from "./doctor.js";\nexport const probe = (): Check => ({ ok: true });\n',
      "cli/main.ts": 'export * from "../lab/doctor.js";\nexport type { View } from "../tui/view.js";\n',
      "tui/view.ts": 'export type View = import("../cli/main.js").Check;\n',
    });
    expect(describeCycles(importCycles(root), root)).toEqual(["import cycle: cli → tui → cli"]);
    expect(describeCycles(importCycles(root, { withTypes: true }), root)).toEqual([
      "import cycle: cli/main.ts → tui/view.ts → cli/main.ts",
      "import cycle: lab/doctor.ts → lab/probes.ts → lab/doctor.ts",
      "import cycle: cli → tui → cli",
    ]);
  });
});
