import { Box, Text } from "ink";
import type { Role } from "../../model/roles.js";
import { LOG_ROLES, type LogEntry } from "../state.js";

/** The lines a pane shows: the last `height` lines passing the filter (case-insensitive substring). */
export function visibleLines(lines: LogEntry[], filter: string, height: number): LogEntry[] {
  const f = filter.toLowerCase();
  const out: LogEntry[] = [];
  // walk back from the newest line: a 500-line ring is never filtered in full when the pane shows 4 lines
  for (let i = lines.length - 1; i >= 0 && out.length < height; i--) {
    const l = lines[i]!;
    if (!f || l.text.toLowerCase().includes(f)) out.push(l);
  }
  return out.reverse();
}

function Pane({ role, lines, dropped, filter, height, matched, width, focused }: { role: Role; lines: LogEntry[]; dropped: number; filter: string; height: number; matched: Set<string>; width: number; focused: boolean }) {
  const shown = visibleLines(lines, filter, height);
  return (
    <Box flexDirection="column" width={width} paddingRight={1}>
      <Text bold={focused} color={focused ? "cyan" : undefined} wrap="truncate-end">
        ── {role} ({lines.length + dropped} lines{dropped ? `, oldest ${dropped} dropped` : ""}){filter ? ` filter: ${filter}` : ""}
      </Text>
      {shown.map((l, i) => {
        const hit = matched.has(l.text);
        return (
          <Text key={i} wrap="truncate-end" color={hit ? "green" : l.stream === "stderr" ? "gray" : undefined} bold={hit}>
            {hit ? "▶ " : "  "}
            {l.text}
          </Text>
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
export function LogPanes(props: { logs: Record<Role, LogEntry[]>; dropped: Record<Role, number>; focus: Role | "all"; filter: string; matched: Set<string>; columns: number; height: number }) {
  const { logs, dropped, focus, filter, matched, columns, height } = props;
  if (focus !== "all") {
    return <Pane role={focus} lines={logs[focus]} dropped={dropped[focus]} filter={filter} height={height} matched={matched} width={columns} focused />;
  }
  const half = Math.floor(columns / 2);
  const each = Math.max(2, Math.floor((height - 2) / 2));
  const rows: Role[][] = [LOG_ROLES.slice(0, 2), LOG_ROLES.slice(2, 4)];
  return (
    <Box flexDirection="column">
      {rows.map((row, i) => (
        <Box key={i}>
          {row.map((role) => (
            <Pane key={role} role={role} lines={logs[role]} dropped={dropped[role]} filter={filter} height={each} matched={matched} width={half} focused={false} />
          ))}
        </Box>
      ))}
    </Box>
  );
}
