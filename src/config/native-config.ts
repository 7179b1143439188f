import { existsSync, readFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type TS from "typescript";
import { entryName, memoPath, recall, remember, writeMemoText } from "../util/memo.js";

/**
 * lab.config.ts without jiti, for the built CLI. jiti costs a start about 150 ms: its own load, then the config's
 * import of src/config/index.ts, which it transpiles and runs with everything that imports (zod and the profiles among
 * them) a second time next to the build's. A config that imports nothing but `defineConfig` (and Node built-ins) is
 * compiled once to an ES module whose import names the build's own zod-free defineConfig module (define.js, the very
 * function index.ts exports), kept in the memo (src/util/memo.ts) with the text it was made from, and then imported
 * natively.
 * Anything else in a config (another import, require, __dirname, import.meta, `this`, a class, no default export,
 * a syntax error, …) leaves it to jiti, as does running from source (tsx, vitest), so nothing a config may do changes.
 */

/** Bump when what compileConfigModule makes changes. */
const VERSION = "1";

/** What a config's import may be rewritten to. */
export interface NativeTargets {
  /** The source module configs import defineConfig from: <package>/src/config/index.ts. */
  configIndex: string;
  /** defineConfig's compiled module in the build that runs. */
  defineUrl: string;
}

/** Identifiers whose meaning differs between jiti (CommonJS underneath) and a native ES module. */
const CJS_ONLY = new Set(["require", "module", "exports", "__dirname", "__filename", "arguments", "eval"]);

/** The targets of this build, or undefined when not running from a build with its sources beside it. */
function targets(): NativeTargets | undefined {
  if (!import.meta.url.endsWith(".js")) return undefined;
  const define = new URL("./define.js", import.meta.url);
  // dist/src/config/ → the package folder
  const root = fileURLToPath(new URL("../../../", import.meta.url));
  const configIndex = path.join(root, "src", "config", "index.ts");
  if (path.join(root, "dist", "src", "config") !== path.dirname(fileURLToPath(import.meta.url)) || !existsSync(define) || !existsSync(configIndex))
    return undefined;
  return { configIndex, defineUrl: define.href };
}

/** The file a relative, absolute or file: specifier of `file` names; undefined for a package or built-in. */
function resolved(spec: string, file: string): string | undefined {
  if (spec.startsWith("file:")) {
    try {
      return fileURLToPath(spec);
    } catch {
      return undefined;
    }
  }
  if (spec === "." || spec === ".." || spec.startsWith("./") || spec.startsWith("../") || path.isAbsolute(spec)) return path.resolve(path.dirname(file), spec);
  return undefined;
}

/**
 * The config `source` (TypeScript) as an ES module for a native import, or why it is left to jiti. Pure: the caller
 * passes the TypeScript compiler.
 */
export function compileConfigModule(ts: typeof TS, source: string, file: string, t: NativeTargets): { code: string } | { unfit: string } {
  const out = ts.transpileModule(source, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ESNext, sourceMap: false, inlineSourceMap: false },
  });
  if (out.diagnostics?.length) return { unfit: `it does not compile: ${ts.flattenDiagnosticMessageText(out.diagnostics[0]!.messageText, " ")}` };
  const js = ts.createSourceFile("config.mjs", out.outputText, ts.ScriptTarget.ESNext, true, ts.ScriptKind.JS);
  const index = t.configIndex.replace(/\.ts$/, "");
  const edits: Array<{ start: number; end: number; text: string }> = [];
  let unfit: string | undefined;
  const no = (why: string) => {
    unfit ??= why;
  };
  let hasDefault = false;
  for (const st of js.statements) {
    if (ts.isImportDeclaration(st)) {
      const spec = (st.moduleSpecifier as TS.StringLiteral).text;
      if (st.attributes) {
        no(`it imports ${spec} with attributes`);
        continue;
      }
      if (isBuiltin(spec)) continue;
      const target = resolved(spec, file);
      const named = st.importClause?.namedBindings;
      if (target === undefined || ![index, `${index}.ts`, `${index}.js`].includes(target)) no(`it imports ${spec}`);
      else if (
        !st.importClause ||
        st.importClause.name ||
        !named ||
        !ts.isNamedImports(named) ||
        !named.elements.every((e) => (e.propertyName ?? e.name).text === "defineConfig")
      )
        no(`it imports more than defineConfig from ${spec}`);
      else edits.push({ start: st.moduleSpecifier.getStart(js), end: st.moduleSpecifier.getEnd(), text: JSON.stringify(t.defineUrl) });
    } else if (ts.isExportDeclaration(st)) {
      if (st.moduleSpecifier) no("it re-exports a module");
      else if (st.exportClause && ts.isNamedExports(st.exportClause) && st.exportClause.elements.some((e) => e.name.text === "default")) hasDefault = true;
    } else if (ts.isExportAssignment(st)) {
      if (st.isExportEquals) no("it uses export =");
      else hasDefault = true;
    } else if (ts.isFunctionDeclaration(st) && st.modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)) hasDefault = true;
  }
  const visit = (n: TS.Node): void => {
    if (ts.isIdentifier(n) && CJS_ONLY.has(n.text)) no(`it uses ${n.text}`);
    else if (ts.isMetaProperty(n)) no("it uses import.meta");
    else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) no("it imports dynamically");
    else if (n.kind === ts.SyntaxKind.ThisKeyword) no("it uses this");
    else if (ts.isClassLike(n)) no("it declares a class");
    n.forEachChild(visit);
  };
  visit(js);
  if (!hasDefault) no("it has no default export");
  if (unfit !== undefined) return { unfit };
  let code = out.outputText;
  for (const e of edits.sort((a, b) => b.start - a.start)) code = code.slice(0, e.start) + e.text + code.slice(e.end);
  return { code: `// ${JSON.stringify(file)}, compiled by mesos-lab for a native import (src/config/native-config.ts)\n${code}` };
}

/**
 * The config's default export, imported natively; undefined when the config is left to jiti (which then runs it as
 * before: it also reports every error, so a config that fails here fails there with jiti's words).
 */
export async function importNative(file: string): Promise<{ value: unknown } | undefined> {
  if (!/\.m?ts$/.test(file)) return undefined;
  const t = targets();
  if (!t) return undefined;
  const source = readFileSync(file, "utf8");
  const inputs = JSON.stringify([VERSION, file, t.defineUrl, source]);
  const name = entryName(inputs);
  const made = recall<{ unfit?: string }>("config-module", name, inputs);
  if (made?.unfit !== undefined) return undefined;
  let module = memoPath("config-module", `${name}.mjs`);
  if (made === undefined || !existsSync(module)) {
    let ts: typeof TS;
    try {
      ts = (await import("typescript")).default;
    } catch {
      return undefined; // an install without its devDependencies
    }
    const compiled = compileConfigModule(ts, source, file, t);
    if ("unfit" in compiled) {
      remember("config-module", name, inputs, { unfit: compiled.unfit });
      return undefined;
    }
    // the module first: an entry that says it is made names a module that is there
    const written = writeMemoText("config-module", `${name}.mjs`, compiled.code);
    if (written === undefined) return undefined;
    remember("config-module", name, inputs, {});
    module = written;
  }
  try {
    const ns = (await import(pathToFileURL(module).href)) as { default?: unknown };
    return ns.default === undefined || ns.default === null ? undefined : { value: ns.default };
  } catch {
    return undefined;
  }
}
