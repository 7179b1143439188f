// mesos-slave (the agent): flags and startup lines, HTTP authenticators per realm (slave.cpp:303-358), master
// detection through ZooKeeper, CRAM-MD5 authentication and the registration loop, and its HTTP endpoints.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { authorize, parseAclsFlag, validateAcls } from "./acls.mjs";
import { handleAgentOperator } from "./agent-operator.mjs";
import { Executors } from "./agent-executors.mjs";
import { DockerStore } from "./agent-images.mjs";
import { FlagError, flagsJson, flagsLine, is111, loadFlags, parseCredentials, tooOpen, VERSION } from "./flags.mjs";
import * as glog from "./glog.mjs";
import { listen, peerAddr, request, send } from "./http.mjs";
import { HttpAuth, principalValue } from "./http-auth.mjs";
import { applyKnobs, exitOnTerm, selfIp } from "./proc.mjs";
import { detectAgentResources, formatResources } from "./resources.mjs";
import { respond } from "./sasl.mjs";
import { initSsl } from "./tls.mjs";
import { detectMaster } from "./zk.mjs";

const KEY_FLAG = is111 ? "jwt_secret_key" : "executor_secret_key";

const DEFS = {
  acls: { type: "json" },
  advertise_ip: { type: "string" },
  attributes: { type: "string" },
  authenticate_http_executors: { type: "bool", def: "false" },
  authenticate_http_readonly: { type: "bool", def: "false" },
  authenticate_http_readwrite: { type: "bool", def: "false" },
  authenticatee: { type: "string", def: "crammd5" },
  authentication_backoff_factor: { type: "duration", def: "1secs" },
  authorizer: { type: "string", def: "local" },
  cgroups_hierarchy: { type: "string", def: "/sys/fs/cgroup" },
  cgroups_root: { type: "string", def: "mesos" },
  containerizers: { type: "string", def: "mesos" },
  credential: { type: "path" },
  default_role: { type: "string", def: "*" },
  docker_config: { type: "object" },
  docker_registry: { type: "string" },
  docker_store_dir: { type: "string" },
  executor_environment_variables: { type: "json" },
  executor_registration_timeout: { type: "duration", def: "1mins" },
  executor_shutdown_grace_period: { type: "duration", def: "5secs" },
  [KEY_FLAG]: { type: "path", alias: is111 ? ["executor_secret_key"] : [] },
  frameworks_home: { type: "string", def: "" },
  gc_delay: { type: "duration", def: "1weeks" },
  help: { type: "bool", def: "false" },
  hostname: { type: "string" },
  hostname_lookup: { type: "bool", def: "true" },
  image_providers: { type: "string" },
  http_authenticators: { type: "string" },
  http_command_executor: { type: "bool", def: "false" },
  http_credentials: { type: "path" },
  ip: { type: "string" },
  isolation: { type: "string", def: "posix/cpu,posix/mem" },
  launcher: { type: "string", def: "posix" },
  launcher_dir: { type: "string", def: "/usr/libexec/mesos" },
  log_dir: { type: "string" },
  logbufsecs: { type: "int", def: "0" },
  logging_level: { type: "string", def: "INFO" },
  master: { type: "string" },
  port: { type: "int", def: "5051" },
  quiet: { type: "bool", def: "false" },
  recover: { type: "string", def: "reconnect" },
  recovery_timeout: { type: "duration", def: "15mins" },
  registration_backoff_factor: { type: "duration", def: "1secs" },
  resources: { type: "string" },
  runtime_dir: { type: "string", def: "/var/run/mesos" },
  sandbox_directory: { type: "string", def: "/mnt/mesos/sandbox" },
  strict: { type: "bool", def: "true" },
  switch_user: { type: "bool", def: "true" },
  systemd_enable_support: { type: "bool", def: "true" },
  version: { type: "bool", def: "false" },
  work_dir: { type: "string" },
};

