// The agent's v1 operator API (`/api/v1`, realm mesos-agent-readwrite): nested containers (what the default
// executor uses, with its JWT), sessions, attach, flags and state, each behind its ACL. A JWT principal whose `cid`
// claim names the parent container is implicitly allowed, as in LocalImplicitExecutorObjectApprover.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { is111, VERSION } from "./flags.mjs";
import * as glog from "./glog.mjs";
import { readBody, recordio, send } from "./http.mjs";
import { principalValue } from "./http-auth.mjs";

const NESTED = {
  LAUNCH_NESTED_CONTAINER: ["launch_nested_containers_as_user", "launch_nested_containers_under_parent_with_user"],
  LAUNCH_NESTED_CONTAINER_SESSION: ["launch_nested_container_sessions_as_user", "launch_nested_container_sessions_under_parent_with_user"],
};

/** libprocess' Forbidden(): 1.11 answers with a body ("403 Forbidden.", process/http.hpp:749-750), 1.4.0 without. */
function forbidden(res) {
  return is111 ? send(res, 403, "403 Forbidden.", { "Content-Type": "text/plain; charset=utf-8" }) : send(res, 403);
}

/** The agent's log lines for a session (src/slave/http.cpp at 1.11.x / 1.4.0); 1.4.0 has no `Processing …` lines. */
const AT = is111
  ? {
      processing: "http.cpp:4215",
      attach: "http.cpp:4462",
      eof: "http.cpp:4309",
      closed: "http.cpp:4326",
      nested: "linux_launcher.cpp:476",
      getExecutors: "http.cpp:1775",
    }
  : { eof: "http.cpp:2854", closed: "http.cpp:2869", nested: "linux_launcher.cpp:429" };

/** GET_CONTAINERS in the v1 shape (evolve<v1::agent::Response::GET_CONTAINERS>), not the /containers one. */
function containersV1(agent, principal) {
  return agent.executors.containersJson(principal).map((c) => ({
    framework_id: { value: c.framework_id },
    executor_id: { value: c.executor_id },
    executor_name: c.executor_name,
    container_id: { value: c.container_id },
    container_status: { container_id: { value: c.container_id }, ...(c.status?.executor_pid ? { executor_pid: c.status.executor_pid } : {}) },
  }));
}

function rawWaitStatus(code, signal) {
  if (signal) return { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGHUP: 1, SIGABRT: 6, SIGSEGV: 11 }[signal] ?? 9;
  return (code ?? 0) << 8;
}

