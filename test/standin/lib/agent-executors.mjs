// The agent's containerizer stand-in: sandboxes, the executor environment (slave.cpp:8025-8148, built from
// scratch: no LIBPROCESS_SSL_* of the agent's own), executor processes, executor JWTs, the v0 (private) and v1
// (`/api/v1/executor`, realm mesos-agent-executor) executor protocols, and status update forwarding.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { is111, parseDuration, PROFILE } from "./flags.mjs";
import * as glog from "./glog.mjs";
import { peerAddr, readBody, recordio, send } from "./http.mjs";
import { sign } from "./jwt.mjs";
import { TERMINAL } from "./proc.mjs";
import { formatResources, parseResources, scalarsOnly, toProto } from "./resources.mjs";

const ENTRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "standin.mjs");
const L = (l14, l111) => `slave.cpp:${is111 ? l111 : l14}`;
const COMMAND_EXECUTOR_RESOURCES = { cpus: 0.1, mem: 32 };
const SIGNAL_TEXT = {
  SIGKILL: "Killed",
  SIGTERM: "Terminated",
  SIGINT: "Interrupt",
  SIGHUP: "Hangup",
  SIGABRT: "Aborted",
  SIGSEGV: "Segmentation fault",
  SIGQUIT: "Quit",
  SIGPIPE: "Broken pipe",
};
export const signalText = (s) => SIGNAL_TEXT[s] ?? s;

/**
 * stout's Duration as it prints (duration.hpp operator<<): the largest unit it reaches, or the next smaller one when
 * that gives a whole number and the larger does not; 15 significant digits.
 */
export function formatDuration(ns) {
  /** @type {Array<[string, number]>} */
  const units = [
    ["weeks", 6048e11],
    ["days", 864e11],
    ["hrs", 36e11],
    ["mins", 6e10],
    ["secs", 1e9],
    ["ms", 1e6],
    ["us", 1e3],
    ["ns", 1],
  ];
  const n = Number(ns);
  const found = units.findIndex(([, size]) => n >= size);
  const i = found < 0 ? units.length - 1 : found;
  const [unit, size] = i < units.length - 1 && n % units[i][1] !== 0 && n % units[i + 1][1] === 0 ? units[i + 1] : units[i];
  return `${Number((n / size).toPrecision(15))}${unit}`;
}

/** stout's UUID::fromBytes: 16 bytes whose version nibble is one it knows (1-5). */
function validUuid(b64) {
  const b = Buffer.from(String(b64), "base64");
  return b.length === 16 && b[6] >> 4 >= 1 && b[6] >> 4 <= 5;
}

/** The user's uid and gid from /etc/passwd, or undefined when it has no entry. */
function passwdEntry(user) {
  try {
    for (const line of fs.readFileSync("/etc/passwd", "utf8").split("\n")) {
      const [name, , uid, gid] = line.split(":");
      if (name === user) return { uid: Number(uid), gid: Number(gid) };
    }
  } catch {
    /* no passwd: nobody to switch to */
  }
  return undefined;
}

/**
 * The ExecutorInfo the agent makes for a command task (getExecutorInfo, slave.cpp at 1.11): the executor shares the
 * task's ID, and its command runs `mesos-executor` with the task command's environment and user, which is how the
 * task's environment shows in GET_EXECUTORS.
 */
export function commandExecutorInfo(fw, task, resources, launcherDir) {
  const cmd = task?.command ?? {};
  const tid = task?.task_id?.value;
  let name = `(Task: ${tid}) `;
  if (cmd.shell !== false) {
    const value = String(cmd.value ?? "");
    name += `(Command: sh -c '${value.length > 15 ? `${value.slice(0, 12)}...` : value}')`;
  } else name += `(Command: [${[cmd.value, ...(cmd.arguments ?? []).slice(1)].join(", ")}])`;
  const command = {
    value: path.join(launcherDir ?? "/usr/libexec/mesos", "mesos-executor"),
    arguments: ["mesos-executor", `--launcher_dir=${launcherDir ?? "/usr/libexec/mesos"}`],
    shell: false,
  };
  if (cmd.environment)
    command.environment = {
      variables: (cmd.environment.variables ?? []).map((v) => ({
        name: v.name,
        type: v.type ?? "VALUE",
        ...(v.value !== undefined ? { value: v.value } : {}),
      })),
    };
  if (cmd.user !== undefined) command.user = cmd.user;
  return {
    executor_id: { value: tid },
    framework_id: { value: fw.id },
    name: `Command Executor ${name}`,
    source: tid,
    command,
    resources: toProto(resources),
  };
}

