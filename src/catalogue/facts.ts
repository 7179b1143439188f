import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Citation } from "../model/exercise.js";
import { packageRoot } from "./root.js";

/**
 * The facts files (docs/facts/) are the ground truth every expectation cites: Mesos 1.4 lines read from source, and
 * Mesos 1.11 lines observed on a real cluster or read from the 1.11.x source. This module turns their quoted lines
 * into templates so an exercise's `example` can be checked against what the facts file really says, with `<…>` and
 * `…` standing for variable parts.
 */

export interface Template {
  /** The quoted text as written in the facts file. */
  text: string;
  /** 1-based line in the facts file. */
  line: number;
  re: RegExp;
  /** Characters that are not placeholders: a template that is all placeholder proves nothing. */
  literal: number;
}

export interface FactsFile {
  name: string;
  text: string;
  templates: Template[];
}

const PLACEHOLDER = /<[^<>]*>|…/g;
const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}\b/;

function templateOf(text: string, line: number): Template {
  const parts = text.split(PLACEHOLDER);
  const literal = parts.join("").trim().length;
  // the facts quote lines from one run: their IP addresses are examples, any address stands in for them
  const literalRe = (p: string) =>
    p
      .split(IPV4)
      .map((q) => q.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join("\\d+(?:\\.\\d+){3}");
  const re = new RegExp(parts.map(literalRe).join(".*?"));
  return { text, line, re, literal };
}

/** Backticked spans (which may wrap onto the next line) and the lines of fenced blocks; tables escape `|` as `\|`. */
export function templatesOf(markdown: string): Template[] {
  const out: Template[] = [];
  const lines = markdown.split("\n");
  let fenced = false;
  let prose: Array<{ text: string; line: number }> = [];
  const flushProse = () => {
    const text = prose.map((p) => p.text.replace(/\\\|/g, "|")).join("\n");
    for (const m of text.matchAll(/`([^`]+)`/g)) {
      const line = prose[0]!.line + text.slice(0, m.index).split("\n").length - 1;
      out.push(templateOf(m[1]!.replace(/\s*\n\s*/g, " "), line));
    }
    prose = [];
  };
  lines.forEach((raw, i) => {
    if (raw.trimStart().startsWith("```")) {
      if (!fenced) flushProse();
      fenced = !fenced;
      return;
    }
    if (fenced) {
      if (raw.trim()) out.push(templateOf(raw, i + 1));
      return;
    }
    // a blank line or a new list item/table row ends a paragraph, so a stray backtick cannot pair across them
    if (!raw.trim() || /^\s*([-*|#]|\d+\.)/.test(raw)) flushProse();
    if (raw.trim()) prose.push({ text: raw, line: i + 1 });
  });
  flushProse();
  return out;
}

export function factsDir(): string {
  return path.join(packageRoot(), "docs", "facts");
}

export function loadFacts(dir = factsDir()): Map<string, FactsFile> {
  const out = new Map<string, FactsFile>();
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".md"))) {
    const text = readFileSync(path.join(dir, name), "utf8");
    out.set(name, { name, text, templates: templatesOf(text) });
  }
  return out;
}

/** The facts file a citation's `ref` names (`security-facts-1.4.md §1.5`). */
export function citedFile(cite: Citation, facts: Map<string, FactsFile>): FactsFile | undefined {
  const name = cite.ref.split(/\s/)[0]!;
  return facts.get(name);
}

/** The source location as the facts file writes it: `src/slave/slave.cpp:1174` → `slave.cpp:1174`. */
export function citedLocation(cite: Citation): string | undefined {
  if (cite.at.startsWith("observed:")) return undefined;
  return path.posix.basename(cite.at);
}

/**
 * True when the facts file names the cited location: `slave.cpp:1174` verbatim, or — as its tables and lists write
 * it — the file named in a section that lists the line as `:510` or `| 651 |`.
 */
export function namesLocation(file: FactsFile, cite: Citation): boolean {
  const loc = citedLocation(cite);
  if (!loc) return true;
  // verbatim, as a whole path suffix and a whole line number: `slave.cpp:169` is not `slave.cpp:1698`, and
  // `src/slave/http.cpp:1016` is not named by `src/master/http.cpp:1016`
  const dirs = cite.at.slice(0, -loc.length).split("/").filter(Boolean);
  const suffixes = dirs.map((_, i) => [...dirs.slice(i), loc].join("/")).concat(loc);
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  if (suffixes.some((s) => new RegExp(`(?<![\\w./-])${esc(s)}(?!\\d)`).test(file.text))) return true;
  const [base, line] = [loc.slice(0, loc.lastIndexOf(":")), loc.slice(loc.lastIndexOf(":") + 1)];
  const lineRe = new RegExp(`(?:(?<![\\w./-]):|\\| )${line.replace(/[-]/g, "\\-")}(?![\\d-])`);
  return file.text.split(/\n(?=#{2,3} )/).some((section) => section.includes(base) && lineRe.test(section));
}

/** Templates of `file` that the example contains; only templates with enough literal text count. */
export function templatesHolding(example: string, file: FactsFile, minLiteral = 8): Template[] {
  return file.templates.filter((t) => t.literal >= minLiteral && t.re.test(example));
}
