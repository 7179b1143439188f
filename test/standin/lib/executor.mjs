// The executors the agent launches inside its own container: `mesos-executor` (command executor; driver-based v0
// unless MESOS_HTTP_COMMAND_EXECUTOR=1) and `mesos-default-executor` (v1 HTTP, nested containers via the agent's
// operator API). They read only their own environment, so TLS works only if the agent passed LIBPROCESS_SSL_*.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { is111, VERSION } from "./flags.mjs";
import * as glog from "./glog.mjs";
import { readRecords, request, STATUS } from "./http.mjs";
import { initSsl } from "./tls.mjs";

const SIGNAL_TEXT = { SIGKILL: "Killed", SIGTERM: "Terminated", SIGINT: "Interrupt", SIGHUP: "Hangup", SIGABRT: "Aborted", SIGSEGV: "Segmentation fault" };

class ExecutorBase {
  constructor(file) {
    this.file = file;
    this.ssl = initSsl();
    const [host, port] = String(process.env.MESOS_AGENT_ENDPOINT ?? "127.0.0.1:5051").split(":");
    this.host = host;
    this.port = Number(port);
    this.fid = process.env.MESOS_FRAMEWORK_ID;
    this.eid = process.env.MESOS_EXECUTOR_ID;
    this.token = process.env.MESOS_EXECUTOR_AUTHENTICATION_TOKEN;
    this.tasks = new Map();
  }

  /**
   * The v1 executor library starting up (src/executor/executor.cpp): it reads the token from its environment and,
   * since 1.6 (commit 9e18db59f, executor.cpp:288-295 at 1.11), erases it "so that it is not visible to other
   * processes in the same PID namespace" — the task it launches inherits an environment without the token. 1.4
   * reads it with os::getenv and leaves it (executor.cpp:226-229). The driver-based v0 executor never reads it.
   */
  v1Library() {
    glog.info(is111 ? "executor.cpp:210" : "executor.cpp:192", `Version: ${VERSION}`);
    if (is111) {
      glog.info(
        "executor.cpp:286",
        `Using URL ${this.ssl?.cfg?.enabled ? "https" : "http"}://${this.host}:${this.port}/slave(1)/api/v1/executor for the executor API endpoint`,
      );
      delete process.env.MESOS_EXECUTOR_AUTHENTICATION_TOKEN;
    }
  }

  headers() {
    return this.token ? { Authorization: `Bearer ${this.token}` } : {};
  }

  post(p, body, stream = false) {
    return request({ ssl: this.ssl, host: this.host, port: this.port, path: p, body, headers: this.headers(), stream, timeoutMs: stream ? 3_600_000 : 10_000 });
  }

  status(tid, state, extra = {}) {
    return {
      task_id: { value: tid },
      state,
      source: "SOURCE_EXECUTOR",
      // a version-4 UUID as id::UUID::random() makes it: the agent refuses other bytes ("Not a valid UUID")
      uuid: Buffer.from(crypto.randomUUID().replace(/-/g, ""), "hex").toString("base64"),
      timestamp: Date.now() / 1000,
      ...extra,
    };
  }

  async sendUpdateV1(status) {
    const r = await this.post("/slave(1)/api/v1/executor", {
      type: "UPDATE",
      framework_id: { value: this.fid },
      executor_id: { value: this.eid },
      update: { status },
    });
    if (r.status !== 202) glog.error(this.file, `Error: Received unexpected '${STATUS[r.status] ?? r.status}' (${r.body}) for UPDATE`);
  }

