// mesos-execute: flags from argv only (execute.cpp:900), master detection through ZooKeeper, the v1 scheduler
// library's SUBSCRIBE loop over http or https (per its own LIBPROCESS_SSL_ENABLED), and the cout progress lines.
// Like the real one it never exits while it cannot subscribe, exits 0 after any terminal task state and exits 1 on
// an ERROR event. It installs no SIGTERM handler: as PID 1 it ignores SIGTERM.
import fs from "node:fs";
import os from "node:os";
import { FlagError, is111, loadFlags, parseBool, parseDuration, parseJsonFlag, stripFile, VERSION } from "./flags.mjs";
import * as glog from "./glog.mjs";
import { readRecords, request, STATUS } from "./http.mjs";
import { applyKnobs, TERMINAL } from "./proc.mjs";
import { contains, parseResources, scalarsOnly, toProto } from "./resources.mjs";
import { initSsl } from "./tls.mjs";
import { detectMaster } from "./zk.mjs";

const DEFS = {
  master: { type: "string" },
  name: { type: "string" },
  command: { type: "string" },
  shell: { type: "bool", def: "true" },
  env: { type: "string" },
  resources: { type: "string", def: "cpus:1;mem:128" },
  task: { type: "string" },
  task_group: { type: "string" },
  principal: { type: "string" },
  secret: { type: "string" },
  role: { type: "string", def: "*" },
  checkpoint: { type: "bool", def: "false" },
  framework_capabilities: { type: "string" },
  containerizer: { type: "string", def: "mesos" },
  docker_image: { type: "string" },
  appc_image: { type: "string" },
  volumes: { type: "string" },
  networks: { type: "string" },
  effective_capabilities: { type: "string" },
  bounding_capabilities: { type: "string" },
  rlimits: { type: "string" },
  kill_after: { type: "duration" },
  content_type: { type: "string", def: "protobuf" },
  partition_aware: { type: "bool", def: "true" },
  package: { type: "string" },
  hadoop: { type: "string", def: "hadoop" },
  hdfs: { type: "string", def: "hdfs://localhost:9000" },
  overwrite: { type: "bool", def: "false" },
  help: { type: "bool", def: "false" },
};

const SCHED = (l14, l111) => `scheduler.cpp:${is111 ? l111 : l14}`;
const EXEC_EXIT = is111 ? "execute.cpp:674" : "execute.cpp:666";
/** The line of the library's warning for a call's answer that it only warns about: [1.4, 1.11]. */
const WARNED_AT = { 503: [588, 695], 404: [596, 703], 307: [604, 711] };

function usage(msg) {
  process.stderr.write(`${msg}\n\nUsage: mesos-execute [options]\n\n`);
  process.exit(1);
}

/** JSON flag or file path, like execute.cpp's `parse<T>` of --task/--task_group. */
function jsonOrPath(v, name) {
  const s = String(v).trim();
  if (s.startsWith("{") || s.startsWith("[")) return parseJsonFlag(s, name);
  try {
    return JSON.parse(fs.readFileSync(stripFile(s), "utf8"));
  } catch (e) {
    throw new FlagError(`Failed to load value '${s}' for flag '${name}': ${e.message}`);
  }
}

/**
 * The required fields of a v1 TaskInfo that the JSON leaves out, as protobuf's InitializationErrorString names them
 * (include/mesos/v1/mesos.proto: `required string name`, `required TaskID task_id`, `required AgentID agent_id`, each
 * ID with a `required string value`). stout's protobuf parse refuses the flag with them (protobuf.hpp:754 at 1.11).
 */
function missingTaskFields(task, prefix = "") {
  const missing = [];
  if (typeof task?.name !== "string") missing.push(`${prefix}name`);
  for (const id of ["task_id", "agent_id"]) {
    if (task?.[id] === undefined || task[id] === null) missing.push(`${prefix}${id}`);
    else if (typeof task[id].value !== "string") missing.push(`${prefix}${id}.value`);
  }
  return missing;
}

/** `--task`/`--task_group` as stout loads them: the flag fails with the JSON's missing required fields. */
function checkRequired(value, raw, name) {
  const missing = name === "task" ? missingTaskFields(value) : (value?.tasks ?? []).flatMap((t, i) => missingTaskFields(t, `tasks[${i}].`));
  if (missing.length) throw new FlagError(`Failed to load flag '${name}': Failed to load value '${raw}': Missing required fields: ${missing.join(", ")}`);
  return value;
}

