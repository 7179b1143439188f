import { Box, Text } from "ink";
import type { StepLayout } from "../step-layout.js";
import { currentStep, type TuiState } from "../state.js";
import { LineView, Lines } from "./Lines.js";
import { LogPanes } from "./LogPanes.js";
import { PullBars } from "./PullBars.js";

/**
 * The step screen, as measured by stepLayout: the header and the verdict on top, the body (step text, flags, the
 * run) below them, the log panes in the rows that are left. Every region holds exactly its rows.
 */
export function StepView({ state, layout, columns }: { state: TuiState; layout?: StepLayout; columns: number }) {
  if (!layout) return <Text color="red">No such exercise/step.</Text>;
  const layers = Object.values(state.pulls).filter((p) => p.layer).length;
  // the pull bars (a title and a bar per layer) take their rows from the log panes, which keep at least 4
  const pullRows = layers ? Math.min(layers + 1, Math.max(0, layout.logRows - 4)) : 0;
  return (
    <Box flexDirection="column">
      <LineView line={layout.header} />
      <LineView line={layout.verdict} />
      {layout.attack ? <LineView line={layout.attack} /> : null}
      <Lines lines={layout.body} />
      {pullRows > 1 ? <PullBars pulls={state.pulls} max={pullRows - 1} /> : null}
      {layout.logRows > 0 ? (
        <LogPanes
          logs={state.logs}
          dropped={state.dropped}
          focus={state.logFocus}
          scroll={state.scroll}
          filter={state.filter}
          matched={layout.matched}
          columns={columns}
          attacker={!!currentStep(state)?.attack || state.logs.attacker.length > 0}
          height={Math.max(0, layout.logRows - (pullRows > 1 ? pullRows : 0))}
        />
      ) : null}
    </Box>
  );
}