export const REALM = { readonly: "mesos-agent-readonly", readwrite: "mesos-agent-readwrite", executor: "mesos-agent-executor" };
const L = (l14, l111) => `slave.cpp:${is111 ? l111 : l14}`;
/** How long the stand-in agent "recovers" before it serves /state and looks for a master. */
const RECOVERY_MS = 150;

export async function runAgent(argv) {
  await applyKnobs("mesos-slave");
  const ssl = initSsl();
  let flags;
  let raw;
  try {
    ({ flags, raw } = loadFlags(DEFS, argv));
    if (flags.acls !== undefined) flags.acls = parseAclsFlag(flags.acls, raw.acls);
    if (flags.master === undefined) throw new FlagError("Flag 'master' is required, but it was not provided");
    if (flags.work_dir === undefined) throw new FlagError("Flag 'work_dir' is required, but it was not provided");
  } catch (e) {
    if (!(e instanceof FlagError)) throw e;
    process.stderr.write(`Failed to load flags: ${e.message}\n\nUsage: mesos-slave [options]\n\n`);
    process.exit(1);
  }
  glog.initGoogleLogging(flags.log_dir, "mesos-slave");
  await new Agent(flags, raw, ssl).start();
}

export class Agent {
  constructor(flags, raw, ssl) {
    this.flags = flags;
    this.raw = raw;
    this.ssl = ssl;
    this.ip = flags.advertise_ip ?? selfIp(flags.ip);
    this.bindIp = flags.ip ?? process.env.LIBPROCESS_IP ?? "0.0.0.0";
    this.port = flags.port;
    this.hostname = flags.hostname ?? os.hostname();
    this.pid = `slave(1)@${this.ip}:${this.port}`;
    this.startTime = Date.now() / 1000;
    this.resources = detectAgentResources(flags.resources);
    this.id = undefined;
    this.master = null;
    this.state = "DISCONNECTED";
    this.generation = 0;
    this.acls = null;
    this.jwtKey = null;
    this.credential = null;
  }

  async start() {
    const f = this.flags;
    if (f.acls !== undefined && f.authorizer === "local") {
      glog.info("main.cpp:513", "Creating default 'local' authorizer");
      this.acls = f.acls;
      const err = validateAcls(this.acls);
      if (err) glog.exit("main.cpp:519", 1, `Could not create 'local' authorizer: ${err}`);
    }
    if (is111 && f.image_providers !== undefined) this.imageSupport();
    if (f.launcher === "linux") this.linuxLauncher();
    if (is111 && f.image_providers !== undefined) this.imageStores();
    glog.info("slave.cpp:250", `Mesos agent started on ${this.ip}:${this.port}`);
    glog.info("slave.cpp:251", `Flags at startup: ${flagsLine(this.raw, DEFS)}`);
    if (f.credential) this.loadCredential(f.credential);
    this.initHttpAuth();
    this.executors = new Executors(this);
    try {
      this.server = await listen({ ip: this.bindIp, port: this.port, ssl: this.ssl, handler: (q, s) => this.handle(q, s) });
    } catch (e) {
      glog.exit(
        "main.cpp:468",
        1,
        `Failed to initialize: Failed to bind on ${this.bindIp}:${this.port}: ${e.code === "EADDRINUSE" ? "Address already in use" : e.message}`,
      );
    }
    glog.info("slave.cpp:1030", `Agent resources: ${formatResources(this.resources)}`);
    exitOnTerm(() => this.executors.killAll());
    // Recovery (nothing checkpointed here) takes a moment on a real agent too; until it ends, /state and the APIs
    // answer 503 (slave/http.cpp:375-376 at 1.11), and only then does it look for a master (slave.cpp:8377-8436).
    await new Promise((r) => setTimeout(r, RECOVERY_MS));
    glog.info(L(6322, 8377), "Finished recovery");
    this.recovered = true;
    this.detector = await detectMaster(f.master, { pid: this.pid }, (info) => this.detected(info));
  }

