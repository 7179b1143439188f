import type { HttpAction, PushAction } from "../../model/exercise.js";
import type { HttpAnswer } from "../http.js";
import { SourceKeys, type HttpPart } from "../source-keys.js";
import type { ActionContext, ActionHandler } from "./context.js";
import { send } from "./endpoint.js";
import { push } from "./push.js";

/** Feeds an answer's status line, headers and body (each, and all together) to the action's `http` keys. */
async function feedAnswer(ctx: ActionContext, id: string, role: "master" | "agent" | "registry", answer: Promise<HttpAnswer>): Promise<void> {
  const lines = await answer.then(
    (a) => a.lines,
    (err: Error) => {
      const l = [`error: ${err.message}`];
      return { status: l, headers: l, body: l };
    },
  );
  const parts: Record<HttpPart, string[]> = { ...lines, all: [...lines.status, ...lines.headers, ...lines.body] };
  for (const [part, ls] of Object.entries(parts) as Array<[HttpPart, string[]]>) {
    // the event stream gets each line once, under the action
    const key = SourceKeys.http(id, part);
    for (const l of ls) {
      if (part !== "all") {
        ctx.options.bus.emit({ type: "log", exercise: ctx.step.exercise.id, source: `http:${id}`, role, stream: "stdout", text: l, ts: Date.now() });
        // a session's output travels base64 in ProcessIO records: the reader gets it decoded too (`uid=0(root) …`)
        const decoded = part === "body" ? processIoText(l) : undefined;
        if (decoded)
          ctx.options.bus.emit({ type: "log", exercise: ctx.step.exercise.id, source: `http:${id}`, role, stream: "stdout", text: decoded, ts: Date.now() });
      }
      ctx.set.feed(key, l);
    }
    ctx.set.endSource(key, "the HTTP answer did not contain it");
  }
}

/** `  ↳ STDOUT: uid=0(root) …` for a ProcessIO DATA record (a nested-container session's output), else undefined. */
export function processIoText(line: string): string | undefined {
  const m = /^\{"type":"DATA","data":\{"type":"(STDOUT|STDERR)","data":"([A-Za-z0-9+/=]*)"\}\}$/.exec(line);
  return m ? `  ↳ ${m[1]} (decoded): ${Buffer.from(m[2]!, "base64").toString("utf8").trimEnd()}` : undefined;
}

/** The call an operator API request makes (`GET_CONTAINERS`), from its JSON body. */
function callOf(body: string | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const type = (JSON.parse(body) as { type?: unknown }).type;
    return typeof type === "string" ? type : undefined;
  } catch {
    return undefined;
  }
}

export const httpAction: ActionHandler<HttpAction> = {
  describe: (a) =>
    `${a.method} ${a.path}${callOf(a.body) ? ` ${callOf(a.body)}` : ""} on the ${a.role}${a.auth ? ("principal" in a.auth ? ` as ${a.auth.principal}` : " with a bearer token") : ""}${a.via ? " via the relay" : ""}`,
  run: (ctx, a) => feedAnswer(ctx, a.id, a.role, send(ctx, a, 10_000)),
};

/** The build machine's push to the lab registry: its last answer (the manifest PUT) is read like an HTTP action's. */
export const pushAction: ActionHandler<PushAction> = {
  describe: (a) => `push ${a.image} to the lab registry as ${a.account}`,
  run: (ctx, a) => feedAnswer(ctx, a.id, "registry", push(ctx, a, 30_000)),
};
