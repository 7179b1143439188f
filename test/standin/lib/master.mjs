// mesos-master: flags and startup lines (master.cpp:442-646), election through ZooKeeper, HTTP(S) endpoints with
// per-realm authentication, and the state the other modules (agents, scheduler API, operator API) share.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import { authorize, parseAclsFlag, validateAcls } from "./acls.mjs";
import { FlagError, flagsJson, flagsLine, is111, loadFlags, parseCredentials, tooOpen, VERSION } from "./flags.mjs";
import * as glog from "./glog.mjs";
import { listen, peerAddr, send } from "./http.mjs";
import { HttpAuth, principalValue } from "./http-auth.mjs";
import { handleAgentMessage } from "./master-agents.mjs";
import { handleOperator, LEGACY_WRITE } from "./master-operator.mjs";
import { allocate, handleScheduler } from "./master-scheduler.mjs";
import { applyKnobs, exitOnTerm, selfIp } from "./proc.mjs";
import { formatResources } from "./resources.mjs";
import { initSsl } from "./tls.mjs";
import { ZkSession } from "./zk.mjs";

const DEFS = {
  acls: { type: "json" },
  advertise_ip: { type: "string" },
  advertise_port: { type: "string" },
  agent_ping_timeout: { type: "duration", def: "15secs", alias: ["slave_ping_timeout"] },
  agent_reregister_timeout: { type: "duration", def: "10mins", alias: ["slave_reregister_timeout"] },
  allocation_interval: { type: "duration", def: "1secs" },
  allocator: { type: "string", def: "HierarchicalDRF" },
  authenticate_agents: { type: "bool", def: "false", alias: ["authenticate_slaves"] },
  authenticate_frameworks: { type: "bool", def: "false", alias: ["authenticate"] },
  authenticate_http_frameworks: { type: "bool", def: "false" },
  authenticate_http_readonly: { type: "bool", def: "false" },
  authenticate_http_readwrite: { type: "bool", def: "false", alias: ["authenticate_http"] },
  authenticators: { type: "string", def: "crammd5" },
  authorizers: { type: "string", def: "local" },
  cluster: { type: "string" },
  credentials: { type: "path" },
  firewall_rules: { type: "json" },
  framework_sorter: { type: "string", def: "drf" },
  help: { type: "bool", def: "false" },
  hostname: { type: "string" },
  hostname_lookup: { type: "bool", def: "true" },
  http_authenticators: { type: "string", def: "basic" },
  http_framework_authenticators: { type: "string" },
  initialize_driver_logging: { type: "bool", def: "true" },
  ip: { type: "string" },
  log_auto_initialize: { type: "bool", def: "true" },
  log_dir: { type: "string" },
  logbufsecs: { type: "int", def: "0" },
  logging_level: { type: "string", def: "INFO" },
  max_agent_ping_timeouts: { type: "int", def: "5", alias: ["max_slave_ping_timeouts"] },
  max_completed_frameworks: { type: "int", def: "50" },
  max_completed_tasks_per_framework: { type: "int", def: "1000" },
  port: { type: "int", def: "5050" },
  quiet: { type: "bool", def: "false" },
  quorum: { type: "int" },
  rate_limits: { type: "json" },
  recovery_agent_removal_limit: { type: "string", def: "100%" },
  registry: { type: "string", def: "replicated_log" },
  registry_fetch_timeout: { type: "duration", def: "1mins" },
  registry_store_timeout: { type: "duration", def: "20secs" },
  registry_strict: { type: "bool", def: "false" },
  roles: { type: "string" },
  root_submissions: { type: "bool", def: "true" },
  version: { type: "bool", def: "false" },
  webui_dir: { type: "string", def: "/usr/share/mesos/webui" },
  work_dir: { type: "string" },
  zk: { type: "string" },
  zk_session_timeout: { type: "duration", def: "10secs" },
  ...(is111
    ? { role_sorter: { type: "string", def: "drf" }, min_allocatable_resources: { type: "string", def: "cpus:0.01|mem:32" } }
    : { user_sorter: { type: "string", def: "drf" } }),
};

const READONLY = new Set([
  "/frameworks",
  "/flags",
  "/roles",
  "/roles.json",
  "/slaves",
  "/state",
  "/state.json",
  "/state-summary",
  "/tasks",
  "/tasks.json",
  "/maintenance/status",
]);

