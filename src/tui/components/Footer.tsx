import { Box, Text } from "ink";
import { footerKeys } from "../keys.js";
import type { TuiState } from "../state.js";

export function Footer({ state }: { state: TuiState }) {
  return (
    <Box flexDirection="column">
      {state.confirm ? (
        <Text color="yellow" bold>
          {state.confirm.prompt}
        </Text>
      ) : null}
      {state.filterEditing ? <Text color="cyan">filter logs: {state.filter}▏</Text> : null}
      {state.message && !state.confirm ? <Text color="yellow">{state.message}</Text> : null}
      <Text wrap="wrap">
        {footerKeys(state).map(([k, what], i) => (
          <Text key={k}>
            {i ? "  " : ""}
            <Text inverse> {k} </Text> {what}
          </Text>
        ))}
      </Text>
    </Box>
  );
}
