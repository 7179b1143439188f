import { Box, Text, useApp, useInput, useStdout } from "ink";
import { useEffect, useReducer, useRef } from "react";
import type { AuditReport } from "../audit/types.js";
import type { LabBus, LabEvent } from "../engine/events.js";
import type { DoctorCheck } from "../lab/doctor-check.js";
import type { LabProgress } from "../lab/progress.js";
import { DoctorScreen } from "./components/DoctorScreen.js";
import { ExerciseList } from "./components/ExerciseList.js";
import { Footer } from "./components/Footer.js";
import { StepView } from "./components/StepView.js";
import { keyIntent, type BodyView, type Effect } from "./keys.js";
import { footerLines } from "./layout.js";
import { stepLayout } from "./step-layout.js";
import { type AuditDue, auditDue, currentExercise, currentStep, reducer, type TuiState, type Unavailable } from "./state.js";

/** What the App asks of the outside world; the real one drives Docker, tests pass a recording fake. */
export interface Controller {
  bus: LabBus;
  runStep(exercise: string, step: string): Promise<void>;
  resetExercise(exercise: string): Promise<void>;
  resetAll(): Promise<number>;
  doctor(): Promise<DoctorCheck[]>;
  /**
   * Which exercises cannot run on this host, asked once when the TUI opens (src/lab/exercise-verdicts.ts); until it
   * answers, the list shows what was recorded. Optional: a controller without it marks nothing more.
   */
  availability?(): Promise<Record<string, Unavailable>>;
  /**
   * The read-only audit of the cluster an exercise's last step left up (src/tui/lab-audit.ts); rejects when that
   * cluster is gone. Optional: a controller without it shows no audit panel.
   */
  audit?(due: Pick<AuditDue, "exercise" | "urls">): Promise<AuditReport>;
  saveProgress(p: LabProgress): void;
  /** Stops the run (and the cluster when asked) and resolves with the exit code. */
  quit(opts: { stopCluster: boolean; interrupted: boolean }): Promise<number>;
}

/**
 * One frame every 80 ms (12.5/s) at most: log events are queued and applied in one batch per frame, never per
 * line. Ink's own limit (maxFps 20 in launch) sits above it so that it never drops every other batch.
 */
export const FRAME_MS = 80;

