import type { Action } from "../../model/exercise.js";
import { attackAction, relayAction } from "./attack.js";
import type { ActionContext, ActionHandler } from "./context.js";
import { execAction } from "./exec.js";
import { executeAction } from "./execute.js";
import { httpAction, pushAction } from "./http.js";
import { sleepAction } from "./sleep.js";

export type { ActionContext } from "./context.js";

/** Every kind of action an exercise may name, by its `do`: a new kind is a handler here and its schema in the model. */
const HANDLERS: { [K in Action["do"]]: ActionHandler<Extract<Action, { do: K }>> } = {
  execute: executeAction,
  http: httpAction,
  exec: execAction,
  sleep: sleepAction,
  push: pushAction,
  attack: attackAction,
  relay: relayAction,
};

const handlerOf = <A extends Action>(a: A) => HANDLERS[a.do] as unknown as ActionHandler<A>;

export const describeAction = (a: Action): string => handlerOf(a).describe(a);
export const runAction = (ctx: ActionContext, a: Action): Promise<void> => handlerOf(a).run(ctx, a);
