import { Box, Text } from "ink";
import type { StepResult } from "../../engine/events.js";
import { citeText, processHeadline, streamExcerpt } from "../../report/format.js";
import { Inline } from "./Markdown.js";

/** Lines of process output the panel shows per stream: the log panes below hold the rest. */
export const PROCESS_LINES = 5;

/** Rows the processes that ended take in the panel, so the step view can give the log panes less. */
export function processRows(result: StepResult): number {
  return (result.died ?? []).reduce(
    (n, d) => n + 1 + (d.command ? 1 : 0) + (["stderr", "stdout"] as const).reduce((m, s) => m + 1 + streamExcerpt(s, d[s], PROCESS_LINES).lines.length, 0),
    0,
  );
}

/**
 * On failure: first what ended (mesos-execute, or a role's container) with its exit code and its last stderr and
 * stdout lines, then expected vs the closest actual lines, then the hint.
 */
export function FailurePanel({ result, maxClosest = 3 }: { result: StepResult; maxClosest?: number }) {
  const failed = result.expectations.filter((e) => e.status === "failed");
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="red" paddingX={1}>
      <Text color="red" bold>
        Step {result.status === "error" ? "could not run" : "failed"}
      </Text>
      {result.error ? <Text color="red">error: {result.error}</Text> : null}
      {(result.died ?? []).map((d, k) => (
        <Box key={`died-${k}`} flexDirection="column">
          <Text color="red">
            {processHeadline(d)}
            {d.role === "execute" ? "" : " while the step waited"}
          </Text>
          {d.command ? (
            <Text dimColor wrap="truncate-end">
              {"  $ "}
              {d.command}
            </Text>
          ) : null}
          {(["stderr", "stdout"] as const).map((name) => {
            const x = streamExcerpt(name, d[name], PROCESS_LINES);
            return (
              <Box key={name} flexDirection="column">
                <Text> {x.label}</Text>
                {x.lines.map((l, i) => (
                  // the middle goes, not the end: `Failed to load value '<task JSON>': Missing required fields: agent_id`
                  <Text key={i} color={name === "stderr" ? "yellow" : undefined} wrap="truncate-middle">
                    {"    | "}
                    {l}
                  </Text>
                ))}
              </Box>
            );
          })}
        </Box>
      ))}
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
          {e.reason ? <Text dimColor> {e.reason}</Text> : null}
          {e.matched ? <Text color="yellow"> matched: {e.matched}</Text> : null}
          {e.closest?.length ? <Text> closest actual lines:</Text> : null}
          {(e.closest ?? []).slice(0, maxClosest).map((l, i) => (
            <Text key={i} color="yellow" wrap="truncate-end">
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