  /** The v1 executor library: subscribe, then dispatch events; a 401/403 is logged and retried. */
  async subscribeLoop(onEvent) {
    for (;;) {
      let r;
      try {
        r = await this.post(
          "/slave(1)/api/v1/executor",
          {
            type: "SUBSCRIBE",
            framework_id: { value: this.fid },
            executor_id: { value: this.eid },
            subscribe: { unacknowledged_tasks: [], unacknowledged_updates: [] },
          },
          true,
        );
      } catch {
        glog.info(this.file, "Disconnected from agent");
        glog.info(this.file, "Agent disconnected; shutting down");
        process.exit(1);
      }
      if (r.status !== 200) {
        let body = "";
        for await (const c of r.res) body += c;
        glog.error(this.file, `Error: Received unexpected '${STATUS[r.status] ?? r.status}' (${body}) for SUBSCRIBE`);
        await new Promise((res) => setTimeout(res, 2000));
        continue;
      }
      try {
        for await (const ev of readRecords(r.res)) await onEvent(ev);
      } catch {
        /* stream broke: the agent went away */
      }
      glog.info(this.file, "Disconnected from agent");
      process.exit(1);
    }
  }
}

function exitText(code, signal) {
  return signal ? `Command terminated with signal ${SIGNAL_TEXT[signal] ?? signal}` : `Command exited with status ${code}`;
}

export async function runCommandExecutor() {
  const e = new ExecutorBase(is111 ? "executor.cpp:286" : "executor.cpp:243");
  const http = process.env.MESOS_HTTP_COMMAND_EXECUTOR === "1";
  let child = null;
  let killed = false;
  const send = async (status) => {
    if (http) return e.sendUpdateV1(status);
    try {
      await e.post("/slave(1)/_standin/executor/update", { framework_id: e.fid, executor_id: e.eid, status });
    } catch {
      glog.info("exec.cpp:517", "Agent exited ... shutting down");
      child?.kill("SIGKILL");
      process.exit(1);
    }
  };
  const launch = async (task) => {
    const tid = task.task_id.value;
    const cmd = task.command ?? {};
    glog.info("executor.cpp:591", `Starting task ${tid}`);
    const env = { ...process.env };
    for (const v of cmd.environment?.variables ?? []) env[v.name] = String(v.value ?? "");
    child =
      cmd.shell === false
        ? spawn(cmd.value, (cmd.arguments ?? []).slice(1), { env, stdio: "inherit" })
        : spawn("/bin/sh", ["-c", cmd.value ?? ""], { env, stdio: "inherit" });
    const pid = child.pid;
    glog.info("executor.cpp:704", `Forked command at ${pid}`);
    const exited = new Promise((resolve) => {
      child.on("error", () => resolve([127, null]));
      child.on("exit", (code, signal) => resolve([code, signal]));
    });
    if (is111) await send(e.status(tid, "TASK_STARTING"));
    await send(e.status(tid, "TASK_RUNNING"));
    const [code, signal] = await exited;
    const msg = exitText(code, signal);
    glog.info("executor.cpp:924", `${msg} (pid: ${pid})`);
    const state = killed ? "TASK_KILLED" : code === 0 ? "TASK_FINISHED" : "TASK_FAILED";
    await send(e.status(tid, state, { message: msg }));
    // The real executor waits for the acknowledgement before it exits; a short pause keeps the ordering.
    setTimeout(() => process.exit(0), 200);
  };
  const kill = () => {
    killed = true;
    if (child) child.kill("SIGTERM");
    else process.exit(0);
  };
  process.on("SIGTERM", kill);
  if (http) {
    e.v1Library();
    await e.subscribeLoop(async (ev) => {
      if (ev.type === "SUBSCRIBED") glog.info("executor.cpp:182", `Subscribed executor on ${ev.subscribed?.agent_info?.hostname ?? e.host}`);
      else if (ev.type === "LAUNCH") launch(ev.launch.task);
      else if (ev.type === "KILL" || ev.type === "SHUTDOWN") kill();
    });
    return;
  }
  glog.info("exec.cpp:162", `Version: ${VERSION}`);
  let r;
  try {
    r = await e.post("/slave(1)/_standin/executor/register", { framework_id: e.fid, executor_id: e.eid });
    if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
  } catch {
    glog.info("exec.cpp:517", "Agent exited ... shutting down");
    process.exit(1);
  }
  const reg = JSON.parse(r.body);
  glog.info("exec.cpp:237", `Executor registered on agent ${reg.agent_id}`);
  for (const l of reg.launches ?? []) if (l.type === "LAUNCH") launch(l.launch.task);
}

