// The v1 scheduler API (`/master/api/v1/scheduler`, realm mesos-master-scheduler), JSON over RecordIO, plus the
// allocator that turns free agent resources into offers and the ACCEPT path with run_tasks authorization.
import crypto from "node:crypto";
import { is111 } from "./flags.mjs";
import * as glog from "./glog.mjs";
import { readBody, recordio, send } from "./http.mjs";
import { principalValue } from "./http-auth.mjs";
import { sendToAgent } from "./master-agents.mjs";
import { REALM } from "./master.mjs";
import { TERMINAL } from "./proc.mjs";
import { add, contains, parseResources, scalarsOnly, subtract, toProto } from "./resources.mjs";

export async function handleScheduler(m, req, res, path) {
  const a = m.auth.guard(req, res, REALM.scheduler);
  if (!a) return undefined;
  // http.cpp:489-500 at 1.11: redirect unless elected, 503 until recovered, then the method check
  if (m.notLeading(req, res, { recovery: true })) return undefined;
  if (req.method !== "POST") return send(res, 405, "", { Allow: "POST" });
  if (/protobuf/.test(String(req.headers["content-type"] ?? ""))) return send(res, 415, "The stand-in speaks only application/json");
  m.logHttp(req, path);
  let call;
  try {
    call = JSON.parse(await readBody(req));
  } catch (e) {
    return send(res, 400, `Failed to parse body into JSON: ${e.message}`);
  }
  const principal = principalValue(a.principal);
  if (call.type === "SUBSCRIBE") return subscribe(m, res, call, principal);
  const fw = m.frameworks.get(call.framework_id?.value);
  // http.cpp:619 at 1.11 (1031 at 1.4): a framework the master does not know (torn down meanwhile) is a Bad Request
  if (!fw) return send(res, 400, "Framework cannot be found");
  if (req.headers["mesos-stream-id"] !== fw.streamId)
    return send(
      res,
      400,
      `The stream ID '${req.headers["mesos-stream-id"] ?? ""}' included in this request didn't match the stream ID currently associated with framework ID ${fw.id}`,
    );
  if (principal && principal !== fw.info.principal)
    return send(res, 400, `Authenticated principal '${principal}' does not match principal '${fw.info.principal ?? ""}' set in \`FrameworkInfo\``);
  switch (call.type) {
    case "ACCEPT":
      send(res, 202);
      return accept(m, fw, call.accept ?? {});
    case "DECLINE":
      for (const id of call.decline?.offer_ids ?? []) {
        const o = m.offers.get(id.value);
        if (!o) continue;
        removeOffer(m, o);
        m.filters.set(`${fw.id}/${o.agentId}`, Date.now() + 1000 * (call.decline?.filters?.refuse_seconds ?? 5));
      }
      return send(res, 202);
    case "TEARDOWN":
      glog.info("master.cpp:2893", `Processing TEARDOWN call for framework ${fw.id} (${fw.info.name})`);
      send(res, 202);
      return removeFramework(m, fw);
    case "KILL":
      send(res, 202);
      return kill(m, fw, call.kill?.task_id?.value);
    case "REVIVE":
      fw.suppressed = false;
      for (const k of [...m.filters.keys()]) if (k.startsWith(`${fw.id}/`)) m.filters.delete(k);
      send(res, 202);
      return allocate(m);
    case "SUPPRESS":
      fw.suppressed = true;
      return send(res, 202);
    case "RECONCILE":
      send(res, 202);
      for (const t of fw.tasks.values())
        fw.send({
          type: "UPDATE",
          update: {
            status: {
              task_id: { value: t.id },
              state: t.state,
              source: "SOURCE_MASTER",
              reason: "REASON_RECONCILIATION",
              agent_id: { value: t.agentId },
              timestamp: Date.now() / 1000,
            },
          },
        });
      return undefined;
    case "ACKNOWLEDGE":
    case "MESSAGE":
    case "SHUTDOWN":
    case "REQUEST":
    case "ACKNOWLEDGE_OPERATION_STATUS":
      return send(res, 202);
    default:
      return send(res, 400, `Failed to validate scheduler::Call: Expecting 'type' to be present`);
  }
}

