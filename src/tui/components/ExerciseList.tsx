import { Box, Text } from "ink";
import { exerciseStatus } from "../../lab/progress.js";
import { secs } from "../../report/format.js";
import type { TuiState } from "../state.js";

const STATUS_COLOR = { "not started": "gray", "in progress": "yellow", passed: "green", failed: "red" } as const;

export function ExerciseList({ state }: { state: TuiState }) {
  const cursorUnavailable = state.exercises[state.cursor] && state.unavailable[state.exercises[state.cursor]!.id];
  return (
    <Box flexDirection="column">
      <Box>
        <Box width={4}>
          <Text dimColor> </Text>
        </Box>
        <Box width={48}>
          <Text dimColor>Exercise</Text>
        </Box>
        <Box width={7}>
          <Text dimColor>Steps</Text>
        </Box>
        <Box width={13}>
          <Text dimColor>Status</Text>
        </Box>
        <Text dimColor>Last result</Text>
      </Box>
      {state.exercises.map((ex, i) => {
        const p = state.progress.exercises[ex.id];
        // an exercise this host cannot run says so in place of its progress; the reason is below the list
        const unavailable = state.unavailable[ex.id];
        const status = exerciseStatus(state.progress, ex);
        const sel = i === state.cursor;
        const done = p?.passed.length ?? 0;
        return (
          <Box key={ex.id}>
            <Box width={4} flexShrink={0}>
              <Text color="cyan">{sel ? "▸ " : "  "}</Text>
            </Box>
            <Box width={48} flexShrink={0}>
              <Text bold={sel} wrap="truncate-end">
                {ex.id} {ex.title}
              </Text>
            </Box>
            <Box width={7} flexShrink={0}>
              <Text>
                {done}/{ex.steps.length}
              </Text>
            </Box>
            <Box width={13} flexShrink={0}>
              <Text color={unavailable ? "red" : STATUS_COLOR[status]}>{unavailable ? "unavailable" : status}</Text>
            </Box>
            {unavailable ? (
              <Text color="red" wrap="truncate-end">
                cannot run here: {unavailable.reason}
              </Text>
            ) : (
              <Text dimColor wrap="truncate-end">
                {p?.last ? `${p.last.step} ${p.last.status} (${secs(p.last.durationMs)})` : "—"}
              </Text>
            )}
          </Box>
        );
      })}
      {state.exercises[state.cursor] ? (
        <Box marginTop={1}>
          <Text dimColor wrap="wrap">
            {state.exercises[state.cursor]!.summary}
          </Text>
        </Box>
      ) : null}
      {cursorUnavailable ? (
        <Box flexDirection="column" marginTop={1}>
          <Text color="red" wrap="wrap">
            ✗ {state.exercises[state.cursor]!.id} cannot run here: {cursorUnavailable.reason}
            {cursorUnavailable.checked ? ` ${cursorUnavailable.checked}` : ""}
          </Text>
          <Text dimColor wrap="wrap">
            {"  "}fix: {cursorUnavailable.fix}
          </Text>
        </Box>
      ) : null}
    </Box>
  );
}