/**
 * Read-only endpoints that answer only on the leading master (http.cpp `if (!master->elected()) return redirect`):
 * all of them but /flags, which any master answers.
 */
const LEADER_ONLY = new Set([...READONLY].filter((p) => p !== "/flags"));

/**
 * How long the stand-in takes to reach ZooKeeper and become elected after it listens, and to recover its registry
 * after it is elected. Real masters answer /health at once but HTTP calls only once they lead (503 `No leader
 * elected` or a 307 to the leader before, `/api/v1` 503 `Master has not finished recovery` during recovery), so a
 * harness that waits only for /health must fail here too. Short, to keep the suite fast; knobs for tests.
 */
const CONTEND_DELAY_MS = Number(process.env.STANDIN_CONTEND_DELAY_MS ?? 200);
const RECOVERY_MS = Number(process.env.STANDIN_RECOVERY_MS ?? 200);
const ML = (l14, l111) => `master.cpp:${is111 ? l111 : l14}`;

export const REALM = { readonly: "mesos-master-readonly", readwrite: "mesos-master-readwrite", scheduler: "mesos-master-scheduler" };

export async function runMaster(argv) {
  await applyKnobs("mesos-master");
  const ssl = initSsl();
  let flags;
  let raw;
  try {
    ({ flags, raw } = loadFlags(DEFS, argv));
    if (flags.acls !== undefined) flags.acls = parseAclsFlag(flags.acls, raw.acls);
  } catch (e) {
    if (!(e instanceof FlagError)) throw e;
    process.stderr.write(`Failed to load flags: ${e.message}\n\nUsage: mesos-master [options]\n\n`);
    process.exit(1);
  }
  if (flags.help) {
    process.stdout.write("Usage: mesos-master [options]\n");
    process.exit(0);
  }
  glog.initGoogleLogging(flags.log_dir, "mesos-master");
  const m = new Master(flags, raw, ssl);
  await m.start();
}

export class Master {
  constructor(flags, raw, ssl) {
    this.flags = flags;
    this.raw = raw;
    this.ssl = ssl;
    this.id = crypto.randomUUID();
    this.ip = flags.advertise_ip ?? selfIp(flags.ip);
    this.bindIp = flags.ip ?? process.env.LIBPROCESS_IP ?? "0.0.0.0";
    this.port = flags.port;
    this.hostname = flags.hostname ?? process.env.MESOS_HOSTNAME ?? os.hostname();
    this.pid = `master@${this.ip}:${this.port}`;
    this.startTime = Date.now() / 1000;
    this.electedTime = null;
    this.leader = null;
    this.recovered = false;
    this.recoveredWaiters = [];
    this.credentials = new Map();
    this.acls = null;
    this.agents = new Map();
    this.authenticated = new Map();
    this.saslSessions = new Map();
    this.frameworks = new Map();
    this.completedFrameworks = [];
    this.offers = new Map();
    this.filters = new Map();
    this.nextAgent = 0;
    this.nextFramework = 0;
    this.nextOffer = 0;
  }

  info() {
    const ipInt = this.ip.split(".").reduce((n, o, i) => n + Number(o) * 256 ** i, 0);
    return {
      id: this.id,
      ip: ipInt,
      port: this.port,
      pid: this.pid,
      hostname: this.hostname,
      version: VERSION,
      address: { hostname: this.hostname, ip: this.ip, port: this.port },
    };
  }