/** getContainerInfo (execute.cpp:788-850 at 1.11), its image part under the Mesos containerizer: Docker's wins. */
/**
 * The TaskInfo mesos-execute sends, with the fields it sets itself (`--task` gives the whole object).
 * @typedef {{ name?: string, task_id: { value: string }, agent_id: { value: string }, resources: object[], command?: object, container?: { type: string, mesos: { image: object } } }} TaskInfo
 */

function imageOf(f) {
  if (f.containerizer !== "mesos") return undefined;
  if (f.docker_image !== undefined) return { type: "DOCKER", docker: { name: f.docker_image } };
  if (f.appc_image !== undefined)
    return {
      type: "APPC",
      appc: {
        name: f.appc_image,
        labels: {
          labels: [
            { key: "os", value: "linux" },
            { key: "arch", value: "amd64" },
          ],
        },
      },
    };
  return undefined;
}

export async function runExecute(argv) {
  await applyKnobs("mesos-execute");
  let flags;
  try {
    ({ flags } = loadFlags(DEFS, argv, {}));
    if (flags.help) {
      process.stdout.write("Usage: mesos-execute [options]\n");
      process.exit(0);
    }
    // stout parses --task/--task_group while it loads the flags, before any check of execute.cpp's own
    if (flags.task) flags.task = checkRequired(jsonOrPath(flags.task, "task"), flags.task, "task");
    if (flags.task_group) flags.task_group = checkRequired(jsonOrPath(flags.task_group, "task_group"), flags.task_group, "task_group");
    if (!flags.master) usage("Missing required option --master");
    if (flags.task && flags.task_group) usage("Either task or task group should be set but not both. Provide either '--task' OR '--task_group'");
    if (flags.task || flags.task_group) {
      for (const k of ["name", "command", "env", "appc_image", "docker_image", "volumes"])
        if (flags[k] !== undefined) usage(`'--${k}' is not supported with '--task' or '--task_group'`);
    } else {
      if (!flags.name) usage("Missing required option --name");
      if (flags.shell && !flags.command) usage("Missing required option --command when --shell is set");
    }
    if (flags.env !== undefined) flags.env = parseJsonFlag(flags.env, "env");
    if (flags.shell !== undefined) parseBool(String(flags.shell), "shell");
  } catch (e) {
    if (!(e instanceof FlagError)) throw e;
    // execute.cpp:935-937 at 1.11 (:903-905 at 1.4): `flags.usage(load.error())`, the load error as it is
    usage(e.message);
  }
  const ssl = initSsl();
  new Execute(flags, ssl).start();
}

class Execute {
  constructor(flags, ssl) {
    this.flags = flags;
    this.ssl = ssl;
    this.leader = null;
    this.wake = null;
    this.fid = undefined;
    this.streamId = undefined;
    this.launched = false;
    this.pending = new Set();
    let user = "root";
    try {
      user = os.userInfo().username;
    } catch {
      /* no passwd entry: Mesos would fail too, root is the images' user */
    }
    const caps = [
      "RESERVATION_REFINEMENT",
      "TASK_KILLING_STATE",
      ...(flags.partition_aware ? ["PARTITION_AWARE"] : []),
      ...(is111 ? ["MULTI_ROLE"] : []),
      ...String(flags.framework_capabilities ?? "")
        .split(",")
        .filter(Boolean),
    ];
    this.framework = {
      user,
      name: "mesos-execute instance",
      checkpoint: flags.checkpoint,
      capabilities: caps.map((type) => ({ type })),
      ...(is111 ? { roles: [flags.role] } : { role: flags.role }),
      ...(flags.principal ? { principal: flags.principal } : {}),
    };
  }

  start() {
    glog.info("scheduler.cpp:184", `Version: ${VERSION}`);
    const ip = process.env.LIBPROCESS_IP ?? "";
    if (ip.startsWith("127."))
      glog.warn(
        "scheduler.cpp:169",
        "\n**************************************************\nScheduler driver bound to loopback interface! Cannot communicate with remote master(s). You might want to set 'LIBPROCESS_IP' environment variable to use a routable IP address.\n**************************************************",
      );
    this.detector = detectMaster(this.flags.master, { pid: `scheduler@${ip}` }, (info) => {
      this.leader = info;
      this.wake?.();
    });
    this.detector.catch((e) => glog.exit(EXEC_EXIT, 1, `Failed to create a master detector: ${e.message}`));
    this.loop();
  }

  async waitLeader() {
    while (!this.leader) await new Promise((r) => (this.wake = r));
    return this.leader;
  }