export function App({ initial, controller, onExit, header }: { initial: TuiState; controller: Controller; onExit: (code: number) => void; header?: string }) {
  const [state, dispatch] = useReducer(reducer, initial);
  const stateRef = useRef(state);
  stateRef.current = state;
  const { exit } = useApp();
  const { stdout } = useStdout();
  // a resize re-renders at once: the layout is measured for the terminal's size
  const [, resized] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (!stdout) return;
    stdout.on("resize", resized);
    return () => {
      stdout.off("resize", resized);
    };
  }, [stdout]);
  // one column spare: a line that fills the last column makes some terminals wrap
  const columns = Math.max(20, (stdout?.columns ?? 100) - 1);
  const rows = stdout?.rows ?? 40;
  const view = useRef<BodyView | undefined>(undefined);

  // batch engine events: one dispatch per frame whatever the log rate
  useEffect(() => {
    const queue: LabEvent[] = [];
    const off = controller.bus.on((ev) => queue.push(ev));
    const timer = setInterval(() => {
      if (queue.length) dispatch({ type: "events", events: queue.splice(0) });
      else if (stateRef.current.run?.running || stateRef.current.audit?.status === "running") dispatch({ type: "tick" });
    }, FRAME_MS);
    return () => {
      off();
      clearInterval(timer);
    };
  }, [controller]);

  useEffect(() => {
    controller.saveProgress(state.progress);
  }, [state.progress, controller]);

  // which exercises this host cannot run: asked once the screen is up (a probe may take a second or two)
  useEffect(() => {
    controller.availability?.().then(
      (unavailable) => dispatch({ type: "availability", unavailable }),
      () => undefined, // no engine yet: the list keeps what was recorded, and a run says what is wrong
    );
  }, [controller]);

  // an exercise's end audits the lab: asked here, off the render, so a slow cluster never holds a frame
  const dueKey = auditDue(state)?.key;
  useEffect(() => {
    const due = auditDue(stateRef.current);
    if (!dueKey || due?.key !== dueKey || !controller.audit) return;
    dispatch({ type: "auditStart", due });
    controller.audit({ exercise: due.exercise, urls: due.urls }).then(
      (report) => dispatch({ type: "auditEnd", key: due.key, report }),
      (err: unknown) => dispatch({ type: "auditEnd", key: due.key, reason: (err as Error)?.message ?? String(err) }),
    );
  }, [dueKey, controller]);

  const finish = (code: number) => {
    onExit(code);
    exit();
  };

  const perform = (e: Effect) => {
    const s = stateRef.current;
    switch (e.effect) {
      case "run": {
        const ex = currentExercise(s);
        const st = currentStep(s);
        if (!ex || !st) return;
        dispatch({ type: "runRequested", now: Date.now() });
        controller.runStep(ex.id, st.id).catch((err: unknown) => dispatch({ type: "runError", error: errorText(err) }));
        return;
      }
      case "quit":
        dispatch({ type: "message", text: e.stopCluster ? "stopping the cluster…" : "leaving the cluster running (mesos-lab down removes it)" });
        void controller.quit({ stopCluster: e.stopCluster, interrupted: false }).then(finish, () => finish(70));
        return;
      case "interrupt":
        dispatch({ type: "message", text: "interrupted: removing this run's containers…" });
        void controller.quit({ stopCluster: true, interrupted: true }).then(finish, () => finish(130));
        return;
      case "resetExercise": {
        const ex = currentExercise(s);
        if (!ex) return;
        dispatch({ type: "resetExercise" });
        controller.resetExercise(ex.id).catch((err: unknown) => dispatch({ type: "message", text: errorText(err) }));
        return;
      }
      case "resetAll":
        dispatch({ type: "cancel" });
        dispatch({ type: "message", text: "removing every mesos-lab container and network…" });
        controller.resetAll().then(
          (n) => dispatch({ type: "message", text: `removed ${n} mesos-lab container(s)/network(s)/volume(s) on this engine` }),
          (err: unknown) => dispatch({ type: "message", text: errorText(err) }),
        );
        return;
      case "doctor":
        dispatch({ type: "doctorStart" });
        controller.doctor().then(
          (checks) => dispatch({ type: "doctorDone", checks }),
          (err: unknown) => dispatch({ type: "doctorDone", checks: [], error: errorText(err) }),
        );
        return;
    }
  };

  useInput((input, key) => {
    const intent = keyIntent(stateRef.current, input, key, view.current);
    if (!intent) return;
    if ("effect" in intent) perform(intent);
    else dispatch(intent);
  });

  const footer = footerLines(state, columns);
  // the step screen is measured: the title, the step's header and verdict and the footer always fit
  const layout = state.screen === "step" ? stepLayout(state, columns, Math.max(0, rows - 1 - footer.length), Date.now()) : undefined;
  view.current = layout ? { top: layout.top, maxTop: layout.maxTop } : undefined;
  return (
    <Box flexDirection="column" width={columns}>
      <Text wrap="truncate-end">
        <Text bold color="cyan">
          mesos-lab
        </Text>
        <Text dimColor> {header ?? ""}</Text>
      </Text>
      {state.screen === "step" ? (
        <StepView state={state} layout={layout} columns={columns} />
      ) : (
        <Box marginY={1} flexDirection="column">
          {state.screen === "list" ? <ExerciseList state={state} /> : <DoctorScreen doctor={state.doctor} />}
        </Box>
      )}
      <Footer state={state} width={columns} />
    </Box>
  );
}

function errorText(err: unknown): string {
  const e = err as { message?: string; fix?: string };
  return `${e?.message ?? String(err)}${e?.fix ? `  fix: ${e.fix}` : ""}`;
}
