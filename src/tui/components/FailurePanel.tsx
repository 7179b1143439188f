import { Box, Text } from "ink";
import type { StepResult } from "../../engine/events.js";
import { citeText } from "../../report/format.js";
import { Inline } from "./Markdown.js";

/** On failure: expected vs the closest actual lines, the container that died and its exit code, the hint. */
export function FailurePanel({ result, maxClosest = 3 }: { result: StepResult; maxClosest?: number }) {
  const failed = result.expectations.filter((e) => e.status === "failed");
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="red" paddingX={1}>
      <Text color="red" bold>
        Step {result.status === "error" ? "could not run" : "failed"}
      </Text>
      {result.error ? <Text color="red">error: {result.error}</Text> : null}
      {failed.map((e) => (
        <Box key={e.id} flexDirection="column">
          <Text>
            <Text color="red">✗ {e.says}</Text>
            <Text dimColor> [{citeText(e)}]</Text>
          </Text>
          <Text>
            {"  "}
            {e.negate ? "must not match" : "expected"} <Text color="green">/{e.pattern}/</Text> in {e.source}
          </Text>
          {e.reason ? <Text dimColor>  {e.reason}</Text> : null}
          {e.matched ? <Text color="yellow">  matched: {e.matched}</Text> : null}
          {e.closest?.length ? <Text>  closest actual lines:</Text> : null}
          {(e.closest ?? []).slice(0, maxClosest).map((l, i) => (
            <Text key={i} color="yellow" wrap="truncate-end">
              {"    | "}
              {l}
            </Text>
          ))}
        </Box>
      ))}
      {(result.died ?? []).map((d) => (
        <Box key={d.role} flexDirection="column">
          <Text color="red">
            {d.role} container exited with code {String(d.exitCode)}; its last lines:
          </Text>
          {d.lastLines.slice(-maxClosest).map((l, i) => (
            <Text key={i} dimColor wrap="truncate-end">
              {"    | "}
              {l}
            </Text>
          ))}
        </Box>
      ))}
      <Text>
        <Text color="cyan">hint:</Text> <Inline text={result.hint} />
      </Text>
    </Box>
  );
}