  async loop() {
    for (;;) {
      const leader = await this.waitLeader();
      glog.info(SCHED(470, 525), `New master detected at ${leader.pid}`);
      const [, host, port] = /@([^:]+):(\d+)$/.exec(leader.pid);
      this.master = { host, port: Number(port) };
      try {
        await this.subscribe();
      } catch (e) {
        glog.error(SCHED(534, 643), `Request for call type SUBSCRIBE failed: ${e.text ?? e.message}`);
      }
      // The real library loops ~55 times a second here; a slower loop keeps logs readable and the harness cheap.
      await new Promise((r) => setTimeout(r, 700));
      glog.info(SCHED(444, 499), "Re-detecting master");
    }
  }

  headers() {
    const h = { Accept: "application/json" };
    if (this.flags.principal && this.flags.secret) h.Authorization = `Basic ${Buffer.from(`${this.flags.principal}:${this.flags.secret}`).toString("base64")}`;
    if (this.streamId) h["Mesos-Stream-Id"] = this.streamId;
    return h;
  }

  async subscribe() {
    const fi = { ...this.framework, ...(this.fid ? { id: { value: this.fid } } : {}) };
    this.streamId = undefined;
    const r = await request({
      ssl: this.ssl,
      host: this.master.host,
      port: this.master.port,
      path: "/master/api/v1/scheduler",
      body: { type: "SUBSCRIBE", subscribe: { framework_info: fi } },
      headers: this.headers(),
      stream: true,
      timeoutMs: 10_000,
    });
    if (r.status === 503 || r.status === 307) {
      let body = "";
      for await (const c of r.res) body += c;
      glog.warn(SCHED(600, 707), `Received '${STATUS[r.status]}' (${body}) for SUBSCRIBE`);
      return;
    }
    if (r.status !== 200) {
      let body = "";
      for await (const c of r.res) body += c;
      glog.exit(EXEC_EXIT, 1, `Received an ERROR event: Received unexpected '${STATUS[r.status] ?? r.status}' (${body}) for SUBSCRIBE`);
    }
    this.streamId = r.headers["mesos-stream-id"];
    for await (const ev of readRecords(r.res)) await this.onEvent(ev);
    // the master ended the stream (a teardown, or it failed over): the library re-detects and subscribes again
    glog.error(SCHED(649, 818), "End-Of-File received from master. The master closed the event stream");
  }

  async call(body) {
    try {
      const r = await request({
        ssl: this.ssl,
        host: this.master.host,
        port: this.master.port,
        path: "/master/api/v1/scheduler",
        // one field a line: what is readable on the wire comes in short runs, as in the protobuf the real one sends
        body: JSON.stringify({ framework_id: { value: this.fid }, ...body }, null, 1),
        headers: this.headers(),
      });
      // scheduler.cpp:692-716 at 1.11 (585-612 at 1.4): 503, 404 and 307 are a master not ready or not leading, only
      // warned about; any other answer is an error event, which mesos-execute exits on
      const warned = WARNED_AT[r.status];
      if (warned) glog.warn(SCHED(...warned), `Received '${STATUS[r.status]}' (${r.body}) for ${body.type}`);
      else if (r.status !== 202)
        glog.exit(EXEC_EXIT, 1, `Received an ERROR event: Received unexpected '${STATUS[r.status] ?? r.status}' (${r.body}) for ${body.type}`);
    } catch (e) {
      glog.error(SCHED(534, 643), `Request for call type ${body.type} failed: ${e.text ?? e.message}`);
    }
  }

  async onEvent(ev) {
    switch (ev.type) {
      case "SUBSCRIBED":
        this.fid = ev.subscribed.framework_id.value;
        glog.out(`Subscribed with ID ${this.fid}`);
        return;
      case "OFFERS":
        for (const o of ev.offers?.offers ?? []) await this.offer(o);
        return;
      case "UPDATE":
        return this.update(ev.update.status);
      case "ERROR":
        glog.exit(EXEC_EXIT, 1, `Received an ERROR event: ${ev.error?.message ?? ""}`);
        return;
      default:
    }
  }