function uuidPair() {
  const text = crypto.randomUUID();
  return { text, b64: Buffer.from(text.replace(/-/g, ""), "hex").toString("base64") };
}

export class Executors {
  constructor(agent) {
    this.agent = agent;
    this.frameworks = new Map();
    this.completed = [];
    this.containers = new Map();
    /** The agent's Files: virtual path -> directory, as Slave::launchExecutor attaches each run (detached at GC only). */
    this.attached = new Map();
  }

  get flags() {
    return this.agent.flags;
  }

  registered() {
    /* nothing to recover: the stand-in does not checkpoint */
  }

  async handlePrivate(req, res, op) {
    const body = JSON.parse((await readBody(req)) || "{}");
    const fromMaster = ["run_task", "kill_task", "shutdown_framework"].includes(op);
    if (fromMaster && req.headers["libprocess-from"] !== this.agent.master?.pid) {
      glog.warn(
        L(1700, 2291),
        `Ignoring message from ${req.headers["libprocess-from"]} because it is not the expected master: ${this.agent.master?.pid ?? "None"}`,
      );
      return send(res, 202);
    }
    switch (op) {
      case "link":
        // Held open for the process' lifetime: its closing is how the master learns this agent exited.
        res.writeHead(200, { "Content-Type": "application/octet-stream" });
        res.flushHeaders();
        return undefined;
      case "run_task":
        send(res, 200, { ok: true });
        return this.runTask(body);
      case "kill_task":
        send(res, 200, { ok: true });
        return this.killTask(body.framework_id, body.task_id);
      case "shutdown_framework":
        send(res, 200, { ok: true });
        return this.shutdownFramework(body.framework_id);
      case "executor/register":
        return this.registerV0(req, res, body);
      case "executor/update": {
        const ex = this.find(body.framework_id, body.executor_id);
        if (!ex) return send(res, 404);
        this.update(ex, body.status);
        return send(res, 200, { ok: true });
      }
      default:
        return send(res, 404);
    }
  }

  find(fid, eid) {
    return this.frameworks.get(fid)?.executors.get(eid);
  }

  runTask(msg) {
    const fid = msg.framework_id;
    if (!this.frameworks.has(fid)) this.frameworks.set(fid, { id: fid, info: msg.framework_info, executors: new Map() });
    const fw = this.frameworks.get(fid);
    if (msg.task_group) {
      const tasks = msg.task_group.tasks;
      glog.info(L(1767, 2212), `Got assigned task group containing tasks [ ${tasks.map((t) => t.task_id.value).join(", ")} ] for framework ${fid}`);
      glog.info(L(2171, 3181), `Launching task group containing tasks [ ${tasks.map((t) => t.task_id.value).join(", ")} ] for framework ${fid}`);
      const eid = msg.executor?.executor_id?.value ?? "default-executor";
      const ex = fw.executors.get(eid) ?? this.newExecutor(fw, eid, "default", msg.executor, msg.executor_resources);
      for (const t of tasks) ex.tasks.set(t.task_id.value, { info: t, state: "TASK_STAGING", resources: scalarsOnly(parseResources(t.resources)) });
      ex.queue.push({ type: "LAUNCH_GROUP", launch_group: { task_group: { tasks } } });
      this.flush(ex);
      return;
    }
    const task = msg.task;
    glog.info(L(1736, 2300), `Got assigned task '${task.task_id.value}' for framework ${fid}`);
    glog.info(L(2171, 3181), `Launching task '${task.task_id.value}' for framework ${fid}`);
    const eid = task.executor?.executor_id?.value ?? task.task_id.value;
    let ex = fw.executors.get(eid);
    if (!ex) ex = this.newExecutor(fw, eid, task.executor ? "custom" : "command", task.executor, COMMAND_EXECUTOR_RESOURCES, task);
    ex.tasks.set(task.task_id.value, { info: task, state: "TASK_STAGING", resources: scalarsOnly(parseResources(task.resources)) });
    ex.queue.push({ type: "LAUNCH", launch: { task } });
    this.flush(ex);
  }