  /**
   * Mesos' Linux launcher needs the cgroup-v1 freezer hierarchy, writable: it creates its root cgroup there
   * (`--cgroups_root`, where the lab's capabilities mode nests it in the agent container's own cgroup). Docker mounts
   * the hierarchy read-only in an unprivileged container, and a real agent then exits 1 (the wording of that failure
   * is shortened here).
   */
  linuxLauncher() {
    const hierarchy = path.join(this.flags.cgroups_hierarchy, "freezer");
    const root = path.join(hierarchy, this.flags.cgroups_root);
    try {
      if (!fs.existsSync(path.join(hierarchy, "freezer.state")) && !fs.existsSync(path.join(hierarchy, "cgroup.procs")))
        throw Object.assign(new Error(`Failed to find the freezer hierarchy at ${hierarchy}`), { plain: true });
      fs.accessSync(hierarchy, fs.constants.W_OK); // EROFS on Docker's read-only mount
      fs.mkdirSync(root, { recursive: true });
    } catch (e) {
      const why = e.plain
        ? e.message
        : `Failed to create root cgroup ${root}: Failed to create directory '${root}': ${e.code === "EROFS" ? "Read-only file system" : e.message}`;
      glog.exit(
        is111 ? "main.cpp:610" : "main.cpp:489",
        1,
        `Failed to create a containerizer: Could not create MesosContainerizer: Failed to create launcher: Failed to create Linux launcher: ${why}`,
      );
    }
    glog.info(is111 ? "linux_launcher.cpp:139" : "linux_launcher.cpp:150", `Using ${hierarchy} as the freezer hierarchy for the Linux launcher`);
  }

  /** MesosContainerizer::create (containerizer.cpp:305-317 at 1.11): images need filesystem/linux and the Linux launcher. */
  imageSupport() {
    const isolation = this.flags.isolation.split(",").map((s) => s.trim());
    const why = !isolation.includes("filesystem/linux")
      ? "The 'filesystem/linux' isolator must be enabled for container image support"
      : this.flags.launcher !== "linux"
        ? "The 'linux' launcher must be used for container image support"
        : undefined;
    if (why) glog.exit("main.cpp:610", 1, `Failed to create a containerizer: Could not create MesosContainerizer: ${why}`);
  }

  /** The provisioner's image stores (provisioner/store.cpp): Docker's, with its registry puller and fetcher. */
  imageStores() {
    const fail = (why) =>
      glog.exit(
        "main.cpp:610",
        1,
        `Failed to create a containerizer: Could not create MesosContainerizer: Failed to create provisioner: Failed to create image stores: ${why}`,
      );
    const types = this.flags.image_providers.split(",").filter(Boolean);
    for (const t of types) if (!["DOCKER", "APPC"].includes(t.toUpperCase())) fail(`Unknown image type '${t}'`);
    if (!types.some((t) => t.toUpperCase() === "DOCKER")) return;
    try {
      this.dockerStore = new DockerStore(this.flags);
    } catch (e) {
      fail(`Failed to create store for image type 'docker': Failed to create Docker puller: Failed to parse the default Docker registry: ${e.message}`);
    }
    if (!this.flags.isolation.includes("docker/runtime"))
      glog.exit(
        "store.cpp:91",
        1,
        "Docker runtime isolator has to be specified if 'DOCKER' is included in 'image_providers'. Please add 'docker/runtime' to '--isolation' flags",
      );
  }

  loadCredential(p) {
    glog.info(is111 ? "credentials.hpp:73" : "credentials.hpp:86", `Loading credential for authentication from '${p}'`);
    let text;
    try {
      text = fs.readFileSync(p, "utf8");
    } catch (e) {
      glog.exit(
        L(280, 311),
        1,
        `Failed to read '--credential' file: Failed to open file '${p}': ${e.code === "ENOENT" ? "No such file or directory" : e.message}`,
      );
    }
    if (tooOpen(p))
      glog.warn(
        is111 ? "credentials.hpp:88" : "credentials.hpp:101",
        `Permissions on credential file '${p}' are too open; it is recommended that your credential file is NOT accessible by others`,
      );
    try {
      const t = text.trim();
      const c = t.startsWith("{") ? JSON.parse(t) : { principal: t.split(/\s+/)[0], secret: t.split(/\s+/).slice(1).join(" ") };
      this.credential = { principal: String(c.principal), secret: String(c.secret ?? "") };
    } catch (e) {
      glog.exit(L(280, 311), 1, `Failed to read '--credential' file: ${e.message}`);
    }
    glog.info(L(283, 314), `Agent using credential for: ${this.credential.principal}`);
  }

