/**
 * Import cycles in a source tree, found with the TypeScript compiler API, at two levels:
 * - between modules, through every import that loads a module at run time: static imports and re-exports
 *   (`import { type A }` too: verbatimModuleSyntax keeps the statement), and `import("…")` with a string literal,
 *   also when cast (`import("…" as string)` hides the module from the type checker, not from this graph);
 * - between the tree's top-level folders (cli, tui, engine, …), through those imports and type-only ones as well: a
 *   layer that needs another's types depends on it just the same.
 * Type-only imports inside one folder do not count (`withTypes` counts them too).
 *   node --import tsx scripts/import-cycles.ts [--with-types] [folder]   (default src; exits 1 naming each cycle)
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";

/** module file → the files of the same folder tree it imports */
export type ImportGraph = Map<string, string[]>;

const SOURCE = /\.(ts|tsx|mts|cts)$/;

/** The module a `"…"` or `"…" as string` argument names. */
function literalOf(node: ts.Node | undefined): string | undefined {
  if (!node) return undefined;
  if (ts.isStringLiteralLike(node)) return node.text;
  if (ts.isAsExpression(node) || ts.isParenthesizedExpression(node) || ts.isSatisfiesExpression(node)) return literalOf(node.expression);
  return undefined;
}

/** The module specifiers a file imports (see the top of this file for which count). */
export function specifiersOf(file: string, text: string, o: { withTypes?: boolean } = {}): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      if (o.withTypes || !node.importClause?.isTypeOnly) out.push((node.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      if (o.withTypes || !node.isTypeOnly) out.push((node.moduleSpecifier as ts.StringLiteral).text);
    }
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const s = literalOf(node.arguments[0]);
      if (s !== undefined) out.push(s);
    } else if (o.withTypes && ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const s = literalOf(node.argument.literal);
      if (s !== undefined) out.push(s);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

export function importGraph(root: string, o: { withTypes?: boolean } = {}): ImportGraph {
  const dir = path.resolve(root);
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && SOURCE.test(e.name) && !e.name.endsWith(".d.ts"))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  const options: ts.CompilerOptions = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, jsx: ts.JsxEmit.ReactJSX, allowJs: false };
  const host = ts.createCompilerHost(options);
  const inside = new Set(files);
  const graph: ImportGraph = new Map();
  for (const file of files) {
    const targets = specifiersOf(file, readFileSync(file, "utf8"), o)
      .map((s) => ts.resolveModuleName(s, file, options, host).resolvedModule?.resolvedFileName)
      .filter((t): t is string => t !== undefined && inside.has(path.resolve(t)))
      .map((t) => path.resolve(t));
    graph.set(file, [...new Set(targets)].sort());
  }
  return graph;
}

/** Modules that all reach each other through imports, and one shortest cycle through them. */
export interface ImportCycle {
  modules: string[];
  cycle: string[];
}

/** One entry per group of modules that reach each other (Tarjan's strongly connected components). */
export function findCycles(graph: ImportGraph): ImportCycle[] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    for (let w = stack.pop()!; ; w = stack.pop()!) {
      onStack.delete(w);
      group.push(w);
      if (w === v) break;
    }
    if (group.length > 1 || (graph.get(v) ?? []).includes(v)) groups.push(group);
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) connect(v);
  return groups
    .map((g) => ({ modules: g.sort(), cycle: cycleThrough(graph, new Set(g)) }))
    .sort((x, y) => x.modules[0]!.localeCompare(y.modules[0]!));
}

/** A shortest way from the group's first module back to itself, staying inside the group. */
function cycleThrough(graph: ImportGraph, group: Set<string>): string[] {
  const start = [...group].sort()[0]!;
  const from = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i]!;
    for (const w of graph.get(v) ?? []) {
      if (!group.has(w)) continue;
      if (w === start) {
        const way = [v];
        while (way[0] !== start) way.unshift(from.get(way[0]!)!);
        return [...way, start];
      }
      if (!from.has(w)) {
        from.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/** The graph between the top-level folders of root (a file directly in root is its own node, named without .ts). */
export function folderGraph(graph: ImportGraph, root: string): ImportGraph {
  const top = (file: string) => path.join(path.resolve(root), path.relative(path.resolve(root), file).split(path.sep)[0]!.replace(SOURCE, ""));
  const out: ImportGraph = new Map();
  for (const [file, targets] of graph) {
    const from = top(file);
    const to = new Set(out.get(from) ?? []);
    for (const t of targets) if (top(t) !== from) to.add(top(t));
    out.set(from, [...to].sort());
  }
  return out;
}

/** The cycles `npm test` refuses: between modules at run time, and between top-level folders through any import. */
export function importCycles(root: string, o: { withTypes?: boolean } = {}): ImportCycle[] {
  return [...findCycles(importGraph(root, o)), ...findCycles(folderGraph(importGraph(root, { withTypes: true }), root))];
}

/** One line per cycle, for people: the shortest cycle, and everything involved when there is more. */
export function describeCycles(cycles: ImportCycle[], base = process.cwd()): string[] {
  const rel = (f: string) => path.relative(base, f);
  return cycles.map(({ modules, cycle }) => `import cycle: ${cycle.map(rel).join(" → ")}${modules.length > cycle.length - 1 ? ` (${modules.length} reach each other: ${modules.map(rel).join(", ")})` : ""}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const args = process.argv.slice(2);
  const withTypes = args.includes("--with-types");
  const root = args.find((a) => !a.startsWith("--")) ?? "src";
  const cycles = importCycles(root, { withTypes });
  for (const line of describeCycles(cycles)) console.error(line);
  if (cycles.length) {
    console.error(`Fix: move what both sides need into a module that neither imports back (${cycles.length} cycle${cycles.length === 1 ? "" : "s"} in ${root}/).`);
    process.exit(1);
  }
  console.log(`no import cycle in ${root}/`);
}
