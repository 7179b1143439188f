import { Box, Text } from "ink";
import { exerciseStatus } from "../../lab/progress.js";
import { secs } from "../../report/format.js";
import type { TuiState } from "../state.js";

const STATUS_COLOR = { "not started": "gray", "in progress": "yellow", passed: "green", failed: "red" } as const;

export function ExerciseList({ state }: { state: TuiState }) {
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
        const status = exerciseStatus(state.progress, ex);
        const sel = i === state.cursor;
        const done = p?.passed.length ?? 0;
        return (
          <Box key={ex.id}>
            <Box width={4}>
              <Text color="cyan">{sel ? "▸ " : "  "}</Text>
            </Box>
            <Box width={48}>
              <Text bold={sel} wrap="truncate-end">
                {ex.id} {ex.title}
              </Text>
            </Box>
            <Box width={7}>
              <Text>
                {done}/{ex.steps.length}
              </Text>
            </Box>
            <Box width={13}>
              <Text color={STATUS_COLOR[status]}>{status}</Text>
            </Box>
            <Text dimColor wrap="truncate-end">
              {p?.last ? `${p.last.step} ${p.last.status} (${secs(p.last.durationMs)})` : "—"}
            </Text>
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
    </Box>
  );
}