  initHttpAuth() {
    const f = this.flags;
    const credentials = new Map();
    if (f.http_credentials) {
      glog.info("credentials.hpp:37", `Loading credentials for authentication from '${f.http_credentials}'`);
      try {
        for (const c of parseCredentials(fs.readFileSync(f.http_credentials, "utf8"))) credentials.set(c.principal, c.secret ?? "");
      } catch (e) {
        glog.exit(
          L(294, 325),
          1,
          `Failed to read '--http_credentials' file: ${e.code === "ENOENT" ? `Failed to open file '${f.http_credentials}': No such file or directory` : e.message}`,
        );
      }
      if (tooOpen(f.http_credentials))
        glog.warn(
          "credentials.hpp:52",
          `Permissions on credentials file '${f.http_credentials}' are too open; it is recommended that your credentials file is NOT accessible by others`,
        );
    }
    const keyPath = f[KEY_FLAG];
    if (keyPath) {
      try {
        this.jwtKey = fs.readFileSync(keyPath);
      } catch {
        glog.exit(is111 ? "main.cpp:549" : "slave.cpp:333", 1, `Failed to read the file specified by --${KEY_FLAG}`);
      }
      if (tooOpen(keyPath))
        glog.warn(
          is111 ? "main.cpp:555" : "slave.cpp:328",
          `Permissions on executor secret key file '${keyPath}' are too open; it is recommended that your executor secret key file is NOT accessible by others`,
        );
    }
    this.auth = new HttpAuth({ credentials, jwtKey: this.jwtKey });
    if (f.authenticate_http_executors && !keyPath)
      glog.exit(L(347, 376), 1, `--${KEY_FLAG} must be specified when --authenticate_http_executors is set to true`);
    const names = (f.http_authenticators ?? (f.authenticate_http_executors ? "basic,jwt" : "basic"))
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const realms = [
      f.authenticate_http_readonly && REALM.readonly,
      f.authenticate_http_readwrite && REALM.readwrite,
      f.authenticate_http_executors && REALM.executor,
    ].filter(Boolean);
    for (const realm of realms) {
      for (const n of names) {
        if (n === "basic") {
          if (!f.http_credentials)
            glog.exit(
              L(358, 387),
              1,
              `Failed to create HTTP authenticator module 'basic': No credentials provided for the default 'basic' HTTP authenticator for realm '${realm}'`,
            );
          glog.info(is111 ? "http.cpp:1296" : "http.cpp:1026", `Creating default 'basic' HTTP authenticator for realm '${realm}'`);
        } else if (n === "jwt") {
          if (!this.jwtKey)
            glog.exit(
              L(358, 387),
              1,
              `Failed to create HTTP authenticator module 'jwt': No secret key provided for the default 'jwt' HTTP authenticator for realm '${realm}'`,
            );
          glog.info(is111 ? "http.cpp:1317" : "http.cpp:1047", `Creating default 'jwt' HTTP authenticator for realm '${realm}'`);
        } else glog.exit(L(358, 387), 1, `Failed to create HTTP authenticator module '${n}': Module '${n}' unknown`);
      }
      this.auth.enable(realm, names);
    }
  }

  detected(info) {
    this.generation++;
    if (!info) {
      // ZooKeeper has no leader yet (or lost it); only an agent that had a master notices the loss.
      if (this.master) {
        glog.warn(L(967, 1469), "Lost leading master");
        glog.info(L(1006, 1538), "Detecting new master");
      }
      this.master = null;
      this.state = "DISCONNECTED";
      return;
    }
    this.master = info;
    this.state = "DISCONNECTED";
    glog.info(L(971, 1473), `New master detected at ${info.pid}`);
    if (!this.credential) glog.info(L(995, 1527), "No credentials provided. Attempting to register without authentication");
    glog.info(L(1006, 1538), "Detecting new master");
    this.register(this.generation);
  }

