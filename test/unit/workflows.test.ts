import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";

/** The npm scripts a workflow file runs: `npm test`, `npm run <name>`, `npm run-script <name>`. */
function npmScriptsRun(yaml: string): string[] {
  const names = [...yaml.matchAll(/\bnpm\s+(?:run(?:-script)?\s+([\w:.-]+)|(test)\b)/g)].map((m) => m[1] ?? m[2]!);
  return [...new Set(names)];
}

describe("the GitHub workflows", () => {
  const dir = path.join(ROOT, ".github/workflows");
  const scripts = Object.keys((JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts);

  it("run only npm scripts that package.json defines", () => {
    const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    const missing = files.flatMap((f) =>
      npmScriptsRun(readFileSync(path.join(dir, f), "utf8")).flatMap((s) => (scripts.includes(s) ? [] : [`${f}: npm run ${s}`])),
    );
    expect(missing).toEqual([]);
  });

  it("reads npm test and npm run lines, and sees a script that does not exist", () => {
    expect(npmScriptsRun("- run: npm ci\n- run: LAB_E2E=1 npm run test:e2e\n- run: npm test\n")).toEqual(["test:e2e", "test"]);
    expect(scripts).not.toContain("test:e2e");
  });
});
