import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";

/**
 * The engine stays in small modules with one concern each (issue "A newcomer adds a step…"): no file over 300 lines,
 * and Cluster a facade of at most 8 public members. The attacker role and its relay are one more role and one more
 * action, not more members on Cluster.
 */
const ENGINE = path.join(ROOT, "src/engine");
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : [],
  );

/** The public members of a class declared in `text`: neither private, protected nor #private, constructor aside. */
function publicMembers(text: string, className: string): string[] {
  const sf = ts.createSourceFile("x.ts", text, ts.ScriptTarget.Latest, true);
  const cls = sf.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === className);
  if (!cls) throw new Error(`no class ${className}`);
  const hidden = (m: ts.ClassElement) =>
    ts.getCombinedModifierFlags(m as ts.Declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected) || (m.name && ts.isPrivateIdentifier(m.name));
  return [...new Set(cls.members.filter((m) => !ts.isConstructorDeclaration(m) && !hidden(m)).map((m) => m.name!.getText(sf)))];
}

describe("the engine's shape", () => {
  it("no file under src/engine is longer than 300 lines", () => {
    const long = files(ENGINE)
      .map((f) => ({ f: path.relative(ROOT, f), lines: readFileSync(f, "utf8").split("\n").length }))
      .filter((x) => x.lines > 300);
    expect(long).toEqual([]);
  });

  it("Cluster has at most 8 public members", () => {
    const members = publicMembers(readFileSync(path.join(ENGINE, "cluster.ts"), "utf8"), "Cluster");
    expect(members.length, members.join(", ")).toBeLessThanOrEqual(8);
  });

  it("counts what a caller can reach: public fields, methods and accessors, not private ones", () => {
    const text = "class C { readonly a = 1; private b = 2; #c = 3; protected d() {} get e() { return 1; } set e(v) {} f() {} private constructor() {} }";
    expect(publicMembers(text, "C")).toEqual(["a", "e", "f"]);
  });
});