  /** One message to the master; a transport failure is libprocess' ExitedEvent for the master link. */
  async toMaster(op, body) {
    const { ip, port } = this.masterAddr();
    const r = await request({ ssl: this.ssl, host: ip, port, path: `/master/_standin/${op}`, body, headers: { "Libprocess-From": this.pid }, timeoutMs: 5000 });
    if (r.status !== 200) throw Object.assign(new Error(`HTTP ${r.status}`), { text: `HTTP ${r.status}` });
    return JSON.parse(r.body);
  }

  masterAddr() {
    const [, ip, port] = /@([^:]+):(\d+)$/.exec(this.master.pid);
    return { ip, port: Number(port) };
  }

  exited(err) {
    const { ip, port } = this.masterAddr();
    if (is111) {
      if (err?.stage === "connect") glog.warn("process.cpp:1480", `Failed to link to '${ip}:${port}', connect: ${err.text}`);
      else
        glog.info(
          "process.cpp:1431",
          `Failed to recv on socket ${11 + Math.floor(Math.random() * 8)} to peer 'unknown': ${err?.text ?? "Connection reset by peer"}`,
        );
    }
    glog.info(L(5012, 6707), `Got exited event for ${this.master.pid}`);
    glog.warn(L(5017, 6712), "Master disconnected! Waiting for a new master to be elected");
    this.state = "DISCONNECTED";
  }

  async register(gen) {
    const factor = 1000;
    let backoff = Math.random() * factor;
    while (gen === this.generation && this.state !== "RUNNING") {
      await new Promise((r) => setTimeout(r, backoff));
      if (gen !== this.generation) return;
      backoff = Math.min(backoff * 2 + factor * Math.random(), 8000);
      try {
        if (this.credential && !(await this.authenticate())) return;
        if (gen !== this.generation) return;
        const r = await this.toMaster("register_agent", {
          pid: this.pid,
          hostname: this.hostname,
          resources: this.resources,
          agent_id: this.id,
          version: VERSION,
        });
        if (gen !== this.generation) return;
        if (r.action === "registered") {
          const again = this.id === r.agent_id;
          this.id = r.agent_id;
          this.state = "RUNNING";
          if (again) glog.info(L(1255, 1778), `Re-registered with master ${this.master.pid}`);
          else glog.info(L(1174, 1698), `Registered with master ${this.master.pid}; given agent ID ${this.id}`);
          this.executors.registered();
          this.ping(gen);
          return;
        }
        if (r.action === "shutdown") {
          glog.info(L(885, 1413), `Agent asked to shut down by ${this.master.pid} because '${r.message}'`);
          glog.info(L(843, 1370), "Agent terminating");
          this.executors.killAll();
          process.exit(0);
        }
      } catch (e) {
        if (gen !== this.generation) return;
        this.exited(e);
      }
    }
  }

  async authenticate() {
    glog.info(L(1033, 1565), `Authenticating with master ${this.master.pid}`);
    glog.info(L(1044, 1574), "Using default CRAM-MD5 authenticatee");
    glog.info("authenticatee.cpp:97", "Initializing client SASL");
    glog.info("authenticatee.cpp:121", "Creating new client SASL connection");
    const start = await this.toMaster("authenticate", { step: "start", pid: this.pid, mechanism: "CRAM-MD5" });
    glog.info("authenticatee.cpp:213", `Received SASL authentication mechanisms: ${(start.mechanisms ?? []).join(",")}`);
    glog.info("authenticatee.cpp:239", "Attempting to authenticate with mechanism 'CRAM-MD5'");
    let ok = start.ok;
    if (ok) {
      glog.info("authenticatee.cpp:259", "Received SASL authentication step");
      ok = (
        await this.toMaster("authenticate", {
          step: "step",
          session: start.session,
          response: respond(this.credential.principal, this.credential.secret, start.challenge),
        })
      ).ok;
    }
    if (!ok) glog.exit(L(1124, 1661), 1, `Master ${this.master.pid} refused authentication`);
    glog.info("authenticatee.cpp:299", "Authentication success");
    glog.info(L(1128, 1620), `Successfully authenticated with master ${this.master.pid}`);
    return true;
  }

