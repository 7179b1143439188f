import { Box, Text } from "ink";
import type { Role } from "../../model/roles.js";
import { line, sanitize, truncate } from "../lines.js";
import { LOG_ROLES, type LogEntry } from "../state.js";
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
  who: Role;
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
  const shown = visibleLines(lines, filter, height, end);
  const total = lines.length + dropped;
  return (
    <Box flexDirection="column" width={width} paddingRight={1}>
      <LineView
        line={truncate(
          line(
            `── ${role === "attacker" ? "☠ attacker: its commands and its relay's recording" : role} (${total} lines${dropped ? `, oldest ${dropped} dropped` : ""})${filter ? ` filter: ${filter}` : ""}${
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
        const hit = matched.has(l.text);
        // a log line as the terminal shows it (tabs expanded, escapes dropped), cut to the pane: a stack trace's tabs
        // pushed the neighbouring pane sideways
        return (
          <LineView
            key={i}
            line={truncate(
              line(`${hit ? "▶ " : "  "}${sanitize(l.text)}`, hit ? { color: "green", bold: true } : l.stream === "stderr" ? { color: "gray" } : {}),
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
  logs: Record<Role, LogEntry[]>;
  dropped: Record<Role, number>;
  focus: Role | "all";
  filter: string;
  matched: Set<string>;
  columns: number;
  height: number;
  scroll?: { anchor: number; back: number };
  /** Show the attacker's pane too (an attack step): full width, under the grid. */
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
  // two rows of panes, each a header and `each` lines, and the attacker's pane: exactly `height` rows at most
  if (height < 2) return null;
  const attackerRows = props.attacker ? Math.max(2, Math.floor(height / 3)) : 0;
  const gridRows = height - attackerRows;
  const each = Math.max(0, Math.floor((gridRows - 2) / 2));
  const rows: Role[][] = [LOG_ROLES.slice(0, 2), LOG_ROLES.slice(2, 4)];
  return (
    <Box flexDirection="column">
      {rows.map((row, i) => (
        <Box key={i}>
          {row.map((role) => (
            <Pane
              key={role}
              who={role}
              lines={logs[role]}
              dropped={dropped[role]}
              filter={filter}
              height={each}
              matched={matched}
              width={half}
              focused={false}
            />
          ))}
        </Box>
      ))}
      {attackerRows >= 2 ? (
        <Pane
          who="attacker"
          lines={logs.attacker}
          dropped={dropped.attacker}
          filter={filter}
          height={attackerRows - 1}
          matched={matched}
          width={columns}
          focused={false}
        />
      ) : null}
    </Box>
  );
}