  newExecutor(fw, eid, kind, info, resources, task) {
    const a = this.agent;
    const cid = crypto.randomUUID();
    const base = path.join(this.flags.work_dir, "slaves", a.id, "frameworks", fw.id, "executors", eid, "runs");
    const sandbox = path.join(base, cid);
    if (kind === "command") info = commandExecutorInfo(fw, task, COMMAND_EXECUTOR_RESOURCES, this.flags.launcher_dir);
    // slave.cpp:10331-10344 at 1.11: a user only when the agent switches users, the executor's command's over the
    // framework's; without one everything runs as the agent's own user
    const user = this.flags.switch_user ? (info?.command?.user ?? fw.info?.user) : undefined;
    const runAs = user === undefined ? undefined : passwdEntry(user);
    fs.mkdirSync(sandbox, { recursive: true });
    // paths.cpp:831-835 at 1.11 (1.4 logs nothing here); the sandbox then belongs to the user
    if (is111)
      glog.info(user === undefined ? "paths.cpp:835" : "paths.cpp:832", `Creating sandbox '${sandbox}'${user === undefined ? "" : ` for user '${user}'`}`);
    if (runAs && runAs.uid !== 0) {
      fs.chownSync(sandbox, runAs.uid, runAs.gid);
      fs.chmodSync(sandbox, 0o750);
    }
    try {
      fs.rmSync(path.join(base, "latest"), { force: true });
      fs.symlinkSync(cid, path.join(base, "latest"));
    } catch {
      /* a missing `latest` link only hurts humans */
    }
    // Files::attach of the run (slave.cpp:10426 at 1.11): its own path, the `latest` link, and the virtual path
    // `/frameworks/<fid>/executors/<eid>/runs/latest` that /files/read and /files/debug know it by
    for (const p of [sandbox, path.join(base, "latest"), `/frameworks/${fw.id}/executors/${eid}/runs/latest`]) this.attached.set(p, sandbox);
    const http = kind === "default" || (kind === "command" && this.flags.http_command_executor);
    const ex = {
      id: eid,
      fid: fw.id,
      fw,
      cid,
      kind,
      http,
      sandbox,
      resources: scalarsOnly(resources ?? {}),
      info: info ?? { executor_id: { value: eid }, type: "DEFAULT" },
      tasks: new Map(),
      queue: [],
      registered: false,
      stream: null,
      proc: null,
      reason: null,
    };
    fw.executors.set(eid, ex);
    glog.info(
      L(7256, 9151),
      `Launching executor '${eid}' of framework ${fw.id} with resources ${formatResources(ex.resources, { allocated: true })} in work directory '${sandbox}'`,
    );
    glog.info(L(2858, 3876), `Launching container ${cid} for executor '${eid}' of framework ${fw.id}`);
    const image = task?.container?.mesos?.image;
    if (is111 && image) {
      for (const f of ["stdout", "stderr"]) fs.closeSync(fs.openSync(path.join(sandbox, f), "a"));
      this.launchWithImage(ex, image);
      return ex;
    }
    const env = this.environment(ex);
    const role = kind === "default" ? "mesos-default-executor" : "mesos-executor";
    const out = fs.openSync(path.join(sandbox, "stdout"), "a");
    const err = fs.openSync(path.join(sandbox, "stderr"), "a");
    if (runAs && runAs.uid !== 0) for (const f of ["stdout", "stderr"]) fs.chownSync(path.join(sandbox, f), runAs.uid, runAs.gid);
    const args = [ENTRY, role, `--standin_profile=${PROFILE}`, `--launcher_dir=${this.flags.launcher_dir}`];
    if (runAs && runAs.uid !== 0) args.push(`--standin_user=${user}:${runAs.uid}:${runAs.gid}`);
    if (kind === "custom" && info?.command?.value) args.splice(0, args.length, "-c", info.command.value);
    const ids = kind === "custom" && runAs && runAs.uid !== 0 ? { uid: runAs.uid, gid: runAs.gid } : {};
    const proc = spawn(kind === "custom" ? "/bin/sh" : process.execPath, args, { cwd: sandbox, env, stdio: ["ignore", out, err], ...ids });
    fs.closeSync(out);
    fs.closeSync(err);
    ex.proc = proc;
    ex.pid = proc.pid;
    const timeout = this.flags.executor_registration_timeout ?? "1mins";
    ex.regTimer = setTimeout(() => {
      if (ex.registered) return;
      glog.info(L(5868, 7619), `Terminating executor '${eid}' of framework ${fw.id} because it did not register within ${timeout}`);
      ex.reason = { reason: "REASON_EXECUTOR_REGISTRATION_TIMEOUT", message: `Executor did not register within ${timeout}` };
      proc.kill("SIGKILL");
    }, parseDuration(timeout));
    proc.on("error", () => {});
    proc.on("exit", (code, signal) => this.terminated(ex, code, signal));
    return ex;
  }

