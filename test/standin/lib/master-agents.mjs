// The master's side of the private agent protocol (stands in for libprocess messages; sent over the master's own
// scheme, so a plaintext agent never reaches an SSL master): CRAM-MD5 authentication, registration with
// authentication/authorization checks, pings, status updates and executor exits.
import crypto from "node:crypto";
import { is111, VERSION } from "./flags.mjs";
import * as glog from "./glog.mjs";
import { readBody, request, send } from "./http.mjs";
import { TERMINAL } from "./proc.mjs";
import { parseResources, scalarsOnly, subtract } from "./resources.mjs";
import { challenge, check } from "./sasl.mjs";
import { allocate, pushUpdate, recoverOffersOf } from "./master-scheduler.mjs";

const ML = (l14, l111) => `master.cpp:${is111 ? l111 : l14}`;

export async function handleAgentMessage(m, req, res, op) {
  const body = JSON.parse((await readBody(req)) || "{}");
  if (!m.recovered) await m.whenRecovered();
  switch (op) {
    case "authenticate":
      return send(res, 200, authenticate(m, body));
    case "register_agent":
      return send(res, 200, registerAgent(m, body));
    case "ping": {
      const a = m.agents.get(body.agent_id);
      if (!a || a.pid !== body.pid || !m.isLeader()) return send(res, 200, { action: "reregister" });
      a.lastPing = Date.now();
      if (!a.active) {
        a.active = true;
        glog.info("master.cpp:6048", `Agent ${m.agentLabel(a)} reactivated`);
        linkTo(m, a);
      }
      return send(res, 200, { ok: true });
    }
    case "status_update":
      statusUpdate(m, body);
      return send(res, 200, { ok: true });
    case "executor_exited": {
      const a = m.agents.get(body.agent_id);
      if (a && body.resources) a.used = subtract(a.used, body.resources);
      return send(res, 200, { ok: true });
    }
    default:
      return send(res, 404);
  }
}

function authenticate(m, body) {
  if (body.step === "start") {
    glog.info(ML(7832, 9770), `Authenticating ${body.pid}`);
    glog.info("authenticator.cpp:98", "Creating new server SASL connection");
    if (body.mechanism !== "CRAM-MD5") {
      glog.error("authenticator.cpp:338", "Authentication error: no mechanism available");
      glog.warn(
        ML(7859, 9810),
        `${is111 ? "An error ocurred while attempting to authenticate" : "Failed to authenticate"} ${body.pid}: SASL(-4): no mechanism available: No worthy mechs found`,
      );
      return { ok: false, mechanisms: ["CRAM-MD5"] };
    }
    glog.info("authenticator.cpp:204", "Received SASL authentication start");
    glog.info("authenticator.cpp:326", "Authentication requires more steps");
    const session = crypto.randomUUID();
    const chal = challenge();
    m.saslSessions.set(session, { pid: body.pid, chal });
    return { ok: true, session, mechanisms: ["CRAM-MD5"], challenge: chal };
  }
  const s = m.saslSessions.get(body.session);
  m.saslSessions.delete(body.session);
  if (!s) return { ok: false };
  glog.info("authenticator.cpp:232", "Received SASL authentication step");
  const r = check(m.credentials, s.chal, body.response);
  if (r.error) {
    glog.warn("authenticator.cpp:332", `Authentication failure: ${r.error}`);
    // 1.4.0-1.4.1 log a refused (None) result as a failure; since 1.4.2 (commit ee18cf95f) it is an INFO line
    if (is111) glog.info("master.cpp:9807", `Authentication of ${s.pid} was unsuccessful: Invalid credentials`);
    else glog.warn("master.cpp:7859", `Failed to authenticate ${s.pid}: Refused authentication`);
    m.authenticated.delete(s.pid);
    return { ok: false };
  }
  glog.info("authenticator.cpp:318", "Authentication success");
  glog.info(ML(7862, 9802), `Successfully authenticated principal '${r.principal}' at ${s.pid}`);
  m.authenticated.set(s.pid, r.principal);
  return { ok: true };
}