  buildOps(aid) {
    const f = this.flags;
    if (f.task_group) {
      const tasks = (f.task_group.tasks ?? []).map((t) => ({ ...t, agent_id: { value: aid } }));
      const executor = {
        type: "DEFAULT",
        executor_id: { value: "default-executor" },
        framework_id: { value: this.fid },
        resources: toProto({ cpus: 0.1, mem: 32, disk: 32 }),
      };
      const need = tasks.reduce(
        (acc, t) => {
          const r = scalarsOnly(parseResources(t.resources));
          for (const [k, v] of Object.entries(r)) acc[k] = (acc[k] ?? 0) + v;
          return acc;
        },
        { cpus: 0.1, mem: 32, disk: 32 },
      );
      return { need, ids: tasks.map((t) => t.task_id.value), op: { type: "LAUNCH_GROUP", launch_group: { executor, task_group: { tasks } } }, group: true };
    }
    /** @type {TaskInfo} */
    let task;
    if (f.task) task = { ...f.task, agent_id: { value: aid } };
    else {
      const command = { value: f.command, shell: f.shell };
      if (!f.shell) command.arguments = [f.command];
      if (f.env) command.environment = { variables: Object.entries(f.env).map(([name, value]) => ({ name, value: String(value) })) };
      task = { name: f.name, task_id: { value: f.name }, agent_id: { value: aid }, resources: toProto(parseResources(f.resources)), command };
      const image = imageOf(f);
      if (image) task.container = { type: "MESOS", mesos: { image } };
    }
    return {
      need: scalarsOnly(parseResources(task.resources)),
      ids: [task.task_id.value],
      op: { type: "LAUNCH", launch: { task_infos: [task] } },
      name: task.name ?? task.task_id.value,
    };
  }

  async offer(o) {
    const aid = o.agent_id.value;
    if (this.launched) return this.call({ type: "DECLINE", decline: { offer_ids: [o.id], filters: { refuse_seconds: 3600 } } });
    const plan = this.buildOps(aid);
    if (!contains(scalarsOnly(parseResources(o.resources)), plan.need)) return this.call({ type: "DECLINE", decline: { offer_ids: [o.id] } });
    this.launched = true;
    for (const id of plan.ids) this.pending.add(id);
    await this.call({ type: "ACCEPT", accept: { offer_ids: [o.id], operations: [plan.op], filters: { refuse_seconds: 3600 } } });
    if (plan.group) glog.out(`Submitted task group with tasks [ ${plan.ids.join(", ")} ] to agent '${aid}'`);
    else glog.out(`Submitted task '${plan.name}' to agent '${aid}'`);
    if (this.flags.kill_after) {
      setTimeout(() => {
        for (const id of this.pending) this.call({ type: "KILL", kill: { task_id: { value: id }, agent_id: { value: aid } } });
      }, parseDuration(this.flags.kill_after));
    }
  }

  async update(s) {
    const tid = s.task_id.value;
    glog.out(`Received status update ${s.state} for task '${tid}'`);
    if (s.message !== undefined && s.message !== "") glog.out(`  message: '${s.message}'`);
    // The 1.4 runs quoted in the workshop show no source line for the executor's own updates; 1.11 shows all.
    if (s.source && (is111 || s.source !== "SOURCE_EXECUTOR")) glog.out(`  source: ${s.source}`);
    if (s.reason) glog.out(`  reason: ${s.reason}`);
    if (s.healthy !== undefined) glog.out(`  healthy?: ${s.healthy}`);
    if (s.uuid && s.agent_id) this.call({ type: "ACKNOWLEDGE", acknowledge: { agent_id: s.agent_id, task_id: s.task_id, uuid: s.uuid } });
    if (TERMINAL.has(s.state)) {
      this.pending.delete(tid);
      // no TEARDOWN: the real one just terminates (src/cli/execute.cpp:749-760 at 1.11), and the master removes the
      // framework once its connection is gone (failover timeout 0, src/master/master.cpp:1425-1443, :9363-9366)
      if (this.pending.size === 0) await returnFromMain(this.detector);
    }
  }
}

/**
 * execute.cpp:1237 returns EXIT_SUCCESS; the scheduler's detector is destroyed as main returns, and its ZooKeeper
 * handle closed. STANDIN_TEARDOWN_SEGV=1 then dies as real 1.11.1 did once in 300 runs with TLS, by SIGSEGV in the exit
 * teardown (docs/facts/observed-1.11.md, "mesos-execute's exit teardown").
 */
async function returnFromMain(detector) {
  const segv = process.env.STANDIN_TEARDOWN_SEGV;
  // `before-main`: a crash of the same kind that comes before main returned (nothing says the status was decided)
  if (segv === "before-main") await crash();
  (await detector?.catch(() => undefined))?.close();
  if (segv === "1") await crash();
  process.exit(0);
}

async function crash() {
  process.kill(process.pid, "SIGSEGV");
  await new Promise(() => undefined);
}