function subscribe(m, res, call, principal) {
  const fi = call.subscribe?.framework_info;
  if (!fi) return send(res, 400, "Failed to validate scheduler::Call: Expecting 'subscribe' to be present");
  if (principal && principal !== fi.principal) {
    return send(
      res,
      400,
      `Failed to validate scheduler::Call: Authenticated principal '${principal}' does not match principal '${fi.principal ?? ""}' set in \`FrameworkInfo\``,
    );
  }
  glog.info("master.cpp:2545", `Received subscription request for HTTP framework '${fi.name}'`);
  const roles = fi.roles?.length ? fi.roles : [fi.role ?? "*"];
  const rolesStr = `{ ${roles.join(", ")} }`;
  const refuse = (msg, at = is111 ? "master.cpp:2747" : "master.cpp:2670") => {
    glog.info(at, `Refusing subscription of framework '${fi.name}': ${msg}`);
    res.writeHead(200, { "Content-Type": "application/json", "Mesos-Stream-Id": crypto.randomUUID() });
    res.end(recordio({ type: "ERROR", error: { message: msg } }));
  };
  if (!m.flags.root_submissions && fi.user === "root") return refuse("User 'root' is not allowed to run frameworks without --root_submissions set");
  // validateFramework (master.cpp:2605-2612 at 1.11): a framework the master removed (a teardown) cannot come back
  if (fi.id?.value && m.completedFrameworks.some((c) => c.id === fi.id.value))
    return refuse("Framework has been removed", is111 ? "master.cpp:2694" : "master.cpp:2618");
  if (m.acls) {
    glog.info("master.cpp:2228", `Authorizing framework principal '${fi.principal ?? ""}' to receive offers for roles '${rolesStr}'`);
    if (!roles.every((r) => m.authz("register_frameworks", fi.principal, r))) {
      return refuse(is111 ? `Not authorized to register framework ${fi.id?.value ?? ""} with roles ${rolesStr}` : `Not authorized to use roles '${rolesStr}'`);
    }
  }
  const old = fi.id?.value && m.frameworks.get(fi.id.value);
  const id = old ? old.id : `${m.id}-${String(m.nextFramework++).padStart(4, "0")}`;
  if (old) old.closeStream?.();
  const caps = (fi.capabilities ?? []).map((c) => c.type);
  glog.info(
    "master.cpp:2681",
    `Subscribing framework '${fi.name}' with checkpointing ${fi.checkpoint ? "enabled" : "disabled"} and capabilities [ ${caps.join(", ")} ]`,
  );
  const streamId = crypto.randomUUID();
  res.writeHead(200, { "Content-Type": "application/json", "Mesos-Stream-Id": streamId });
  const fw = old ?? { id, tasks: new Map(), registeredTime: Date.now() / 1000 };
  Object.assign(fw, { info: { ...fi, id: { value: id } }, roles, streamId, connected: true, suppressed: false });
  fw.send = (ev) => {
    if (fw.connected) res.write(recordio(ev));
  };
  const heartbeat = setInterval(() => fw.send({ type: "HEARTBEAT" }), 15_000);
  fw.closeStream = () => {
    clearInterval(heartbeat);
    fw.connected = false;
    res.end();
  };
  m.frameworks.set(id, fw);
  fw.send({ type: "SUBSCRIBED", subscribed: { framework_id: { value: id }, heartbeat_interval_seconds: 15, master_info: m.info() } });
  res.on("close", () => {
    clearInterval(heartbeat);
    if (fw.streamId !== streamId || !m.frameworks.has(id)) return;
    fw.connected = false;
    glog.info("master.cpp:1432", `Framework ${id} (${fi.name}) disconnected`);
    // fault injection: a master that takes its time over the failover path (the harness must wait for the removal)
    const delay = Number(process.env.STANDIN_FAILOVER_DELAY_MS ?? 0);
    if (delay > 0) setTimeout(() => fw.streamId === streamId && removeFramework(m, fw), delay);
    else removeFramework(m, fw);
  });
  setTimeout(() => allocate(m), 100);
  return undefined;
}

