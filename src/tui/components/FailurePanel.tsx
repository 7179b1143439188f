import type { StepResult } from "../../engine/events.js";
import { failureLines } from "../step-lines.js";
import { Lines } from "./Lines.js";

/**
 * On failure: first what ended (mesos-execute, or a role's container) with its exit code and its last stderr and
 * stdout lines, then expected vs the closest actual lines, then the hint.
 */
export function FailurePanel({ result, maxClosest = 3, width = 99 }: { result: StepResult; maxClosest?: number; width?: number }) {
  return <Lines lines={failureLines(result, width, maxClosest)} />;
}