  async ping(gen) {
    while (gen === this.generation && this.state === "RUNNING") {
      await new Promise((r) => setTimeout(r, 3000));
      if (gen !== this.generation) return;
      try {
        const r = await this.toMaster("ping", { agent_id: this.id, pid: this.pid });
        if (r.action === "reregister") {
          this.state = "DISCONNECTED";
          this.register(gen);
          return;
        }
      } catch (e) {
        if (gen !== this.generation) return;
        this.exited(e);
        this.register(gen);
        return;
      }
    }
  }

  authz(key, principal, object) {
    return authorize(this.acls, key, principal, object);
  }

  async handle(req, res) {
    try {
      const url = new URL(req.url, "http://x");
      const path = decodeURIComponent(url.pathname);
      const sub = path.startsWith("/slave(1)/") ? path.slice("/slave(1)".length) : path;
      if (sub.startsWith("/_standin/")) return await this.executors.handlePrivate(req, res, sub.slice("/_standin/".length));
      if (sub === "/health") return send(res, 200);
      if (!this.recovered && (sub.startsWith("/api/v1") || ["/state", "/state.json", "/containers"].includes(sub)))
        return send(res, 503, "Agent has not finished recovery");
      if (sub === "/api/v1/executor") return await this.executors.handleExecutorApi(req, res);
      if (sub === "/api/v1") {
        const a = this.auth.guard(req, res, REALM.readwrite);
        if (!a) return undefined;
        this.logHttp(req);
        return await handleAgentOperator(this, req, res, a.principal);
      }
      if (path.startsWith("/files/")) {
        // the agent's Files, all on its read-only realm (slave/main.cpp:660, files/files.cpp:225-240 at 1.11)
        const a = this.auth.guard(req, res, REALM.readonly);
        if (!a) return undefined;
        this.logHttp(req);
        return this.files(res, path.slice("/files".length), url, principalValue(a.principal));
      }
      if (["/state", "/state.json", "/flags", "/containers", "/monitor/statistics", "/monitor/statistics.json"].includes(sub) || path === "/metrics/snapshot") {
        const a = this.auth.guard(req, res, REALM.readonly);
        if (!a) return undefined;
        this.logHttp(req);
        const p = principalValue(a.principal);
        if (sub === "/flags") return this.authz("view_flags", p) ? send(res, 200, { flags: flagsJson(this.raw, DEFS) }) : send(res, 403);
        if (sub === "/state" || sub === "/state.json") return send(res, 200, this.stateJson(p));
        if (sub === "/containers") return send(res, 200, this.executors.containersJson(p));
        if (path === "/metrics/snapshot")
          return send(res, 200, { "slave/registered": this.state === "RUNNING" ? 1 : 0, "slave/uptime_secs": Date.now() / 1000 - this.startTime });
        return send(res, 200, []);
      }
      return send(res, 404);
    } catch (e) {
      glog.error("slave.cpp:1", `standin internal error: ${e.stack}`);
      if (!res.headersSent) send(res, 500, String(e.message));
    }
  }

  flagsObject() {
    return flagsJson(this.raw, DEFS);
  }