export function removeFramework(m, fw) {
  if (!m.frameworks.has(fw.id)) return;
  glog.info(is111 ? "master.cpp:10374" : "master.cpp:8091", `Removing framework ${fw.id} (${fw.info.name})`);
  m.frameworks.delete(fw.id);
  fw.closeStream?.();
  recoverOffersOf(m, (o) => o.fwId === fw.id);
  const agents = new Set();
  for (const t of fw.tasks.values()) {
    agents.add(t.agentId);
    if (!t.terminal) {
      t.terminal = true;
      t.state = "TASK_KILLED";
      const a = m.agents.get(t.agentId);
      if (a) a.used = subtract(a.used, scalarsOnly(t.resources));
    }
  }
  for (const aid of agents) {
    const a = m.agents.get(aid);
    if (a) sendToAgent(m, a, "shutdown_framework", { framework_id: fw.id }).catch(() => {});
  }
  m.completedFrameworks.push(fw);
  while (m.completedFrameworks.length > m.flags.max_completed_frameworks) m.completedFrameworks.shift();
}

function removeOffer(m, o) {
  m.offers.delete(o.id);
  const a = m.agents.get(o.agentId);
  if (a) a.offered = subtract(a.offered, o.resources);
}

/** Takes matching offers back; `rescind` also tells their frameworks (a deactivated agent's offers). */
export function recoverOffersOf(m, pred, rescind = false) {
  for (const o of [...m.offers.values()]) {
    if (!pred(o)) continue;
    removeOffer(m, o);
    if (rescind) m.frameworks.get(o.fwId)?.send({ type: "RESCIND", rescind: { offer_id: { value: o.id } } });
  }
}

/** A status update generated by the master itself (TASK_ERROR for invalid or unauthorized tasks, TASK_LOST, …). */
export function pushUpdate(_m, fw, t, { state, source, reason, message }) {
  t.state = state;
  t.statuses.push({ state, timestamp: Date.now() / 1000 });
  if (TERMINAL.has(state)) t.terminal = true;
  const status = {
    task_id: { value: t.id },
    state,
    source,
    reason,
    message,
    agent_id: t.agentId ? { value: t.agentId } : undefined,
    timestamp: Date.now() / 1000,
    uuid: Buffer.from(crypto.randomUUID().replace(/-/g, ""), "hex").toString("base64"),
  };
  fw.send({ type: "UPDATE", update: { status } });
}

export function allocate(m) {
  if (!m.isLeader()) return;
  for (const fw of m.frameworks.values()) {
    if (!fw.connected || fw.suppressed) continue;
    for (const a of m.agents.values()) {
      if (!a.active) continue;
      const key = `${fw.id}/${a.id}`;
      if ((m.filters.get(key) ?? 0) > Date.now()) continue;
      const avail = subtract(subtract(scalarsOnly(a.total), a.used), a.offered);
      if ((avail.cpus ?? 0) < 0.01 && (avail.mem ?? 0) < 32) continue;
      const id = `${m.id}-O${m.nextOffer++}`;
      m.offers.set(id, { id, fwId: fw.id, agentId: a.id, resources: avail });
      a.offered = add(a.offered, avail);
      const resources = toProto({ ...avail, ...(a.total.ports ? { ports: a.total.ports } : {}) }).map((r) => ({
        ...r,
        role: "*",
        allocation_info: { role: fw.roles[0] },
      }));
      glog.info("master.cpp:7718", `Sending 1 offers to framework ${fw.id} (${fw.info.name})`);
      fw.send({
        type: "OFFERS",
        offers: {
          offers: [
            {
              id: { value: id },
              framework_id: { value: fw.id },
              agent_id: { value: a.id },
              hostname: a.hostname,
              resources,
              url: { scheme: m.ssl?.cfg.enabled ? "https" : "http", address: { hostname: a.hostname, ip: a.ip, port: a.port }, path: "/slave(1)" },
            },
          ],
        },
      });
    }
  }
}