  async start() {
    const f = this.flags;
    if (f.acls !== undefined && f.authorizers === "local") {
      glog.info("main.cpp:457", "Creating default 'local' authorizer");
      this.acls = f.acls;
      const err = validateAcls(this.acls);
      if (err) glog.exit("main.cpp:463", 1, `Could not create 'local' authorizer: ${err}`);
    }
    glog.info("master.cpp:442", `Master ${this.id} (${this.hostname}) started on ${this.ip}:${this.port}`);
    glog.info("master.cpp:444", `Flags at startup: ${flagsLine(this.raw, DEFS)}`);
    if (this.ip.startsWith("127.")) {
      glog.warn(
        "master.cpp:447",
        "\n**************************************************\nMaster bound to loopback interface! Cannot communicate with remote schedulers or agents. You might want to set '--ip' flag to a routable IP address.\n**************************************************",
      );
    }
    glog.info(
      f.authenticate_frameworks ? "master.cpp:494" : "master.cpp:496",
      f.authenticate_frameworks ? "Master only allowing authenticated frameworks to register" : "Master allowing unauthenticated frameworks to register",
    );
    glog.info(
      f.authenticate_agents ? "master.cpp:508" : "master.cpp:510",
      f.authenticate_agents ? "Master only allowing authenticated agents to register" : "Master allowing unauthenticated agents to register",
    );
    glog.info(
      f.authenticate_http_frameworks ? "master.cpp:521" : "master.cpp:524",
      f.authenticate_http_frameworks
        ? "Master only allowing authenticated HTTP frameworks to register"
        : "Master allowing HTTP frameworks to register without authentication",
    );
    if (f.credentials) this.loadCredentials(f.credentials);
    glog.info("master.cpp:566", "Using default 'crammd5' authenticator");
    glog.info("authenticator.cpp:520", "Initializing server SASL");
    if (!f.credentials) glog.warn("authenticator.cpp:513", "No credentials provided, authentication requests will be refused");
    this.auth = new HttpAuth({ credentials: this.credentials });
    const noCreds = (realm) =>
      `Failed to create HTTP authenticator module 'basic': No credentials provided for the default 'basic' HTTP authenticator for realm '${realm}'`;
    if (f.authenticate_http_readonly) {
      if (!f.credentials) glog.exit("master.cpp:611", 1, noCreds(REALM.readonly));
      glog.info(is111 ? "http.cpp:1296" : "http.cpp:1026", `Creating default 'basic' HTTP authenticator for realm '${REALM.readonly}'`);
      this.auth.enable(REALM.readonly, ["basic"]);
    }
    if (f.authenticate_http_readwrite) {
      if (!f.credentials) glog.exit("master.cpp:622", 1, noCreds(REALM.readwrite));
      glog.info(is111 ? "http.cpp:1296" : "http.cpp:1026", `Creating default 'basic' HTTP authenticator for realm '${REALM.readwrite}'`);
      this.auth.enable(REALM.readwrite, ["basic"]);
    }
    if (f.authenticate_http_frameworks) {
      if (!f.http_framework_authenticators)
        glog.exit(
          "master.cpp:630",
          1,
          "Missing `--http_framework_authenticators` flag. This must be used in conjunction with `--authenticate_http_frameworks`",
        );
      if (f.http_framework_authenticators !== "basic")
        glog.exit(
          "master.cpp:641",
          1,
          `Failed to create HTTP authenticator module '${f.http_framework_authenticators}': Module '${f.http_framework_authenticators}' unknown`,
        );
      if (!f.credentials) glog.exit("master.cpp:641", 1, noCreds(REALM.scheduler));
      glog.info(is111 ? "http.cpp:1296" : "http.cpp:1026", `Creating default 'basic' HTTP authenticator for realm '${REALM.scheduler}'`);
      this.auth.enable(REALM.scheduler, ["basic"]);
    }
    if (this.acls) glog.info("master.cpp:646", "Authorization enabled");
    try {
      this.server = await listen({ ip: this.bindIp, port: this.port, ssl: this.ssl, handler: (q, s) => this.handle(q, s) });
    } catch (e) {
      glog.exit(
        "master.cpp:375",
        1,
        `Failed to initialize: Failed to bind on ${this.bindIp}:${this.port}: ${e.code === "EADDRINUSE" ? "Address already in use" : e.message}`,
      );
    }
    exitOnTerm(() => this.zk?.stop());
    // libprocess serves HTTP from here on; the contender needs a ZooKeeper session first
    setTimeout(() => this.contend(), CONTEND_DELAY_MS);
    setInterval(() => this.checkAgents(), 5000).unref();
    setInterval(() => allocate(this), 1000);
  }