  /**
   * common/http.cpp:1436 at 1.11 (logRequest): a request the agent lets through, its URL as libprocess prints it (the
   * query re-encoded, `/` as %2F), never one it answers 401.
   */
  logHttp(req) {
    const url = new URL(req.url, "http://x");
    const enc = (v) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    const query = [...url.searchParams.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${enc(k)}=${enc(v)}`)
      .join("&");
    const ua = req.headers["user-agent"];
    glog.info(
      is111 ? "http.cpp:1436" : "http.cpp:1166",
      `HTTP ${req.method} for ${url.pathname}${query ? `?${query}` : ""} from ${peerAddr(req)}${ua ? ` with User-Agent='${ua}'` : ""}`,
    );
  }

  /**
   * The agent's sandbox browser (src/files/files.cpp): only attached paths (the executors' runs) can be read.
   * `/debug` lists them (a JSON::Object, so keys sorted), `/read` answers `{"data","offset"}` with at most 16 pages
   * from `offset` (-1: the size), `/browse` a directory's entries. Reading a sandbox is `access_sandboxes` for the
   * framework's user.
   */
  files(res, route, url, principal) {
    const resolve = (virtual) => {
      const p = path.posix.normalize(String(virtual ?? "")).replace(/\/+$/, "") || "/";
      let best;
      for (const [name, dir] of this.executors.attached)
        if ((p === name || p.startsWith(`${name}/`)) && (!best || name.length > best.name.length)) best = { name, dir };
      return best && { real: path.join(best.dir, p.slice(best.name.length)), dir: best.dir };
    };
    const allowed = (dir) => {
      const ex = [...this.executors.frameworks.values()].flatMap((fw) => [...fw.executors.values()]).concat(this.executors.completed);
      const owner = ex.find((e) => e.sandbox === dir);
      return this.authz("access_sandboxes", principal, owner?.fw.info?.user);
    };
    switch (route) {
      case "/debug": {
        const out = {};
        for (const k of [...this.executors.attached.keys()].sort()) out[k] = this.executors.attached.get(k);
        return send(res, 200, out);
      }
      case "/read":
      case "/read.json": {
        const p = url.searchParams.get("path");
        if (p === null) return send(res, 400, "Expecting 'path=value' in query.\n");
        const offset = Number(url.searchParams.get("offset") ?? 0);
        if (!Number.isInteger(offset)) return send(res, 400, `Failed to parse offset: Failed to convert '${url.searchParams.get("offset")}' to number.\n`);
        const r = resolve(p);
        if (!r) return send(res, 404, "");
        if (!allowed(r.dir)) return send(res, 403, is111 ? "403 Forbidden." : "");
        let st;
        try {
          st = fs.statSync(r.real);
        } catch {
          return send(res, 404, "");
        }
        if (st.isDirectory()) return send(res, 400, "Cannot read a directory.\n");
        if (offset === -1) return send(res, 200, { data: "", offset: st.size });
        const length = Math.min(Number(url.searchParams.get("length") ?? st.size), 16 * 4096);
        const buf = Buffer.alloc(Math.max(0, Math.min(length, st.size - offset)));
        if (buf.length) {
          const fd = fs.openSync(r.real, "r");
          try {
            fs.readSync(fd, buf, 0, buf.length, offset);
          } finally {
            fs.closeSync(fd);
          }
        }
        return send(res, 200, { data: buf.toString("utf8"), offset });
      }
      case "/browse":
      case "/browse.json": {
        const r = resolve(url.searchParams.get("path"));
        if (!r) return send(res, 404, "");
        if (!allowed(r.dir)) return send(res, 403, is111 ? "403 Forbidden." : "");
        try {
          return send(
            res,
            200,
            fs.readdirSync(r.real).map((n) => {
              const st = fs.statSync(path.join(r.real, n));
              return { path: path.join(url.searchParams.get("path") ?? "", n), size: st.size, mode: (st.mode & 0o7777).toString(8), mtime: st.mtimeMs / 1000 };
            }),
          );
        } catch {
          return send(res, 404, "");
        }
      }
      default:
        return send(res, 404);
    }
  }

  stateJson(principal) {
    return {
      version: VERSION,
      git_tag: VERSION,
      build_user: "root",
      start_time: this.startTime,
      id: this.id,
      pid: this.pid,
      hostname: this.hostname,
      capabilities: ["MULTI_ROLE", "HIERARCHICAL_ROLE", "RESERVATION_REFINEMENT"],
      resources: this.resources,
      attributes: {},
      master_hostname: this.master?.hostname,
      log_dir: this.flags.log_dir,
      flags: flagsJson(this.raw, DEFS),
      ...this.executors.stateJson(principal),
    };
  }
}