function newTask(fw, task, agentId, user, executorId) {
  return {
    id: task.task_id?.value,
    name: task.name,
    frameworkId: fw.id,
    agentId,
    executorId,
    state: "TASK_STAGING",
    resources: scalarsOnly(parseResources(task.resources)),
    statuses: [],
    user,
    terminal: false,
  };
}

async function accept(m, fw, acc) {
  const offers = (acc.offer_ids ?? []).map((i) => m.offers.get(i.value));
  const ops = acc.operations ?? [];
  const aid = offers[0]?.agentId;
  const a = aid && m.agents.get(aid);
  const partitionAware = (fw.info.capabilities ?? []).some((c) => c.type === "PARTITION_AWARE");
  if (!offers.length || offers.some((o) => !o || o.fwId !== fw.id || o.agentId !== aid) || !a) {
    glog.warn("master.cpp:4114", `ACCEPT call used invalid offers '[ ${(acc.offer_ids ?? []).map((i) => i.value).join(", ")} ]': Offer is no longer valid`);
    for (const op of ops) {
      const tasks = op.type === "LAUNCH" ? (op.launch?.task_infos ?? []) : op.type === "LAUNCH_GROUP" ? (op.launch_group?.task_group?.tasks ?? []) : [];
      for (const task of tasks) {
        const t = newTask(fw, task, aid, fw.info.user);
        fw.tasks.set(t.id, t);
        pushUpdate(m, fw, t, {
          state: partitionAware ? "TASK_DROPPED" : "TASK_LOST",
          source: "SOURCE_MASTER",
          reason: "REASON_INVALID_OFFERS",
          message: "Task launched with invalid offers: Offer is no longer valid",
        });
      }
    }
    return;
  }
  glog.info(
    "master.cpp:4153",
    `Processing ACCEPT call for offers: [ ${offers.map((o) => o.id).join(", ")} ] on agent ${m.agentLabel(a)} for framework ${fw.id} (${fw.info.name})`,
  );
  let avail = {};
  for (const o of offers) {
    avail = add(avail, o.resources);
    removeOffer(m, o);
  }
  for (const op of ops) {
    if (op.type === "LAUNCH") {
      for (const task of op.launch?.task_infos ?? []) {
        const user = task.command?.user ?? task.executor?.command?.user ?? fw.info.user;
        const t = newTask(fw, task, a.id, user, task.executor?.executor_id?.value);
        const error = (msg, reason = "REASON_TASK_INVALID") => {
          fw.tasks.set(t.id, t);
          glog.info("master.cpp:6898", `Sending status update ${"TASK_ERROR"} for task ${t.id} of framework ${fw.id} '${msg}'`);
          pushUpdate(m, fw, t, { state: "TASK_ERROR", source: "SOURCE_MASTER", reason, message: msg });
        };
        if (!t.id) continue;
        if (fw.tasks.has(t.id) && !fw.tasks.get(t.id).terminal) {
          error(`Task has duplicate ID: ${t.id}`);
          continue;
        }
        if (m.acls) {
          glog.info("master.cpp:3530", `Authorizing framework principal '${fw.info.principal ?? ""}' to launch task ${t.id}`);
          if (!m.authz("run_tasks", fw.info.principal, user)) {
            const msg = is111
              ? fw.info.principal
                ? `Principal '${fw.info.principal}' no authorized to launch task ${t.id} of framework ${fw.id} under user '${user}'`
                : `Not authorized to launch task ${t.id} of framework ${fw.id} under user '${user}'`
              : `Not authorized to launch as user '${user}'`;
            error(msg, "REASON_TASK_UNAUTHORIZED");
            continue;
          }
        }
        if (!contains(avail, t.resources)) {
          error(`Task uses more resources ${m.fmt(t.resources)} than available ${m.fmt(avail)}`);
          continue;
        }
        avail = subtract(avail, t.resources);
        a.used = add(a.used, t.resources);
        fw.tasks.set(t.id, t);
        glog.info(
          "master.cpp:4816",
          `Launching task ${t.id} of framework ${fw.id} (${fw.info.name}) with resources ${m.fmt(t.resources, true)} on agent ${m.agentLabel(a)}`,
        );
        deliver(m, fw, a, [t], { framework_id: fw.id, framework_info: fw.info, task: { ...task, agent_id: { value: a.id } } });
      }
    } else if (op.type === "LAUNCH_GROUP") {
      const ex = op.launch_group?.executor ?? {};
      const tasks = op.launch_group?.task_group?.tasks ?? [];
      const exRes = scalarsOnly(parseResources(ex.resources));
      const ts = tasks.map((task) => newTask(fw, task, a.id, task.command?.user ?? ex.command?.user ?? fw.info.user, ex.executor_id?.value));
      const fail = (msg, reason) => {
        for (const t of ts) {
          fw.tasks.set(t.id, t);
          glog.info("master.cpp:6898", `Sending status update TASK_ERROR for task ${t.id} of framework ${fw.id} '${msg}'`);
          pushUpdate(m, fw, t, { state: "TASK_ERROR", source: "SOURCE_MASTER", reason, message: msg });
        }
      };
      if (!is111 && ex.type && ex.type !== "DEFAULT") {
        fail("'ExecutorInfo.type' must be 'DEFAULT'", "REASON_TASK_GROUP_INVALID");
        continue;
      }
      let denied;
      if (m.acls) {
        for (const t of ts) {
          glog.info("master.cpp:3530", `Authorizing framework principal '${fw.info.principal ?? ""}' to launch task ${t.id}`);
          if (!denied && !m.authz("run_tasks", fw.info.principal, t.user)) denied = t;
        }
      }
      if (denied) {
        fail(`Task '${denied.id}' is not authorized to launch as user '${denied.user}'`, "REASON_TASK_GROUP_UNAUTHORIZED");
        continue;
      }
      const need = ts.reduce((acc, t) => add(acc, t.resources), exRes);
      if (!contains(avail, need)) {
        fail(`Task group uses more resources ${m.fmt(need)} than available ${m.fmt(avail)}`, "REASON_TASK_GROUP_INVALID");
        continue;
      }
      avail = subtract(avail, need);
      a.used = add(a.used, need);
      for (const t of ts) fw.tasks.set(t.id, t);
      glog.info(
        "master.cpp:4985",
        `Launching task group { ${ts.map((t) => t.id).join(" ")} } of framework ${fw.id} (${fw.info.name}) with resources ${m.fmt(need, true)} on agent ${m.agentLabel(a)}`,
      );
      deliver(m, fw, a, ts, {
        framework_id: fw.id,
        framework_info: fw.info,
        executor: ex,
        executor_resources: exRes,
        task_group: { tasks: tasks.map((x) => ({ ...x, agent_id: { value: a.id } })) },
      });
    }
  }
  setTimeout(() => allocate(m), 200);
}

function deliver(m, fw, a, ts, msg) {
  sendToAgent(m, a, "run_task", msg)
    .then((r) => {
      if (r.status !== 200) throw new Error(`agent answered ${r.status}`);
    })
    .catch(() => {
      for (const t of ts)
        if (!t.terminal)
          pushUpdate(m, fw, t, { state: "TASK_LOST", source: "SOURCE_MASTER", reason: "REASON_AGENT_DISCONNECTED", message: "Agent disconnected" });
    });
}

function kill(m, fw, taskId) {
  const t = fw.tasks.get(taskId);
  if (!t || t.terminal) return;
  const a = m.agents.get(t.agentId);
  if (!a) return pushUpdate(m, fw, t, { state: "TASK_LOST", source: "SOURCE_MASTER", reason: "REASON_RECONCILIATION", message: "Task is unknown" });
  glog.info("master.cpp:5195", `Telling agent ${m.agentLabel(a)} to kill task ${taskId} of framework ${fw.id} (${fw.info.name})`);
  sendToAgent(m, a, "kill_task", { framework_id: fw.id, task_id: taskId }).catch(() => {});
}