  /**
   * A command task with a container image under 1.11: the Mesos containerizer provisions the image (the agent's image
   * store pulls it), then launches the container in it. A failed pull fails the launch (slave.cpp:6980-6996). A pulled
   * image gets its copy-backend rootfs, and the container then exits 1 as it did on the machine the real run was
   * recorded on, whose kernel has no /proc/sysrq-trigger for the filesystem/linux isolator to mount: no executor
   * runs. Not imitated: a kernel with it (the task would start in the image) and the per-container cgroup lines.
   */
  async launchWithImage(ex, image) {
    let since = process.hrtime.bigint();
    const transition = (from, to) => {
      const now = process.hrtime.bigint();
      glog.info("containerizer.cpp:3414", `Transitioning the state of container ${ex.cid} from ${from} to ${to} after ${formatDuration(now - since)}`);
      since = now;
    };
    glog.info("containerizer.cpp:1405", `Starting container ${ex.cid}`);
    transition("STARTING", "PROVISIONING");
    let rootfs;
    try {
      const store = image.type === "DOCKER" ? this.agent.dockerStore : undefined;
      if (!store) throw new Error(`Unsupported container image type: ${image.type}`);
      const layers = await store.get(image);
      rootfs = path.join(this.flags.work_dir, "provisioner", "containers", ex.cid, "backends", "copy", "rootfses", crypto.randomUUID());
      glog.info("provisioner.cpp:589", `Provisioning image rootfs '${rootfs}' for container ${ex.cid} using copy backend`);
      fs.mkdirSync(rootfs, { recursive: true });
      for (const layer of layers) fs.cpSync(layer, rootfs, { recursive: true, force: true, verbatimSymlinks: true });
    } catch (e) {
      glog.error("slave.cpp:6980", `Container '${ex.cid}' for executor '${ex.id}' of framework ${ex.fid} failed to start: ${e.message}`);
      glog.info("containerizer.cpp:2716", `Destroying container ${ex.cid} in PROVISIONING state`);
      transition("PROVISIONING", "DESTROYING");
      if (rootfs) fs.rmSync(path.join(this.flags.work_dir, "provisioner", "containers", ex.cid), { recursive: true, force: true });
      ex.reason = { reason: "REASON_CONTAINER_LAUNCH_FAILED", message: `Failed to launch container: ${e.message}` };
      return this.terminated(ex, null, null);
    }
    transition("PROVISIONING", "PREPARING");
    glog.info("switchboard.cpp:316", `Container logger module finished preparing container ${ex.cid}; IOSwitchboard server is not required`);
    glog.info("linux_launcher.cpp:476", `Launching container ${ex.cid} and cloning with namespaces CLONE_NEWNS`);
    transition("PREPARING", "ISOLATING");
    transition("ISOLATING", "FETCHING");
    transition("FETCHING", "RUNNING");
    glog.info("containerizer.cpp:3252", `Container ${ex.cid} has exited`);
    glog.info("containerizer.cpp:2716", `Destroying container ${ex.cid} in RUNNING state`);
    transition("RUNNING", "DESTROYING");
    glog.info("provisioner.cpp:748", `Destroying container rootfs at '${rootfs}' for container ${ex.cid}`);
    fs.rmSync(path.join(this.flags.work_dir, "provisioner", "containers", ex.cid), { recursive: true, force: true });
    return this.terminated(ex, 1, null);
  }

