import { Box, Text } from "ink";
import type { Line } from "../lines.js";

/** One measured line (src/tui/lines.ts): already cut to the width, so Ink never wraps it. */
export function LineView({ line }: { line: Line }) {
  if (!line.length) return <Text> </Text>;
  return (
    <Text wrap="truncate-end">
      {line.map((s, i) => (
        <Text key={i} color={s.color} bold={s.bold} dimColor={s.dim} italic={s.italic} inverse={s.inverse}>
          {s.text}
        </Text>
      ))}
    </Text>
  );
}

/** A region of measured lines: exactly as many rows as lines. */
export function Lines({ lines }: { lines: Line[] }) {
  return (
    <Box flexDirection="column">
      {lines.map((l, i) => (
        <LineView key={i} line={l} />
      ))}
    </Box>
  );
}
