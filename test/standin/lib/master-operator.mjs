// The master's read-write endpoints (realm mesos-master-readwrite): the v1 operator API `/api/v1` and the legacy
// `/reserve`, `/create-volumes`, `/teardown`, … endpoints, authorized by the reserve/volume/teardown/… ACLs.
import { is111 } from "./flags.mjs";
import { readBody, send } from "./http.mjs";
import { removeFramework } from "./master-scheduler.mjs";
import { taskJson } from "./master.mjs";

export const LEGACY_WRITE = new Set([
  "/create-volumes",
  "/destroy-volumes",
  "/reserve",
  "/unreserve",
  "/teardown",
  "/maintenance/schedule",
  "/machine/down",
  "/machine/up",
  "/quota",
  "/weights",
]);

/** libprocess' Forbidden(): 1.11 answers with a body ("403 Forbidden.", process/http.hpp:749-750), 1.4.0 without. */
const forbidden = (res) => (is111 ? send(res, 403, "403 Forbidden.", { "Content-Type": "text/plain; charset=utf-8" }) : send(res, 403));

const rolesOf = (resources) => [...new Set((resources ?? []).map((r) => r.reservations?.at(-1)?.role ?? r.reservation?.role ?? r.role ?? "*"))];
const reserversOf = (resources) => (resources ?? []).map((r) => r.reservations?.at(-1)?.principal ?? r.reservation?.principal);
const creatorsOf = (volumes) => (volumes ?? []).map((v) => v.disk?.persistence?.principal);

/** Each entry: [acl key, request -> list of objects]; every object must be authorized. */
const OPS = {
  RESERVE_RESOURCES: ["reserve_resources", (c) => rolesOf(c.reserve_resources?.resources)],
  UNRESERVE_RESOURCES: ["unreserve_resources", (c) => reserversOf(c.unreserve_resources?.resources)],
  CREATE_VOLUMES: ["create_volumes", (c) => rolesOf(c.create_volumes?.volumes)],
  DESTROY_VOLUMES: ["destroy_volumes", (c) => creatorsOf(c.destroy_volumes?.volumes)],
  GROW_VOLUME: ["resize_volumes", (c) => rolesOf([c.grow_volume?.volume])],
  SHRINK_VOLUME: ["resize_volumes", (c) => rolesOf([c.shrink_volume?.volume])],
  UPDATE_WEIGHTS: ["update_weights", (c) => (c.update_weights?.weight_infos ?? []).map((w) => w.role)],
  SET_QUOTA: ["update_quotas", (c) => [c.set_quota?.quota_request?.role]],
  REMOVE_QUOTA: ["update_quotas", (c) => [c.remove_quota?.role]],
  UPDATE_MAINTENANCE_SCHEDULE: ["update_maintenance_schedules", () => [undefined]],
  START_MAINTENANCE: ["start_maintenances", () => [undefined]],
  STOP_MAINTENANCE: ["stop_maintenances", () => [undefined]],
  GET_MAINTENANCE_SCHEDULE: ["get_maintenance_schedules", () => [undefined]],
  GET_MAINTENANCE_STATUS: ["get_maintenance_statuses", () => [undefined]],
  SET_LOGGING_LEVEL: ["set_log_level", () => [undefined]],
};

function legacyToCall(sub, form) {
  const j = (k) => (form.get(k) ? JSON.parse(form.get(k)) : undefined);
  switch (sub) {
    case "/reserve":
      return { type: "RESERVE_RESOURCES", reserve_resources: { agent_id: { value: form.get("slaveId") }, resources: j("resources") } };
    case "/unreserve":
      return { type: "UNRESERVE_RESOURCES", unreserve_resources: { agent_id: { value: form.get("slaveId") }, resources: j("resources") } };
    case "/create-volumes":
      return { type: "CREATE_VOLUMES", create_volumes: { agent_id: { value: form.get("slaveId") }, volumes: j("volumes") } };
    case "/destroy-volumes":
      return { type: "DESTROY_VOLUMES", destroy_volumes: { agent_id: { value: form.get("slaveId") }, volumes: j("volumes") } };
    case "/teardown":
      return { type: "TEARDOWN", teardown: { framework_id: { value: form.get("frameworkId") } } };
    case "/weights":
      return { type: "UPDATE_WEIGHTS", update_weights: { weight_infos: [] } };
    case "/quota":
      return { type: "SET_QUOTA", set_quota: { quota_request: j("") } };
    default:
      return { type: "UPDATE_MAINTENANCE_SCHEDULE" };
  }
}