export async function handleAgentOperator(agent, req, res, principal) {
  if (req.method !== "POST") return send(res, 405, "", { Allow: "POST" });
  let call;
  try {
    call = JSON.parse(await readBody(req));
  } catch (e) {
    return send(res, 400, `Failed to parse body into JSON: ${e.message}`);
  }
  const ex = agent.executors;
  const p = principalValue(principal);
  const claims = principal?.claims;
  const reply = (type, key, value) => send(res, 200, { type, [key]: value });
  switch (call.type) {
    case "GET_HEALTH":
      return reply(call.type, "get_health", { healthy: true });
    case "GET_VERSION":
      return reply(call.type, "get_version", { version_info: { version: VERSION } });
    case "GET_FLAGS":
      if (!agent.authz("view_flags", p)) return forbidden(res);
      return reply(call.type, "get_flags", { flags: Object.entries(agent.flagsObject()).map(([name, value]) => ({ name, value })) });
    case "GET_STATE":
      return reply(call.type, "get_state", agent.stateJson(p));
    case "GET_AGENT":
      return reply(call.type, "get_agent", { agent_info: { id: { value: agent.id }, hostname: agent.hostname, port: agent.port } });
    case "GET_CONTAINERS":
      return reply(call.type, "get_containers", { containers: containersV1(agent, p) });
    case "GET_EXECUTORS": {
      // slave/http.cpp:1775 at 1.11: every executor's ExecutorInfo, its command's environment included
      if (AT.getExecutors) glog.info(AT.getExecutors, "Processing GET_EXECUTORS call");
      const visible = (e) => agent.authz("view_frameworks", p, e.fw.info?.user) && agent.authz("view_executors", p, e.fw.info?.user);
      const running = [...ex.frameworks.values()].flatMap((fw) => [...fw.executors.values()]);
      return reply(call.type, "get_executors", {
        executors: running.filter(visible).map((e) => ({ executor_info: { ...e.info, framework_id: { value: e.fid } } })),
        completed_executors: ex.completed.filter(visible).map((e) => ({ executor_info: { ...e.info, framework_id: { value: e.fid } } })),
      });
    }
    case "SET_LOGGING_LEVEL":
      if (!agent.authz("set_log_level", p)) return forbidden(res);
      return send(res, 200);
    case "LAUNCH_NESTED_CONTAINER":
    case "LAUNCH_NESTED_CONTAINER_SESSION": {
      const body = call[call.type.toLowerCase()] ?? {};
      const id = body.container_id?.value;
      const full = `${body.container_id?.parent?.value ?? ""}.${id}`;
      const session = call.type === "LAUNCH_NESTED_CONTAINER_SESSION";
      if (session && AT.processing) glog.info(AT.processing, `Processing LAUNCH_NESTED_CONTAINER_SESSION call for container '${full}'`);
      const parent = body.container_id?.parent?.value && ex.container(body.container_id.parent.value);
      if (!id || !parent) return send(res, 400, `Parent container ${body.container_id?.parent?.value ?? ""} cannot be found`);
      // the ACLs' request objects (src/authorizer/local/authorizer.cpp:366-388 at 1.11): the session's own user, or
      // ANY when the call names none; the user of the container it enters
      const implicit = claims && claims.cid === parent.root;
      const [asUser, underParent] = NESTED[call.type];
      if (!implicit && !(agent.authz(asUser, p, body.command?.user) && agent.authz(underParent, p, parent.user))) return forbidden(res);
      if (ex.containers.has(id)) return send(res, 409, `Container ${id} already exists`);
      const c = launchNested(agent, id, full, parent, body.command ?? {}, body.command?.user ?? parent.user);
      if (!session) return send(res, 200);
      // the session attaches to its own output, which attach_containers_output guards: refused, the container goes
      if (AT.attach) glog.info(AT.attach, `Processing ATTACH_CONTAINER_OUTPUT call for container '${full}'`);
      if (!implicit && !agent.authz("attach_containers_output", p, parent.user)) {
        c.proc.kill("SIGKILL");
        ex.containers.delete(id);
        return forbidden(res);
      }
      // `Accept` absent or JSON: the records come as JSON in a chunked application/json answer, as 1.11 sends them
      const accept = String(req.headers.accept ?? "application/json");
      const streaming = accept.includes("application/recordio") && !accept.includes("application/json");
      res.writeHead(
        200,
        streaming ? { "Content-Type": "application/recordio", "Message-Content-Type": "application/json" } : { "Content-Type": "application/json" },
      );
      const pipe = (stream, type) => stream.on("data", (d) => res.write(recordio({ type: "DATA", data: { type, data: d.toString("base64") } })));
      pipe(c.proc.stdout, "STDOUT");
      pipe(c.proc.stderr, "STDERR");
      c.done.then(() => {
        glog.info(AT.eof, `Received EOF attach response for ${full}`);
        res.end();
        glog.warn(AT.closed, `Launch nested container session connection for container ${full} closed`);
        ex.containers.delete(id);
      });
      return undefined;
    }
    case "WAIT_NESTED_CONTAINER":
    case "KILL_NESTED_CONTAINER":
    case "REMOVE_NESTED_CONTAINER":
    case "ATTACH_CONTAINER_OUTPUT":
    case "ATTACH_CONTAINER_INPUT": {
      const key = call.type.toLowerCase();
      const id = call[key]?.container_id?.value;
      const c = ex.containers.get(id) ?? ex.container(id);
      if (!c) return send(res, 404, `Container ${id} cannot be found`);
      const acl = {
        WAIT_NESTED_CONTAINER: "wait_nested_containers",
        KILL_NESTED_CONTAINER: "kill_nested_containers",
        REMOVE_NESTED_CONTAINER: "remove_nested_containers",
        ATTACH_CONTAINER_OUTPUT: "attach_containers_output",
        ATTACH_CONTAINER_INPUT: "attach_containers_input",
      }[call.type];
      const implicit = claims && c.root && claims.cid === c.root && !call.type.startsWith("ATTACH");
      if (!implicit && !agent.authz(acl, p, c.user)) return forbidden(res);
      if (call.type === "WAIT_NESTED_CONTAINER") {
        if (!c.done) return send(res, 400, "Not a nested container");
        const st = await c.done;
        return reply(call.type, key, { exit_status: st });
      }
      if (call.type === "KILL_NESTED_CONTAINER") {
        c.proc?.kill(call[key]?.signal === 9 ? "SIGKILL" : "SIGTERM");
        return send(res, 200);
      }
      if (call.type === "REMOVE_NESTED_CONTAINER") {
        ex.containers.delete(id);
        return send(res, 200);
      }
      if (call.type === "ATTACH_CONTAINER_INPUT") return send(res, 200);
      res.writeHead(200, { "Content-Type": "application/recordio", "Message-Content-Type": "application/json" });
      for (const f of ["stdout", "stderr"]) {
        try {
          res.write(recordio({ type: "DATA", data: { type: f.toUpperCase(), data: fs.readFileSync(path.join(c.sandbox, f)).toString("base64") } }));
        } catch {
          /* nothing written yet */
        }
      }
      return res.end();
    }
    default:
      return send(res, 400, `Failed to validate agent::Call: unsupported call '${call.type}'`);
  }
}

function launchNested(agent, id, full, parent, command, user) {
  const sandbox = path.join(parent.sandbox, "containers", id);
  fs.mkdirSync(sandbox, { recursive: true });
  const env = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", MESOS_SANDBOX: sandbox };
  for (const v of command.environment?.variables ?? []) env[v.name] = String(v.value ?? "");
  const shell = command.shell !== false;
  const proc = shell
    ? spawn("/bin/sh", ["-c", command.value ?? ""], { cwd: sandbox, env })
    : spawn(command.value, command.arguments?.slice(1) ?? [], { cwd: sandbox, env });
  // the Linux launcher clones no namespace for a nested container (it shares its parent's); the posix one forks
  if (agent.flags.launcher === "linux") glog.info(AT.nested, `Launching nested container ${full} and cloning with namespaces `);
  else glog.info(is111 ? "launcher.cpp:145" : "launcher.cpp:151", `Forked child with pid '${proc.pid}' for container '${full}'`);
  const out = fs.createWriteStream(path.join(sandbox, "stdout"));
  const err = fs.createWriteStream(path.join(sandbox, "stderr"));
  proc.stdout.pipe(out);
  proc.stderr.pipe(err);
  const c = { id, parent: parent.id, root: parent.root ?? parent.id, sandbox, user, proc };
  c.done = new Promise((resolve) => {
    proc.on("error", () => resolve(127 << 8));
    proc.on("exit", (code, signal) => resolve(rawWaitStatus(code, signal)));
  });
  agent.executors.containers.set(id, c);
  return c;
}