  /** slave.cpp executorEnvironment(): only these variables, plus the executor's CommandInfo environment on top. */
  environment(ex) {
    const a = this.agent;
    /** @type {Record<string, string>} */
    const env = {};
    for (const [k, v] of Object.entries(this.flags.executor_environment_variables ?? {})) env[k] = String(v);
    if (!env.PATH) env.PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    if (!env.LIBPROCESS_IP) env.LIBPROCESS_IP = a.ip;
    env.LIBPROCESS_PORT = "0";
    Object.assign(env, {
      MESOS_FRAMEWORK_ID: ex.fid,
      MESOS_EXECUTOR_ID: ex.id,
      MESOS_DIRECTORY: ex.sandbox,
      MESOS_SANDBOX: ex.sandbox,
      MESOS_SLAVE_ID: a.id,
      MESOS_AGENT_ENDPOINT: `${a.ip}:${a.port}`,
      MESOS_SLAVE_PID: a.pid,
      MESOS_CHECKPOINT: "0",
      MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: this.flags.executor_shutdown_grace_period ?? "5secs",
    });
    if (ex.kind === "command") env.MESOS_HTTP_COMMAND_EXECUTOR = ex.http ? "1" : "0";
    if (a.jwtKey) env.MESOS_EXECUTOR_AUTHENTICATION_TOKEN = sign({ cid: ex.cid, eid: ex.id, fid: ex.fid }, a.jwtKey);
    for (const v of ex.info?.command?.environment?.variables ?? []) env[v.name] = String(v.value ?? "");
    return env;
  }

  registerV0(req, res, body) {
    const ex = this.find(body.framework_id, body.executor_id);
    if (!ex || ex.http) return send(res, 404);
    ex.registered = true;
    clearTimeout(ex.regTimer);
    glog.info(L(3935, 5488), `Got registration for executor '${ex.id}' of framework ${ex.fid} from executor(1)@${peerAddr(req)}`);
    const launches = ex.queue.splice(0);
    send(res, 200, { agent_id: this.agent.id, framework_info: ex.fw.info, executor_info: ex.info, launches });
    return undefined;
  }

  /** Hands queued launches to a subscribed HTTP executor. */
  flush(ex) {
    if (!ex.http || !ex.stream) return;
    for (const ev of ex.queue.splice(0)) ex.stream.write(recordio(ev));
  }

