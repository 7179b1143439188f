import { Box, Text } from "ink";
import type { PullProgress } from "../../runtime/types.js";

const mb = (n: number) => `${(n / 1e6).toFixed(1)}`;

export function bar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, fraction));
  const full = Math.round(f * width);
  return "█".repeat(full) + "░".repeat(width - full);
}

/** Per-layer progress while an image is pulled (Docker reports each layer's download and extraction). */
export function PullBars({ pulls, max = Number.POSITIVE_INFINITY }: { pulls: Record<string, PullProgress>; max?: number }) {
  // the newest layers when the screen has room for fewer (the step view gives the bars the log panes' rows)
  const rows = Object.values(pulls)
    .filter((p) => p.layer)
    .slice(-Math.max(1, max));
  if (rows.length === 0) return null;
  return (
    <Box flexDirection="column">
      <Text bold>Pulling images</Text>
      {rows.map((p) => {
        const frac = p.total ? (p.current ?? 0) / p.total : /complete|exists/i.test(p.status) ? 1 : 0;
        return (
          <Box key={`${p.image}${p.layer}`}>
            <Box width={14}>
              <Text dimColor>{p.layer}</Text>
            </Box>
            <Text color={frac >= 1 ? "green" : "cyan"}>{bar(frac, 24)}</Text>
            <Text wrap="truncate-end">
              {" "}
              {String(Math.round(frac * 100)).padStart(3)}% {p.total ? `${mb(p.current ?? 0)}/${mb(p.total)} MB ` : ""}
              <Text dimColor>{p.status}</Text>
            </Text>
          </Box>
        );
      })}
    </Box>
  );
}
