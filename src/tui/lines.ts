import stringWidth from "string-width";
import { parseInline, parseMarkdown, type Span as MarkdownSpan } from "./markdown.js";

/**
 * The step view is laid out as lines it measures itself: every line is cut to the terminal's width (with an ellipsis)
 * before Ink sees it, so a region holds exactly as many terminal rows as it has lines, and nothing wraps, overflows
 * or pushes a neighbour sideways.
 */

export interface Span {
  text: string;
  color?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  inverse?: boolean;
}
export type Line = Span[];
export type Style = Omit<Span, "text">;

export const ELLIPSIS = "…";

/** One line of one style. */
export const line = (text: string, style: Style = {}): Line => [{ text, ...style }];
export const blank: Line = [];

// ESC [ … final byte (CSI), ESC ] … BEL/ST (OSC), and any other ESC pair
// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escapes are what it removes
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-_]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Text as a terminal cell grid shows it: tabs expanded to the next multiple of 8 (a terminal moves the cursor there,
 * while a width count takes a tab for nothing: ZooKeeper's stack traces pushed the next pane sideways), escape
 * sequences and other control characters dropped.
 */
export function sanitize(text: string): string {
  const clean = text.replace(ESCAPES, "").replace(/\r?\n|\r/g, " ");
  if (!clean.includes("\t")) return clean.replace(CONTROLS, "");
  let out = "";
  for (const ch of clean) {
    if (ch === "\t") out += " ".repeat(8 - (stringWidth(out) % 8));
    else out += ch;
  }
  return out.replace(CONTROLS, "");
}

export const widthOf = (l: Line): number => l.reduce((n, s) => n + stringWidth(s.text), 0);

/** Cuts a string to `width` cells. */
function cut(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  let out = "";
  let w = 0;
  for (const ch of text) {
    const cw = stringWidth(ch);
    if (w + cw > width) break;
    out += ch;
    w += cw;
  }
  return out;
}

/** The line cut to `width` cells, ending in an ellipsis where it was cut. */
export function truncate(l: Line, width: number): Line {
  if (width <= 0) return [];
  if (widthOf(l) <= width) return l;
  const out: Line = [];
  let left = width - 1;
  for (const s of l) {
    if (left <= 0) break;
    const t = cut(s.text, left);
    if (t) out.push({ ...s, text: t });
    left -= stringWidth(t);
    if (t.length < s.text.length) break;
  }
  out.push({ ...(out.at(-1) ?? {}), text: ELLIPSIS });
  return out;
}

/** A one-style string cut in its middle, so that its start and its end (often the reason) both stay. */
export function truncateMiddle(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  if (width <= 1) return cut(text, width);
  const head = Math.ceil((width - 1) / 2);
  const tailWidth = width - 1 - head;
  let tail = "";
  for (const ch of [...text].reverse()) {
    if (stringWidth(ch + tail) > tailWidth) break;
    tail = ch + tail;
  }
  return `${cut(text, head)}${ELLIPSIS}${tail}`;
}

/** Pads (or cuts) a line to exactly `width` cells, left- or right-aligned. */
export function cell(l: Line, width: number, align: "left" | "right" = "left"): Line {
  const t = truncate(l, width);
  const pad = " ".repeat(Math.max(0, width - widthOf(t)));
  return align === "left" ? [...t, { text: pad }] : [{ text: pad }, ...t];
}

/**
 * Word-wraps a line to `width` cells, keeping each word's style; a word longer than a line is cut across lines.
 * The first line starts with `lead` (a list bullet), the next ones with `indent`.
 */
export function wrap(l: Line, width: number, indent = "", lead: Line = []): Line[] {
  const words: Span[] = [];
  for (const s of l) for (const part of s.text.split(/(\s+)/)) if (part) words.push({ ...s, text: part });
  const out: Line[] = [];
  let cur: Line = [...lead];
  let start = widthOf(lead);
  let w = start;
  const push = () => {
    while (cur.length && /^\s+$/.test(cur.at(-1)!.text)) cur.pop();
    out.push(cur);
    cur = indent ? [{ text: indent }] : [];
    start = w = stringWidth(indent);
  };
  for (const word of words) {
    const ww = stringWidth(word.text);
    if (/^\s+$/.test(word.text)) {
      if (w > start && w + 1 <= width) {
        cur.push({ ...word, text: " " });
        w += 1;
      }
      continue;
    }
    // a word that fits a line of its own starts one; a longer one is cut from where the line is
    if (w + ww > width && w > start && ww <= width - stringWidth(indent)) push();
    let rest = word.text;
    while (stringWidth(rest) > width - w) {
      const head = cut(rest, Math.max(1, width - w));
      cur.push({ ...word, text: head });
      rest = rest.slice(head.length);
      push();
    }
    if (rest) {
      cur.push({ ...word, text: rest });
      w += stringWidth(rest);
    }
  }
  if (w > start || !out.length) out.push(cur);
  return out;
}

function styled(spans: MarkdownSpan[]): Line {
  return spans.map((s) =>
    s.kind === "bold"
      ? { text: s.text, bold: true }
      : s.kind === "code"
        ? { text: s.text, color: "cyan" }
        : s.kind === "em"
          ? { text: s.text, italic: true }
          : { text: s.text },
  );
}

/** Inline markdown (`code`, **bold**, *em*) as one line. */
export const inline = (text: string, style: Style = {}): Line => styled(parseInline(sanitize(text))).map((s) => ({ ...style, ...s }));

/** Exercise markdown as wrapped lines: paragraphs apart by a blank line, list items with a hanging indent. */
export function markdownLines(text: string, width: number): Line[] {
  const blocks = parseMarkdown(text);
  const out: Line[] = [];
  blocks.forEach((b, i) => {
    if (b.kind === "code") {
      // code keeps its lines (JSON, commands): cut, never re-wrapped
      for (const l of b.lines) out.push(truncate(line(`  ${sanitize(l)}`, { color: "cyan" }), width));
      if (i < blocks.length - 1) out.push(blank);
    } else if (b.kind === "paragraph") {
      out.push(...wrap(styled(b.spans.map((s) => ({ ...s, text: sanitize(s.text) }))), width));
      if (blocks[i + 1]) out.push(blank);
    } else {
      const bullet = ` ${b.bullet} `;
      out.push(...wrap(styled(b.spans.map((s) => ({ ...s, text: sanitize(s.text) }))), width, " ".repeat(bullet.length), [{ text: bullet }]));
      if (blocks[i + 1] && blocks[i + 1]!.kind !== "item") out.push(blank);
    }
  });
  return out;
}
