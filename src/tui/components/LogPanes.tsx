import { Box, Text } from "ink";
import { line, sanitize, truncate } from "../lines.js";
import { LOG_ROLES, type LogEntry, type PaneId } from "../state.js";
import { LineView } from "./Lines.js";

/**
 * The lines a pane shows: the last `height` lines before `end` (an index into `lines`, default all of them) passing
 * the filter (case-insensitive substring).
 */
export function visibleLines(lines: LogEntry[], filter: string, height: number, end = lines.length): LogEntry[] {
  const f = filter.toLowerCase();
  const out: LogEntry[] = [];
  // walk back from the newest line: a 500-line ring is never filtered in full when the pane shows 4 lines
  for (let i = Math.min(end, lines.length) - 1; i >= 0 && out.length < height; i--) {
    const l = lines[i]!;
    if (!f || l.text.toLowerCase().includes(f)) out.push(l);
  }
  return out.reverse();
}

/**
 * An answers pane's lines: the newest that fit, and when the first of them is not a request line, the request they
 * answer takes the top row, so an answer is never shown without the request it answers.
 */
export function withRequest(lines: LogEntry[], filter: string, height: number, end = lines.length): LogEntry[] {
  const shown = visibleLines(lines, filter, height, end);
  if (!shown[0] || shown[0].request || height < 2) return shown;
  // the top row goes to the request, unless the pane has a row to spare
  const rest = shown.length < height ? shown : shown.slice(1);
  const head = rest[0];
  if (!head || head.request) return rest;
  const request = lines.slice(0, lines.lastIndexOf(head, end - 1)).findLast((l) => l.request);
  return request && request.source === head.source ? [request, ...rest] : rest;
}

const PANE_TITLE: Partial<Record<PaneId, string>> = {
  attacker: "☠ attacker: its commands and its relay's recording",
  answers: "HTTP answers, each under its request",
};

function Pane({
  who: role,
  lines,
  dropped,
  filter,
  height,
  matched,
  width,
  focused,
  scroll,
}: {
  who: PaneId;
  lines: LogEntry[];
  dropped: number;
  filter: string;
  height: number;
  matched: Set<string>;
  width: number;
  focused: boolean;
  scroll?: { anchor: number; back: number };
}) {
  // a scrolled view ends at a fixed line number; the ring may have dropped past it meanwhile, then the oldest show
  const end = scroll ? Math.max(1, scroll.anchor - scroll.back - dropped) : lines.length;
  const shown = role === "answers" ? withRequest(lines, filter, height, end) : visibleLines(lines, filter, height, end);
  const total = lines.length + dropped;
  return (
    <Box flexDirection="column" width={width} paddingRight={1}>
      <LineView
        line={truncate(
          line(
            `── ${PANE_TITLE[role] ?? role} (${total} lines${dropped ? `, oldest ${dropped} dropped` : ""})${filter ? ` filter: ${filter}` : ""}${
              // the scroll keys live here, not in the footer, which must fit 100 columns
              scroll
                ? ` · scrolled back: up to line ${Math.min(total, dropped + end)} of ${total}, ${total - Math.min(total, dropped + end)} newer (f follows)`
                : focused
                  ? " · PgUp/PgDn ↑↓ scroll"
                  : ""
            }`,
            focused ? { bold: true, color: role === "attacker" ? "red" : "cyan" } : role === "attacker" ? { bold: true, color: "red" } : {},
          ),
          width - 1,
        )}
      />
      {shown.map((l, i) => {
        if (l.request) return <LineView key={i} line={truncate(line(sanitize(l.text), { bold: true, color: "cyan" }), width - 1)} />;
        const hit = matched.has(l.text);
        // a log line as the terminal shows it (tabs expanded, escapes dropped), cut to the pane: a stack trace's tabs
        // pushed the neighbouring pane sideways
        return (
          <LineView
            key={i}
            line={truncate(
              line(
                `${hit ? "▶ " : "  "}${role === "answers" ? "  " : ""}${sanitize(l.text)}`,
                hit ? { color: "green", bold: true } : l.stream === "stderr" ? { color: "gray" } : {},
              ),
              width - 1,
            )}
          />
        );
      })}
      {Array.from({ length: Math.max(0, height - shown.length) }, (_, i) => (
        <Text key={`pad${i}`}> </Text>
      ))}
    </Box>
  );
}

/**
 * Live log panes: all four roles in a grid, or one role large when focused. Lines an expectation matched are
 * highlighted (▶, green) so the attendee sees which Mesos line proved the step.
 */
export function LogPanes(props: {
  logs: Record<PaneId, LogEntry[]>;
  dropped: Record<PaneId, number>;
  focus: PaneId | "all";
  filter: string;
  matched: Set<string>;
  columns: number;
  height: number;
  scroll?: { anchor: number; back: number };
  /** Show the attacker's pane too (an attack step): under the grid, beside the HTTP answers if there are any. */
  attacker?: boolean;
}) {
  const { logs, dropped, focus, filter, matched, columns, height, scroll } = props;
  if (focus !== "all") {
    return (
      <Pane
        who={focus}
        lines={logs[focus]}
        dropped={dropped[focus]}
        filter={filter}
        height={Math.max(0, height - 1)}
        matched={matched}
        width={columns}
        focused
        scroll={scroll}
      />
    );
  }
  const half = Math.floor(columns / 2);
  // two rows of panes, each a header and `each` lines, and a band under them for the attacker and the HTTP answers:
  // exactly `height` rows at most
  if (height < 2) return null;
  const band: PaneId[] = [...(props.attacker ? (["attacker"] as const) : []), ...(logs.answers.length ? (["answers"] as const) : [])];
  // a header and two lines at least where there is room: an answer's last line and the request it answers
  const bandRows = band.length ? Math.min(Math.max(2, height - 2), Math.max(3, Math.floor(height / 3))) : 0;
  const gridRows = height - bandRows;
  const each = Math.max(0, Math.floor((gridRows - 2) / 2));
  const rows: PaneId[][] = [LOG_ROLES.slice(0, 2), LOG_ROLES.slice(2, 4)];
  if (bandRows >= 2) rows.push(band);
  return (
    <Box flexDirection="column">
      {rows.map((row, i) => (
        <Box key={i}>
          {row.map((pane, j) => (
            <Pane
              key={pane}
              who={pane}
              lines={logs[pane]}
              dropped={dropped[pane]}
              filter={filter}
              height={i < 2 ? each : bandRows - 1}
              matched={matched}
              // the last pane of a row takes the odd column
              width={row.length === 1 ? columns : j === 0 ? half : columns - half}
              focused={false}
            />
          ))}
        </Box>
      ))}
    </Box>
  );
}
