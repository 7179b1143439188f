import type { PushAction } from "../../model/exercise.js";
import { ROLE_PORTS } from "../../model/roles.js";
import { makeLabImage, pushImage } from "../../registry/push.js";
import { REGISTRY_SERVICE } from "../../registry/roles.js";
import type { HttpAnswer } from "../http.js";
import type { ActionContext } from "./context.js";

/** The build machine's push (src/registry/push.ts) through the registry's and token service's published ports. */
export async function push(ctx: ActionContext, action: PushAction, timeoutMs: number): Promise<HttpAnswer> {
  const host = ctx.options.publishHost;
  const url = (role: "registry" | "tokens") => `http://${host.includes(":") ? `[${host}]` : host}:${ctx.cluster.containers.hostPort(role, ROLE_PORTS[role])}`;
  const r = await pushImage(await makeLabImage(action.image), {
    registry: url("registry"),
    tokenUrl: `${url("tokens")}/token`,
    service: REGISTRY_SERVICE,
    account: action.account,
    secret: ctx.options.material.secretOf(action.account),
    timeoutMs,
  });
  return {
    status: r.status,
    statusText: r.statusText,
    headers: r.headers,
    body: r.body,
    lines: {
      status: [`HTTP/1.1 ${r.status} ${r.statusText}`],
      headers: Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`),
      body: r.body.split(/\r?\n/).filter(Boolean),
    },
  };
}
