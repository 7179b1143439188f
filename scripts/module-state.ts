/**
 * Module-level mutable state in a source tree, found with the TypeScript compiler API: a top-level `let` or `var`, or
 * a top-level binding whose value is a new mutable container (`new Map()`, `new Set()`, `new WeakMap()`,
 * `new WeakSet()`, `new EventEmitter()`, `new AbortController()`). State like that is shared by every run in the
 * process; it belongs to the run that uses it.
 *   node --import tsx scripts/module-state.ts [folder]   (default src/engine; exits 1 naming each binding)
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";

const SOURCE = /\.(ts|tsx|mts|cts)$/;
const MUTABLE = new Set(["Map", "Set", "WeakMap", "WeakSet", "EventEmitter", "AbortController"]);

export interface ModuleState {
  file: string;
  line: number;
  name: string;
  why: string;
}

function filesOf(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return filesOf(p);
    return SOURCE.test(e.name) && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

/** The module-level mutable bindings of one file's text. */
export function stateOf(file: string, text: string): ModuleState[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: ModuleState[] = [];
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    const list = st.declarationList;
    const mutableBinding = !(list.flags & (ts.NodeFlags.Const | ts.NodeFlags.Using | ts.NodeFlags.AwaitUsing));
    for (const d of list.declarations) {
      const name = d.name.getText(sf);
      const line = sf.getLineAndCharacterOfPosition(d.getStart(sf)).line + 1;
      if (mutableBinding) found.push({ file, line, name, why: `a module-level ${list.flags & ts.NodeFlags.Let ? "let" : "var"}` });
      else if (d.initializer && ts.isNewExpression(d.initializer) && MUTABLE.has(d.initializer.expression.getText(sf)))
        found.push({ file, line, name, why: `a module-level new ${d.initializer.expression.getText(sf)}()` });
    }
  }
  return found;
}

export function moduleState(dir: string): ModuleState[] {
  return filesOf(dir).flatMap((f) => stateOf(f, readFileSync(f, "utf8")));
}

export function describeState(found: ModuleState[], root: string): string[] {
  return found.map((s) => `${path.relative(root, s.file)}:${s.line} ${s.name}: ${s.why}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const dir = path.resolve(process.argv[2] ?? "src/engine");
  const lines = describeState(moduleState(dir), process.cwd());
  for (const l of lines) console.log(l);
  process.exit(lines.length ? 1 : 0);
}