  loadCredentials(p) {
    glog.info("credentials.hpp:37", `Loading credentials for authentication from '${p}'`);
    let text;
    try {
      text = fs.readFileSync(p, "utf8");
    } catch (e) {
      // master.cpp:537 (1.4.x) / :527 (1.11.x): EXIT(EXIT_FAILURE) << error << " (see --credentials flag)"
      glog.exit(
        ML(537, 527),
        1,
        `Failed to read credentials file '${p}': ${e.code === "ENOENT" ? "No such file or directory" : e.message} (see --credentials flag)`,
      );
    }
    if (tooOpen(p))
      glog.warn(
        "credentials.hpp:52",
        `Permissions on credentials file '${p}' are too open; it is recommended that your credentials file is NOT accessible by others`,
      );
    let list;
    try {
      list = parseCredentials(text);
    } catch (e) {
      glog.exit("master.cpp:543", 1, `Failed to parse credentials file '${p}': ${e.message}`);
    }
    if (list.length === 0) glog.exit("master.cpp:548", 1, "Credentials file must contain at least one credential (see --credentials flag)");
    for (const c of list) this.credentials.set(c.principal, c.secret ?? "");
  }

  contend() {
    // Master::detected() (master.cpp:2146-2198 at 1.4, :2159-2236 at 1.11): only another master is "the newly elected
    // leader"; this one is "Elected as the leading master!" and then recovers its registry.
    const elect = (leaderInfo) => {
      const was = this.isLeader();
      this.leader = leaderInfo;
      if (this.isLeader()) {
        this.electedTime = Date.now() / 1000;
        if (was) return glog.info(ML(2172, 2185), "Re-elected as the leading master");
        glog.info(ML(2163, 2176), "Elected as the leading master!");
        glog.info(ML(1702, 1672), "Recovering from registrar");
        setTimeout(() => this.recover(), RECOVERY_MS);
        return undefined;
      }
      if (leaderInfo || !is111) glog.info(ML(2176, 2189), `The newly elected leader is ${leaderInfo ? `${leaderInfo.pid} with id ${leaderInfo.id}` : "None"}`);
      else glog.info("master.cpp:2227", "No master was elected.");
      if (was) {
        if (!is111) glog.exit("master.cpp:2182", 1, "Lost leadership... committing suicide!");
        glog.exit(
          leaderInfo ? "master.cpp:2193" : "master.cpp:2230",
          1,
          leaderInfo ? "Conceded leadership to another master... committing suicide!" : "Lost leadership after indecisive election... committing suicide!",
        );
      }
      return undefined;
    };
    if (!this.flags.zk) {
      setImmediate(() => elect(this.info()));
      return;
    }
    if (!this.flags.zk.startsWith("zk://")) glog.exit("main.cpp:397", 1, `Failed to create a master contender: Failed to parse '${this.flags.zk}'`);
    this.zk = new ZkSession(this.flags.zk, { pid: this.pid });
    this.zk.on("connected", () => glog.info("group.cpp:340", `Group process (zookeeper-group(1)@${this.ip}:${this.port}) connected to ZooKeeper`));
    this.zk.on("joined", () => glog.info("contender.cpp:152", "Joining the ZK group"));
    let last;
    this.zk.on("leader", (l) => {
      const key = l ? `${l.seq}:${l.info.id}` : "none";
      if (key === last) return;
      last = key;
      if (l) glog.info("detector.cpp:152", `Detected a new leader: (id='${l.seq}')`);
      elect(l ? l.info : null);
    });
    this.zk.start();
    this.zk.join(this.info());
    this.zk.watch();
  }

  isLeader() {
    return this.leader?.id === this.id;
  }

  /** Registrar recovery done: the line the harness waits for (master.cpp:1801 at 1.4, :1825 at 1.11). */
  recover() {
    if (!this.isLeader() || this.recovered) return;
    this.recovered = true;
    glog.info(
      ML(1801, 1825),
      `Recovered 0 agents from the registry (${is111 ? "132B" : "129B"}); allowing 10mins for agents to ${is111 ? "reregister" : "re-register"}`,
    );
    for (const w of this.recoveredWaiters.splice(0)) w();
  }