  async handleExecutorApi(req, res) {
    if (req.method !== "POST") return send(res, 405, "", { Allow: "POST" });
    const a = this.agent.auth.guard(req, res, "mesos-agent-executor");
    if (!a) return undefined;
    this.agent.logHttp(req);
    let call;
    try {
      call = JSON.parse(await readBody(req));
    } catch (e) {
      return send(res, 400, `Failed to parse body into JSON: ${e.message}`);
    }
    // common/validation.cpp:566-580 at 1.11: an UPDATE's uuid must be a UUID stout knows (16 bytes, a known version)
    if (call.type === "UPDATE" && call.update?.status?.uuid !== undefined && !validUuid(call.update.status.uuid))
      return send(res, 400, "Failed to validate Executor::Call: Not a valid UUID");
    const fid = call.framework_id?.value;
    const eid = call.executor_id?.value;
    const claims = a.principal?.claims;
    if (claims && (claims.fid !== fid || claims.eid !== eid)) return send(res, 403);
    const ex = this.find(fid, eid);
    if (!ex) return send(res, 400, `Executor '${eid}' of framework ${fid} cannot be found`);
    if (claims && claims.cid !== ex.cid) return send(res, 403);
    switch (call.type) {
      case "SUBSCRIBE": {
        glog.info(L(3727, 5252), `Received Subscribe request for HTTP executor '${eid}' of framework ${fid}`);
        ex.registered = true;
        clearTimeout(ex.regTimer);
        res.writeHead(200, { "Content-Type": "application/json" });
        ex.stream = res;
        res.on("close", () => {
          if (ex.stream === res) ex.stream = null;
        });
        res.write(
          recordio({
            type: "SUBSCRIBED",
            subscribed: {
              executor_info: ex.info,
              framework_info: ex.fw.info,
              agent_info: { id: { value: this.agent.id }, hostname: this.agent.hostname, port: this.agent.port },
              container_id: { value: ex.cid },
            },
          }),
        );
        this.flush(ex);
        return undefined;
      }
      case "UPDATE":
        this.update(ex, call.update?.status ?? {});
        return send(res, 202);
      case "MESSAGE":
        return send(res, 202);
      default:
        return send(res, 400, `Unsupported executor call '${call.type}'`);
    }
  }

  /** Status update manager: log, record, forward to the master (retrying until it answers). */
  update(ex, status) {
    const id = uuidPair();
    const s = {
      ...status,
      uuid: status.uuid ?? id.b64,
      timestamp: status.timestamp ?? Date.now() / 1000,
      agent_id: { value: this.agent.id },
      executor_id: { value: ex.id },
    };
    const uuidText = status.uuid
      ? Buffer.from(status.uuid, "base64")
          .toString("hex")
          .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5")
      : id.text;
    const tid = s.task_id?.value;
    const t = ex.tasks.get(tid);
    if (t) t.state = s.state;
    glog.info(L(4399, 5981), `Handling status update ${s.state} (Status UUID: ${uuidText}) for task ${tid} of framework ${ex.fid}`);
    const master = this.agent.master;
    if (!master) return;
    glog.info(L(4880, 6527), `Forwarding the update ${s.state} (Status UUID: ${uuidText}) for task ${tid} of framework ${ex.fid} to ${master.pid}`);
    const body = { agent_id: this.agent.id, framework_id: ex.fid, status: s };
    const attempt = (n) =>
      this.agent.toMaster("status_update", body).catch(() => {
        if (n < 30) setTimeout(() => attempt(n + 1), 2000);
      });
    attempt(0);
  }

  terminated(ex, code, signal) {
    clearTimeout(ex.regTimer);
    ex.stream?.end();
    if (code === null && !signal) glog.info("slave.cpp:7100", `Executor '${ex.id}' of framework ${ex.fid} has terminated with unknown status`);
    else
      glog.info(
        L(5412, 7107),
        `Executor '${ex.id}' of framework ${ex.fid} ${signal ? `terminated with signal ${signalText(signal)}` : `exited with status ${code}`}`,
      );
    const why = ex.reason ?? { reason: "REASON_EXECUTOR_TERMINATED", message: "Executor terminated" };
    for (const [tid, t] of ex.tasks) {
      if (TERMINAL.has(t.state)) continue;
      this.update(ex, {
        task_id: { value: tid },
        state: ex.killing ? "TASK_KILLED" : "TASK_FAILED",
        source: "SOURCE_AGENT",
        reason: why.reason,
        message: why.message,
      });
    }
    if (this.agent.master) {
      // The master accounted executor resources only for executors the framework described (default/custom).
      const resources = ex.kind === "command" ? {} : ex.resources;
      this.agent.toMaster("executor_exited", { agent_id: this.agent.id, framework_id: ex.fid, executor_id: ex.id, status: code, resources }).catch(() => {});
    }
    ex.fw.executors.delete(ex.id);
    this.completed.push(ex);
    if (this.completed.length > 150) this.completed.shift();
  }

