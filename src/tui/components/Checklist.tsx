import { Box, Text } from "ink";
import type { ExpectationResult } from "../../engine/events.js";
import { secs } from "../../report/format.js";

export const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export interface ChecklistItem {
  id: string;
  says: string;
  result?: ExpectationResult;
}

/** One line per expectation: pending ·, live spinner while waiting, ✓/✗ with the time it took. */
export function Checklist({ items, running, tick, elapsedMs }: { items: ChecklistItem[]; running: boolean; tick: number; elapsedMs: number }) {
  return (
    <Box flexDirection="column">
      {items.map((it) => {
        const r = it.result;
        const status = r?.status ?? (running ? "waiting" : "pending");
        const mark =
          status === "passed" ? (
            <Text color="green">✓</Text>
          ) : status === "failed" ? (
            <Text color="red">✗</Text>
          ) : status === "waiting" ? (
            <Text color="yellow">{SPINNER[tick % SPINNER.length]}</Text>
          ) : (
            <Text dimColor>·</Text>
          );
        const time = r && r.status !== "waiting" ? secs(r.elapsedMs) : status === "waiting" ? secs(elapsedMs) : "";
        return (
          <Box key={it.id}>
            <Box width={3}>{mark}</Box>
            <Box flexGrow={1}>
              <Text wrap="truncate-end" color={status === "failed" ? "red" : undefined}>
                {it.says}
                {r?.negate ? <Text dimColor> (must not appear)</Text> : null}
              </Text>
            </Box>
            <Box width={24}>
              <Text dimColor wrap="truncate-end">
                {r?.source ?? ""}
              </Text>
            </Box>
            <Box width={8} justifyContent="flex-end">
              <Text dimColor>{time}</Text>
            </Box>
          </Box>
        );
      })}
    </Box>
  );
}