function registerAgent(m, body) {
  if (!m.isLeader()) return { action: "ignore" };
  const pid = body.pid;
  const host = body.hostname;
  const principal = m.authenticated.get(pid);
  if (m.flags.authenticate_agents && !principal) {
    glog.warn(ML(5689, 6239), `Refusing registration of agent at ${pid} because it is not authenticated`);
    // Since 1.7 the master no longer shuts the agent down; it just keeps refusing.
    return is111 ? { action: "ignore" } : { action: "shutdown", message: "Agent is not authenticated" };
  }
  glog.info(ML(5714, 6263), `Received register agent message from ${pid} (${host})`);
  const total = typeof body.resources === "object" && !Array.isArray(body.resources) ? body.resources : parseResources(body.resources);
  if (m.acls) {
    glog.info("master.cpp:3803", principal ? `Authorizing agent with principal '${principal}'` : "Authorizing agent without a principal");
    if (!m.authz("register_agents", principal)) {
      const who = principal ? `with principal '${principal}'` : "without a principal";
      if (is111) {
        glog.warn(
          "master.cpp:6322",
          `Refusing registration of agent at ${pid} (${host}): Not authorized to register agent providing resources '${m.fmt(total)}' ${who}`,
        );
        return { action: "ignore" };
      }
      const msg = `Not authorized to register as agent ${who}`;
      glog.warn("master.cpp:5762", `Refusing registration of agent at ${pid} (${host}): ${msg}`);
      return { action: "shutdown", message: msg };
    }
  }
  for (const old of [...m.agents.values()]) {
    if (old.pid === pid && old.id !== body.agent_id) removeAgent(m, old, "a new agent registered at the same address");
  }
  const known = body.agent_id && m.agents.get(body.agent_id);
  if (known) {
    known.active = true;
    known.lastPing = Date.now();
    glog.info("master.cpp:6211", `Re-registered agent ${m.agentLabel(known)} with ${m.fmt(known.total)}`);
    linkTo(m, known);
    return { action: "registered", agent_id: known.id, master_info: m.info(), reregistered: true };
  }
  const id = `${m.id}-S${m.nextAgent++}`;
  glog.info(ML(5867, 6442), `Registering agent at ${pid} (${host}) with id ${id}`);
  const [, ip, port] = /@([^:]+):(\d+)$/.exec(pid) ?? [];
  const a = {
    id,
    pid,
    ip,
    port: Number(port),
    hostname: host,
    total,
    used: {},
    offered: {},
    active: true,
    principal,
    registeredTime: Date.now() / 1000,
    lastPing: Date.now(),
    version: VERSION,
  };
  m.agents.set(id, a);
  glog.info(ML(5945, 6535), `Registered agent ${id} at ${pid} (${host}) with ${m.fmt(total)}`);
  linkTo(m, a);
  setTimeout(() => allocate(m), 50);
  return { action: "registered", agent_id: id, master_info: m.info() };
}

/**
 * libprocess links the master to every registered agent; the link breaking (the agent process exiting closes its
 * sockets) is the master's ExitedEvent: the agent is disconnected and deactivated and its offers rescinded, so a
 * replaced agent's old ID is never offered again.
 */
function linkTo(m, a) {
  a.unlink?.();
  let gone = false;
  const exited = () => {
    if (gone) return;
    gone = true;
    if (m.agents.get(a.id) !== a || !a.active) return;
    glog.info("master.cpp:1347", `Agent ${m.agentLabel(a)} disconnected`);
    glog.info("master.cpp:8411", `Disconnecting agent ${m.agentLabel(a)}`);
    glog.info("master.cpp:8433", `Deactivating agent ${m.agentLabel(a)}`);
    a.active = false;
    m.authenticated.delete(a.pid);
    recoverOffersOf(m, (o) => o.agentId === a.id, true);
  };
  a.unlink = () => {
    gone = true;
  };
  request({
    ssl: m.ssl,
    host: a.ip,
    port: a.port,
    method: "GET",
    path: "/slave(1)/_standin/link",
    headers: { "Libprocess-From": m.pid },
    stream: true,
    timeoutMs: 5000,
  })
    .then(({ res, req }) => {
      if (gone) return req.destroy();
      a.unlink = () => {
        gone = true;
        req.destroy();
      };
      res.on("close", exited);
      res.on("error", exited);
      res.resume();
      return undefined;
    })
    .catch(exited);
}

function removeAgent(m, a, why) {
  a.unlink?.();
  glog.info("master.cpp:8520", `Removing agent ${m.agentLabel(a)}: ${why}`);
  m.agents.delete(a.id);
  recoverOffersOf(m, (o) => o.agentId === a.id);
  for (const fw of m.frameworks.values()) {
    for (const t of fw.tasks.values()) {
      if (t.agentId === a.id && !t.terminal)
        pushUpdate(m, fw, t, { state: "TASK_LOST", source: "SOURCE_MASTER", reason: "REASON_AGENT_REMOVED", message: "Agent removed" });
    }
  }
}

function statusUpdate(m, { agent_id, framework_id, status }) {
  const fw = m.frameworks.get(framework_id);
  const a = m.agents.get(agent_id);
  if (!fw) return;
  const t = fw.tasks.get(status.task_id.value);
  if (!t) return;
  const terminalBefore = t.terminal;
  t.state = status.state;
  t.statuses.push({ state: status.state, timestamp: status.timestamp });
  if (TERMINAL.has(status.state) && !terminalBefore) {
    t.terminal = true;
    if (a) a.used = subtract(a.used, scalarsOnly(t.resources));
  }
  fw.send({ type: "UPDATE", update: { status } });
}

/** Pushes a message to an agent the way libprocess would: a new connection from the master, over its scheme. */
export async function sendToAgent(m, a, op, body) {
  return request({ ssl: m.ssl, host: a.ip, port: a.port, path: `/slave(1)/_standin/${op}`, body, headers: { "Libprocess-From": m.pid }, timeoutMs: 5000 });
}