export async function handleOperator(m, req, res, sub, url, principal) {
  const text = await readBody(req);
  let call;
  try {
    if (sub === "/api/v1") call = JSON.parse(text);
    else if (req.method === "GET" && (sub === "/quota" || sub === "/weights" || sub === "/maintenance/schedule"))
      call = { type: sub === "/quota" ? "GET_QUOTA" : sub === "/weights" ? "GET_WEIGHTS" : "GET_MAINTENANCE_SCHEDULE" };
    else call = legacyToCall(sub, new URLSearchParams(text || url.search));
  } catch (e) {
    return send(res, 400, `Failed to parse body: ${e.message}`);
  }
  const reply = (type, key, value) => send(res, 200, { type, [key]: value });
  const op = OPS[call.type];
  if (op) {
    const [acl, objects] = op;
    for (const o of objects(call)) if (!m.authz(acl, principal, o)) return forbidden(res);
    if (call.type.startsWith("GET_")) return reply(call.type, call.type.toLowerCase(), {});
    const agentId = call[call.type.toLowerCase()]?.agent_id?.value;
    if (agentId !== undefined && !m.agents.has(agentId)) return send(res, 400, `No agent found with specified ID`);
    return send(res, 202);
  }
  switch (call.type) {
    case "GET_HEALTH":
      return reply("GET_HEALTH", "get_health", { healthy: true });
    case "GET_FLAGS":
      if (!m.authz("view_flags", principal)) return forbidden(res);
      return reply("GET_FLAGS", "get_flags", { flags: Object.entries(m.flagsObject()).map(([name, value]) => ({ name, value })) });
    case "GET_VERSION":
      return reply("GET_VERSION", "get_version", { version_info: m.versionJson() });
    case "GET_MASTER":
      return reply("GET_MASTER", "get_master", { master_info: m.info(), start_time: m.startTime, elected_time: m.electedTime });
    case "GET_AGENTS":
      return reply("GET_AGENTS", "get_agents", {
        agents: [...m.agents.values()].map((a) => ({ agent_info: { id: { value: a.id }, hostname: a.hostname, port: a.port }, active: a.active, pid: a.pid })),
      });
    case "GET_FRAMEWORKS":
      return reply("GET_FRAMEWORKS", "get_frameworks", {
        frameworks: [...m.frameworks.values()]
          .filter((f) => m.authz("view_frameworks", principal, f.info.user))
          .map((f) => ({ framework_info: f.info, active: f.connected, connected: f.connected })),
      });
    case "GET_TASKS":
      return reply("GET_TASKS", "get_tasks", {
        tasks: [...m.frameworks.values()]
          .flatMap((f) => [...f.tasks.values()])
          .filter((t) => m.authz("view_tasks", principal, t.user))
          .map(taskJson),
      });
    case "GET_STATE":
      return reply("GET_STATE", "get_state", m.stateJson(principal));
    case "GET_ROLES":
      return reply("GET_ROLES", "get_roles", { roles: [] });
    case "GET_QUOTA":
      return reply("GET_QUOTA", "get_quota", { status: {} });
    case "GET_WEIGHTS":
      return reply("GET_WEIGHTS", "get_weights", { weight_infos: [] });
    case "TEARDOWN": {
      const fw = m.frameworks.get(call.teardown?.framework_id?.value);
      if (!fw) return send(res, 400, "No framework found with specified ID");
      if (!m.authz("teardown_frameworks", principal, fw.info.principal)) return forbidden(res);
      removeFramework(m, fw);
      return send(res, 200);
    }
    case "SUBSCRIBE":
      return send(res, 501, "The stand-in does not stream operator events");
    default:
      return send(res, 400, `Failed to validate master::Call: unsupported call '${call.type}'`);
  }
}