export async function runDefaultExecutor() {
  const e = new ExecutorBase("default_executor.cpp:274");
  e.v1Library();
  let containerId;
  const children = new Map();
  const operator = (body) => e.post("/slave(1)/api/v1", body);
  const maybeExit = () => {
    if ([...e.tasks.values()].every((s) => s === "done")) setTimeout(() => process.exit(0), 200);
  };
  const runTask = async (task) => {
    const tid = task.task_id.value;
    e.tasks.set(tid, "running");
    const cid = crypto.randomUUID();
    const r = await operator({
      type: "LAUNCH_NESTED_CONTAINER",
      launch_nested_container: { container_id: { value: cid, parent: { value: containerId } }, command: task.command ?? {} },
    });
    if (r.status !== 200) {
      const msg = `Received '${STATUS[r.status] ?? r.status}' (${r.body}) for LAUNCH_NESTED_CONTAINER`;
      glog.error("default_executor.cpp:451", `Unable to launch child containers: ${msg}`);
      await e.sendUpdateV1(e.status(tid, "TASK_FAILED", { message: `Failed to launch child container: ${msg}`, reason: "REASON_CONTAINER_LAUNCH_FAILED" }));
      e.tasks.set(tid, "done");
      return maybeExit();
    }
    children.set(cid, tid);
    try {
      fs.mkdirSync(path.join(process.env.MESOS_SANDBOX ?? ".", "tasks"), { recursive: true });
      fs.symlinkSync(path.join("..", "containers", cid), path.join(process.env.MESOS_SANDBOX ?? ".", "tasks", tid));
    } catch {
      /* only a convenience link */
    }
    glog.info("default_executor.cpp:497", `Successfully launched tasks [ ${tid} ] in child containers [ ${cid} ]`);
    if (is111) await e.sendUpdateV1(e.status(tid, "TASK_STARTING"));
    await e.sendUpdateV1(e.status(tid, "TASK_RUNNING"));
    const w = await operator({ type: "WAIT_NESTED_CONTAINER", wait_nested_container: { container_id: { value: cid, parent: { value: containerId } } } });
    let msg;
    let ok = false;
    if (w.status === 200) {
      const st = JSON.parse(w.body).wait_nested_container?.exit_status ?? 0;
      const sig = st & 0x7f;
      const code = (st >> 8) & 0xff;
      ok = sig === 0 && code === 0;
      msg = sig ? `Command terminated with signal ${({ 9: "Killed", 15: "Terminated" })[sig] ?? sig}` : `Command exited with status ${code}`;
    } else msg = `Failed to wait for child container: Received '${STATUS[w.status] ?? w.status}' (${w.body}) for WAIT_NESTED_CONTAINER`;
    glog.info("default_executor.cpp:821", `Child container ${cid} of task '${tid}' completed: ${msg}`);
    await e.sendUpdateV1(e.status(tid, ok ? "TASK_FINISHED" : "TASK_FAILED", { message: msg }));
    e.tasks.set(tid, "done");
    maybeExit();
  };
  await e.subscribeLoop(async (ev) => {
    if (ev.type === "SUBSCRIBED") {
      containerId = ev.subscribed.container_id.value;
      glog.info("default_executor.cpp:204", `Received SUBSCRIBED event`);
      glog.info("default_executor.cpp:208", `Subscribed executor on ${ev.subscribed?.agent_info?.hostname ?? e.host}`);
    } else if (ev.type === "LAUNCH_GROUP") {
      glog.info("default_executor.cpp:204", "Received LAUNCH_GROUP event");
      for (const t of ev.launch_group.task_group.tasks) runTask(t);
    } else if (ev.type === "SHUTDOWN" || ev.type === "KILL") {
      for (const cid of children.keys())
        operator({ type: "KILL_NESTED_CONTAINER", kill_nested_container: { container_id: { value: cid, parent: { value: containerId } } } }).catch(() => {});
      if (ev.type === "SHUTDOWN") setTimeout(() => process.exit(0), 500);
    }
  });
}
