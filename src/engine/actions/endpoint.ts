import type { HttpAction } from "../../model/exercise.js";
import { ROLE_PORTS } from "../../model/roles.js";
import { clientTls } from "../cluster/tls-client.js";
import { request, type HttpAnswer } from "../http.js";
import { expand } from "../template.js";
import { relayOf } from "./attack.js";
import type { ActionContext } from "./context.js";
import { stepFrameworks } from "./execute.js";

/** `${container:<executor id>}`: see resolveContainers. */
export const CONTAINER_REF = /\$\{container:([A-Za-z0-9_.-]+)\}/g;

/** An HTTP action's request to its role's endpoint, as the harness on the host sends it (published port, lab TLS). */
export async function send(ctx: ActionContext, action: HttpAction, timeoutMs: number): Promise<HttpAnswer> {
  const body = action.body === undefined ? undefined : expand(await resolveContainers(ctx, action.body, action, timeoutMs), ctx.cluster.addresses.template);
  return sendAs(ctx, action, body, timeoutMs);
}

function sendAs(ctx: ActionContext, action: HttpAction, body: string | undefined, timeoutMs: number): Promise<HttpAnswer> {
  const { addresses, containers } = ctx.cluster;
  const l = containers.of(action.role);
  if (!l) throw new Error(`no ${action.role} container is running for HTTP ${action.path}`);
  const tls = clientTls(addresses, l.env);
  const auth = action.auth;
  const t = addresses.template;
  return request({
    host: ctx.options.publishHost,
    port: action.via === "relay" ? relayOf(ctx, action.role).hostPort : containers.hostPort(action.role, ROLE_PORTS[action.role]),
    tls: tls.tls,
    method: action.method,
    path: action.path,
    headers: action.headers,
    body,
    basic: auth && "principal" in auth ? { principal: expand(auth.principal, t), secret: expand(auth.secret, t) } : undefined,
    bearer: auth && "bearer" in auth ? expand(auth.bearer, t) : undefined,
    ca: action.ca ? ctx.options.material.read(action.ca) : tls.ca,
    cert: action.clientCert ? addresses.material(`${action.clientCert}.pem`) : tls.cert,
    key: action.clientCert ? addresses.material(`${action.clientCert}-key.pem`) : tls.key,
    servername: "localhost",
    timeoutMs,
  });
}

/**
 * `${container:<executor id>}` in an HTTP action's body stands for the ID of that executor's container on the agent
 * (for a `mesos-execute` command task, its executor ID is the task's name): read from the agent's `/containers`
 * endpoint, asked with the action's own credentials, until it lists them all or `timeoutMs` has passed.
 */
async function resolveContainers(ctx: ActionContext, text: string, action: HttpAction, timeoutMs: number): Promise<string> {
  const names = [...new Set([...text.matchAll(CONTAINER_REF)].map((m) => m[1]!))];
  if (!names.length) return text;
  const ids = new Map<string, string>();
  const until = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    const a = await sendAs(
      ctx,
      { ...action, role: "agent", method: "GET", path: "/containers", headers: undefined, body: undefined },
      undefined,
      Math.max(1000, until - Date.now()),
    );
    let listed: Array<{ executor_id?: string; container_id?: string; framework_id?: string }> = [];
    try {
      listed = JSON.parse(a.body) as typeof listed;
    } catch {
      /* not JSON: say what it was */
    }
    // another run's task of the same name may still run (the one `up` kept, when `attack` sends the attack again):
    // its container is not this step's, and a session into it collides with the one opened there before
    const ours = stepFrameworks(ctx);
    for (const c of Array.isArray(listed) ? listed : []) {
      if (!c.executor_id || !c.container_id) continue;
      const mine = ours.size ? c.framework_id !== undefined && ours.has(c.framework_id) : !ids.has(c.executor_id);
      if (mine) ids.set(c.executor_id, c.container_id);
    }
    last = `GET /containers answered ${a.status}${Array.isArray(listed) ? `, listing ${listed.map((c) => `'${c.executor_id}'`).join(", ") || "no container"}` : ""}`;
    if (names.every((n) => ids.has(n)) || Date.now() >= until) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const missing = names.filter((n) => !ids.has(n));
  if (missing.length) throw new Error(`no container of executor ${missing.map((n) => `'${n}'`).join(", ")} on the agent (${last})`);
  return text.replace(CONTAINER_REF, (_, n: string) => ids.get(n)!);
}
