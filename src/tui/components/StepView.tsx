import { Box, Text } from "ink";
import { containersText, secs } from "../../report/format.js";
import { currentExercise, currentStep, stepPassed, type TuiState } from "../state.js";
import { Checklist } from "./Checklist.js";
import { FailurePanel, processRows } from "./FailurePanel.js";
import { FlagDiff } from "./FlagDiff.js";
import { LogPanes } from "./LogPanes.js";
import { Inline, Markdown } from "./Markdown.js";
import { PullBars } from "./PullBars.js";

export function StepView({ state, columns, rows, now }: { state: TuiState; columns: number; rows: number; now: number }) {
  const ex = currentExercise(state);
  const step = currentStep(state);
  if (!ex || !step) return <Text color="red">No such exercise/step.</Text>;
  // the run belongs to this step only when the attendee has not moved on to another one
  const run = state.run && state.run.exercise === ex.id && state.run.step === step.id ? state.run : undefined;
  const results = new Map((run?.expectations ?? []).map((e) => [e.id, e]));
  const items = step.expectations.map((e) => ({ id: e.id, says: e.says, result: results.get(e.id) }));
  for (const r of run?.expectations ?? []) if (!step.expectations.some((e) => e.id === r.id)) items.push({ id: r.id, says: r.says, result: r });
  const matched = new Set((run?.expectations ?? []).filter((e) => e.status === "passed" && e.matched).map((e) => e.matched!));
  const failed = run?.result && run.result.status !== "passed" ? run.result : undefined;
  const passed = stepPassed(state);
  const logHeight = Math.max(4, rows - (failed ? 34 + processRows(failed) : 26) - (state.showHint ? 2 : 0));
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {ex.id} {ex.title} <Text dimColor>·</Text> step {state.stepIndex + 1}/{ex.steps.length}: <Text color="cyan">{step.id}</Text> — {step.title}
        {passed ? <Text color="green"> ✓ passed</Text> : null}
        {state.mode === "hands-on" ? <Text color="magenta"> [hands-on]</Text> : null}
      </Text>
      <Box marginY={1}>
        <Markdown text={step.text} />
      </Box>
      {state.mode === "hands-on" ? (
        <Text>
          <Text bold>Your turn:</Text> write the flags for each role in{" "}
          <Text color="cyan">
            workspace/{ex.id}-{ex.slug}.env
          </Text>
          , then press r. (s shows the solution; `mesos-lab solve {ex.id}:{step.id}` writes it.)
        </Text>
      ) : (
        <>
          <Text bold>Flags this step applies</Text>
          <FlagDiff diff={step.diff} width={columns - 12} />
        </>
      )}
      <Box marginTop={1} flexDirection="column">
        {run?.actions.length ? (
          run.actions.map((a, i) => (
            <Text key={i} wrap="truncate-end">
              <Text color="cyan">→</Text> {a.detail} <Text dimColor>{a.ms !== undefined ? `(${secs(a.ms)})` : "…"}</Text>
            </Text>
          ))
        ) : (
          <Text dimColor>
            {run?.running
              ? "→ starting containers…"
              : run?.result
                ? "→ no actions: this step checks what the containers log on their own"
                : "press r to run this step"}
          </Text>
        )}
      </Box>
      <Box marginTop={1} flexDirection="column">
        <Text bold>Expectations</Text>
        <Checklist items={items} running={!!run?.running} tick={state.tick} elapsedMs={run ? now - run.startedAt : 0} />
      </Box>
      {run?.result?.status === "passed" ? (
        <Text color="green">
          Step passed in {secs(run.result.durationMs)} ({containersText(run.result.timings)}).
          {state.stepIndex + 1 < ex.steps.length ? " Press n for the next step." : " Exercise complete."}
        </Text>
      ) : null}
      {run?.error ? (
        <Text color="red" wrap="wrap">
          {run.error}
        </Text>
      ) : null}
      {failed ? <FailurePanel result={failed} /> : null}
      {state.showHint && !failed ? (
        <Text>
          <Text color="cyan">hint:</Text> <Inline text={step.hint} />
        </Text>
      ) : null}
      {state.showSolution ? (
        <Box flexDirection="column" borderStyle="single" borderColor="magenta" paddingX={1}>
          <Text color="magenta" bold>
            Solution: these flags, on top of the previous step's
          </Text>
          <FlagDiff diff={step.diff} width={columns - 14} />
          {step.solution ? <Markdown text={step.solution} /> : null}
        </Box>
      ) : null}
      <PullBars pulls={state.pulls} />
      <Box marginTop={1}>
        <LogPanes
          logs={state.logs}
          dropped={state.dropped}
          focus={state.logFocus}
          scroll={state.scroll}
          filter={state.filter}
          matched={matched}
          columns={columns}
          height={logHeight}
        />
      </Box>
    </Box>
  );
}
