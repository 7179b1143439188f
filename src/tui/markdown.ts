/**
 * A deliberately small markdown reader for exercise text: paragraphs (soft-wrapped lines joined), `-`/`*`/`1.`
 * list items, fenced code blocks (kept line by line), `**bold**`, `*emphasis*` and `` `code` ``. Anything else is
 * shown as written.
 */

export type Span = { kind: "text" | "bold" | "code" | "em"; text: string };
export type Block = { kind: "paragraph"; spans: Span[] } | { kind: "item"; bullet: string; spans: Span[] } | { kind: "code"; lines: string[] };

export function parseInline(text: string): Span[] {
  const out: Span[] = [];
  const re = /(\*\*[^*]+\*\*|`[^`]+`|\*[^*\s][^*]*\*)/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index! > last) out.push({ kind: "text", text: text.slice(last, m.index) });
    const tok = m[0];
    if (tok.startsWith("**")) out.push({ kind: "bold", text: tok.slice(2, -2) });
    else if (tok.startsWith("`")) out.push({ kind: "code", text: tok.slice(1, -1) });
    else out.push({ kind: "em", text: tok.slice(1, -1) });
    last = m.index! + tok.length;
  }
  if (last < text.length) out.push({ kind: "text", text: text.slice(last) });
  return out;
}

export function parseMarkdown(text: string): Block[] {
  const blocks: Block[] = [];
  let para: string[] = [];
  let item: { bullet: string; lines: string[] } | undefined;
  const flush = () => {
    if (para.length) blocks.push({ kind: "paragraph", spans: parseInline(para.join(" ")) });
    if (item) blocks.push({ kind: "item", bullet: item.bullet, spans: parseInline(item.lines.join(" ")) });
    para = [];
    item = undefined;
  };
  let code: string[] | undefined;
  for (const raw of text.split("\n")) {
    if (/^\s*```/.test(raw)) {
      if (code) {
        blocks.push({ kind: "code", lines: code });
        code = undefined;
      } else {
        flush();
        code = [];
      }
      continue;
    }
    if (code) {
      code.push(raw.replace(/\s+$/, ""));
      continue;
    }
    const line = raw.trim();
    if (!line) {
      flush();
      continue;
    }
    const li = /^([-*]|\d+\.)\s+(.*)$/.exec(line);
    if (li) {
      flush();
      item = { bullet: li[1] === "-" || li[1] === "*" ? "•" : li[1]!, lines: [li[2]!] };
    } else if (item) item.lines.push(line);
    else para.push(line);
  }
  flush();
  if (code) blocks.push({ kind: "code", lines: code });
  return blocks;
}
