import type { Action } from "../../model/exercise.js";
import { abortable } from "../abortable.js";
import type { ActionHandler } from "./context.js";

/** Waits; reads nothing and feeds nothing. */
export const sleepAction: ActionHandler<Extract<Action, { do: "sleep" }>> = {
  describe: (a) => `wait ${a.ms} ms`,
  run: (ctx, a) => abortable(new Promise<void>((r) => setTimeout(r, a.ms)), ctx.options.signal),
};