  /**
   * Real masters drop agent messages until they lead and have recovered (master.cpp:1478-1498 at 1.11) and the
   * agent retries after its backoff or authentication timeout. The stand-in holds them instead (up to `ms`), so an
   * agent that starts with the master registers as soon as it may, without the real retry delays.
   */
  whenRecovered(ms = 3000) {
    if (this.recovered) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), ms);
      this.recoveredWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  /**
   * What an HTTP handler of a master that does not lead answers: Master::Http::redirect (http.cpp:2249-2300 at 1.4,
   * :1746-1800 at 1.11): 503 `No leader elected` while no leader is known, else 307 to the leading master. With
   * `recovery`, a leading master that has not recovered yet answers 503 `Master has not finished recovery`
   * (`/api/v1` and the scheduler API only). Returns true when it answered.
   */
  notLeading(req, res, { recovery = false } = {}) {
    if (this.isLeader()) {
      if (!recovery || this.recovered) return false;
      send(res, 503, "Master has not finished recovery");
      return true;
    }
    if (!this.leader) {
      const asked = req.url.startsWith("/master/") ? req.url : `/master${req.url}`;
      glog.warn(
        is111 ? "http.cpp:1750" : "http.cpp:2253",
        `Current master is not elected as leader, and leader information is unavailable. Failed to redirect the request url: ${asked}`,
      );
      send(res, 503, "No leader elected");
      return true;
    }
    const host = this.leader.hostname ?? this.leader.address?.ip;
    // libprocess delegates `/api/v1` to the master process: the handler sees (and logs) `/master/api/v1`
    const url = req.url.startsWith("/master/") ? req.url : `/master${req.url}`;
    glog.info(is111 ? "http.cpp:1768" : "http.cpp:2271", `Redirecting request for ${url} to the leading master ${host}`);
    const base = `//${host}:${this.leader.port}`;
    const path = new URL(url, "http://x").pathname;
    send(res, 307, "", { Location: path === "/master/redirect" ? base : `${base}${url}` });
    return true;
  }

  flagsObject() {
    return flagsJson(this.raw, DEFS);
  }

  authz(key, principal, object) {
    return authorize(this.acls, key, principal, object);
  }

  logHttp(req, path) {
    const ua = req.headers["user-agent"];
    glog.info(is111 ? "http.cpp:1436" : "http.cpp:1166", `HTTP ${req.method} for ${path} from ${peerAddr(req)}${ua ? ` with User-Agent='${ua}'` : ""}`);
  }

  async handle(req, res) {
    try {
      const url = new URL(req.url, "http://x");
      const path = url.pathname;
      if (path.startsWith("/master/_standin/")) return await handleAgentMessage(this, req, res, path.slice("/master/_standin/".length));
      const sub = path.startsWith("/master/") ? path.slice("/master".length) : path;
      if (sub === "/health") return send(res, 200);
      if (sub === "/version") return send(res, 200, this.versionJson());
      if (sub === "/redirect") return send(res, 307, "", { Location: `//${this.leader?.hostname ?? this.hostname}:${this.leader?.port ?? this.port}` });
      if (sub === "/api/v1/scheduler") return await handleScheduler(this, req, res, path);
      if (sub === "/api/v1" || LEGACY_WRITE.has(sub)) {
        const a = this.auth.guard(req, res, REALM.readwrite);
        if (!a) return undefined;
        if (this.notLeading(req, res, { recovery: sub === "/api/v1" })) return undefined;
        this.logHttp(req, path);
        return await handleOperator(this, req, res, sub, url, principalValue(a.principal));
      }
      if (READONLY.has(sub) || path === "/metrics/snapshot") {
        const a = this.auth.guard(req, res, REALM.readonly);
        if (!a) return undefined;
        if (LEADER_ONLY.has(sub) && this.notLeading(req, res)) return undefined;
        this.logHttp(req, path);
        return this.readonly(res, path === "/metrics/snapshot" ? "/metrics/snapshot" : sub, principalValue(a.principal));
      }
      return send(res, 404);
    } catch (e) {
      glog.error("master.cpp:1", `standin internal error: ${e.stack}`);
      if (!res.headersSent) send(res, 500, String(e.message));
    }
  }

  versionJson() {
    return is111
      ? { version: VERSION, git_tag: VERSION, build_date: "2020-11-19 17:01:49", build_time: 1605805309, build_user: "root" }
      : {
          version: VERSION,
          git_sha: "b3fd2e7ab26e118222fe18af4b92c53a3c01e6cc",
          git_tag: VERSION,
          build_date: "2017-09-13 23:21:06",
          build_time: 1505344866,
          build_user: "root",
        };
  }

  readonly(res, sub, principal) {
    if (sub === "/flags") {
      if (!this.authz("view_flags", principal)) return send(res, 403);
      return send(res, 200, { flags: flagsJson(this.raw, DEFS) });
    }
    const st = this.stateJson(principal);
    switch (sub) {
      case "/state":
      case "/state.json":
        return send(res, 200, st);
      case "/state-summary":
        return send(res, 200, {
          hostname: st.hostname,
          cluster: st.cluster,
          slaves: st.slaves,
          frameworks: st.frameworks.map((x) => ({ id: x.id, name: x.name })),
        });
      case "/frameworks":
        return send(res, 200, { frameworks: st.frameworks, completed_frameworks: st.completed_frameworks, unregistered_frameworks: [] });
      case "/slaves":
        return send(res, 200, { slaves: st.slaves, recovered_slaves: [] });
      case "/tasks":
      case "/tasks.json":
        return send(res, 200, { tasks: st.frameworks.flatMap((x) => x.tasks) });
      case "/roles":
      case "/roles.json":
        return send(res, 200, { roles: [] });
      case "/metrics/snapshot":
        return send(res, 200, {
          "master/elected": this.isLeader() ? 1 : 0,
          "master/slaves_active": st.activated_slaves,
          "master/frameworks_active": st.frameworks.length,
          "master/uptime_secs": Date.now() / 1000 - this.startTime,
        });
      default:
        return send(res, 200, {});
    }
  }

  stateJson(principal) {
    const active = [...this.agents.values()].filter((a) => a.active);
    const visible = [...this.frameworks.values()].filter((fw) => this.authz("view_frameworks", principal, fw.info.user));
    const fwJson = (fw) => ({
      id: fw.id,
      name: fw.info.name,
      user: fw.info.user,
      principal: fw.info.principal,
      role: fw.roles[0],
      roles: fw.roles,
      active: fw.connected,
      connected: fw.connected,
      registered_time: fw.registeredTime,
      capabilities: (fw.info.capabilities ?? []).map((c) => c.type),
      tasks: [...fw.tasks.values()].filter((t) => !t.terminal && this.authz("view_tasks", principal, t.user)).map(taskJson),
      completed_tasks: [...fw.tasks.values()].filter((t) => t.terminal && this.authz("view_tasks", principal, t.user)).map(taskJson),
      resources: {},
    });
    return {
      ...this.versionJson(),
      start_time: this.startTime,
      elected_time: this.electedTime ?? undefined,
      id: this.id,
      pid: this.pid,
      hostname: this.hostname,
      activated_slaves: active.length,
      deactivated_slaves: this.agents.size - active.length,
      unreachable_slaves: 0,
      cluster: this.flags.cluster,
      leader: this.leader?.pid,
      leader_info: this.leader ?? undefined,
      log_dir: this.flags.log_dir,
      flags: flagsJson(this.raw, DEFS),
      slaves: [...this.agents.values()].map((a) => ({
        id: a.id,
        pid: a.pid,
        hostname: a.hostname,
        port: a.port,
        registered_time: a.registeredTime,
        active: a.active,
        version: VERSION,
        resources: a.total,
        used_resources: a.used,
        offered_resources: a.offered,
        attributes: {},
      })),
      frameworks: visible.map(fwJson),
      completed_frameworks: this.completedFrameworks.filter((fw) => this.authz("view_frameworks", principal, fw.info.user)).map(fwJson),
      orphan_tasks: [],
      unregistered_frameworks: [],
    };
  }

  /** Agents ping every few seconds; one silent for ping_timeout * max_ping_timeouts is unreachable. */
  checkAgents() {
    const limit = 15_000 * this.flags.max_agent_ping_timeouts;
    for (const a of this.agents.values()) {
      if (a.active && Date.now() - a.lastPing > limit) {
        a.active = false;
        glog.info("master.cpp:7090", `Marking agent ${a.id} at ${a.pid} (${a.hostname}) unreachable: health check timed out`);
      }
    }
  }

  agentLabel(a) {
    return `${a.id} at ${a.pid} (${a.hostname})`;
  }

  fmt(res, allocated = false) {
    return formatResources(res, { allocated });
  }
}

export function taskJson(t) {
  return {
    id: t.id,
    name: t.name,
    framework_id: t.frameworkId,
    executor_id: t.executorId ?? "",
    slave_id: t.agentId,
    state: t.state,
    resources: t.resources,
    statuses: t.statuses,
    user: t.user,
  };
}