  killTask(fid, tid) {
    const fw = this.frameworks.get(fid);
    for (const ex of fw?.executors.values() ?? []) {
      if (!ex.tasks.has(tid)) continue;
      ex.killing = true;
      if (ex.http && ex.stream) ex.stream.write(recordio({ type: "KILL", kill: { task_id: { value: tid } } }));
      else ex.proc?.kill("SIGTERM");
    }
  }

  shutdownFramework(fid) {
    const fw = this.frameworks.get(fid);
    if (!fw) return;
    glog.info(L(2917, 3584), `Asked to shut down framework ${fid} by ${this.agent.master?.pid}`);
    for (const ex of fw.executors.values()) this.shutdownExecutor(ex);
  }

  shutdownExecutor(ex) {
    ex.killing = true;
    if (ex.http && ex.stream) ex.stream.write(recordio({ type: "SHUTDOWN" }));
    else ex.proc?.kill("SIGTERM");
    setTimeout(() => ex.proc?.kill("SIGKILL"), parseDuration(this.flags.executor_shutdown_grace_period ?? "5secs")).unref();
  }

  killAll() {
    for (const fw of this.frameworks.values()) for (const ex of fw.executors.values()) ex.proc?.kill("SIGKILL");
    for (const c of this.containers.values()) c.proc?.kill("SIGKILL");
  }

  /** An executor container or a nested container, by id. */
  container(id) {
    for (const fw of this.frameworks.values())
      for (const ex of fw.executors.values())
        if (ex.cid === id) return { id, sandbox: ex.sandbox, user: ex.fw.info?.user ?? "root", root: ex.cid, executor: ex };
    return this.containers.get(id);
  }

  containersJson(principal) {
    const out = [];
    for (const fw of this.frameworks.values()) {
      for (const ex of fw.executors.values()) {
        if (!this.agent.authz("view_containers", principal, fw.info?.user)) continue;
        out.push({
          container_id: ex.cid,
          executor_id: ex.id,
          executor_name: ex.info?.name ?? "",
          framework_id: fw.id,
          source: "",
          statistics: {},
          status: { executor_pid: ex.pid },
        });
      }
    }
    return out;
  }

  stateJson(principal) {
    const taskJson = (ex, id, t) => ({
      id,
      name: t.info.name,
      state: t.state,
      framework_id: ex.fid,
      executor_id: ex.id,
      slave_id: this.agent.id,
      resources: t.resources,
    });
    const exJson = (ex) => ({
      id: ex.id,
      name: ex.info?.name ?? "",
      source: ex.id,
      container: ex.cid,
      directory: ex.sandbox,
      resources: ex.resources,
      type: ex.kind === "default" ? "DEFAULT" : "CUSTOM",
      tasks: [...ex.tasks.entries()]
        .filter(([, t]) => !TERMINAL.has(t.state) && this.agent.authz("view_tasks", principal, ex.fw.info?.user))
        .map(([id, t]) => taskJson(ex, id, t)),
      completed_tasks: [...ex.tasks.entries()].filter(([, t]) => TERMINAL.has(t.state)).map(([id, t]) => taskJson(ex, id, t)),
      queued_tasks: [],
    });
    const fwJson = (fw, executors, completed) => ({
      id: fw.id,
      name: fw.info?.name,
      user: fw.info?.user,
      role: fw.info?.role ?? "*",
      principal: fw.info?.principal,
      executors: executors.filter(() => this.agent.authz("view_executors", principal, fw.info?.user)).map(exJson),
      completed_executors: completed.map(exJson),
    });
    const frameworks = [...this.frameworks.values()].filter((fw) => this.agent.authz("view_frameworks", principal, fw.info?.user));
    return {
      frameworks: frameworks
        .filter((fw) => fw.executors.size)
        .map((fw) =>
          fwJson(
            fw,
            [...fw.executors.values()],
            this.completed.filter((ex) => ex.fid === fw.id),
          ),
        ),
      completed_frameworks: frameworks
        .filter((fw) => !fw.executors.size)
        .map((fw) =>
          fwJson(
            fw,
            [],
            this.completed.filter((ex) => ex.fid === fw.id),
          ),
        ),
    };
  }
}
