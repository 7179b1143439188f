// The agent's v1 operator API (`/api/v1`, realm mesos-agent-readwrite): nested containers (what the default
// executor uses, with its JWT), sessions, attach, flags and state, each behind its ACL. A JWT principal whose `cid`
// claim names the parent container is implicitly allowed, as in LocalImplicitExecutorObjectApprover.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { VERSION } from "./flags.mjs";
import { readBody, recordio, send } from "./http.mjs";
import { principalValue } from "./http-auth.mjs";

const NESTED = {
  LAUNCH_NESTED_CONTAINER: ["launch_nested_containers_as_user", "launch_nested_containers_under_parent_with_user"],
  LAUNCH_NESTED_CONTAINER_SESSION: ["launch_nested_container_sessions_as_user", "launch_nested_container_sessions_under_parent_with_user"],
};

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
      if (!agent.authz("view_flags", p)) return send(res, 403);
      return reply(call.type, "get_flags", { flags: Object.entries(agent.flagsObject()).map(([name, value]) => ({ name, value })) });
    case "GET_STATE":
      return reply(call.type, "get_state", agent.stateJson(p));
    case "GET_AGENT":
      return reply(call.type, "get_agent", { agent_info: { id: { value: agent.id }, hostname: agent.hostname, port: agent.port } });
    case "GET_CONTAINERS":
      return reply(call.type, "get_containers", { containers: ex.containersJson(p) });
    case "SET_LOGGING_LEVEL":
      if (!agent.authz("set_log_level", p)) return send(res, 403);
      return send(res, 200);
    case "LAUNCH_NESTED_CONTAINER":
    case "LAUNCH_NESTED_CONTAINER_SESSION": {
      const body = call[call.type.toLowerCase()] ?? {};
      const id = body.container_id?.value;
      const parent = body.container_id?.parent?.value && ex.container(body.container_id.parent.value);
      if (!id || !parent) return send(res, 400, `Parent container ${body.container_id?.parent?.value ?? ""} cannot be found`);
      const user = body.command?.user ?? parent.user;
      const implicit = claims && claims.cid === parent.root;
      const [asUser, underParent] = NESTED[call.type];
      if (!implicit && !(agent.authz(asUser, p, user) && agent.authz(underParent, p, parent.user))) return send(res, 403);
      if (ex.containers.has(id)) return send(res, 409, `Container ${id} already exists`);
      const c = launchNested(agent, id, parent, body.command ?? {}, user);
      if (call.type === "LAUNCH_NESTED_CONTAINER") return send(res, 200);
      res.writeHead(200, { "Content-Type": "application/recordio", "Message-Content-Type": "application/json" });
      const pipe = (stream, type) => stream.on("data", (d) => res.write(recordio({ type: "DATA", data: { type, data: d.toString("base64") } })));
      pipe(c.proc.stdout, "STDOUT");
      pipe(c.proc.stderr, "STDERR");
      c.done.then(() => {
        res.end();
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
      const acl = { WAIT_NESTED_CONTAINER: "wait_nested_containers", KILL_NESTED_CONTAINER: "kill_nested_containers", REMOVE_NESTED_CONTAINER: "remove_nested_containers", ATTACH_CONTAINER_OUTPUT: "attach_containers_output", ATTACH_CONTAINER_INPUT: "attach_containers_input" }[call.type];
      const implicit = claims && c.root && claims.cid === c.root && !call.type.startsWith("ATTACH");
      if (!implicit && !agent.authz(acl, p, c.user)) return send(res, 403);
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

function launchNested(agent, id, parent, command, user) {
  const sandbox = path.join(parent.sandbox, "containers", id);
  fs.mkdirSync(sandbox, { recursive: true });
  const env = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", MESOS_SANDBOX: sandbox };
  for (const v of command.environment?.variables ?? []) env[v.name] = String(v.value ?? "");
  const shell = command.shell !== false;
  const proc = shell ? spawn("/bin/sh", ["-c", command.value ?? ""], { cwd: sandbox, env }) : spawn(command.value, command.arguments?.slice(1) ?? [], { cwd: sandbox, env });
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
