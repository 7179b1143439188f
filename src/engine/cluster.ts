import { randomBytes } from "node:crypto";
import type { LabConfig } from "../config/schema.js";
import { LABEL, runLabels, labelFilter, type RunIdentity } from "../runtime/labels.js";
import type { ContainerRuntime, LogFollow } from "../runtime/container-runtime.js";
import type { ContainerSpec, LogLine, PlacedFile } from "../runtime/types.js";
import type { HttpAction, PushAction } from "../model/exercise.js";
import { CLUSTER_ROLES, perRole, ROLE_PORTS, ROLE_PROGRAM, type ClusterRole, type Role } from "../model/roles.js";
import { makeLabImage, pushImage } from "../registry/push.js";
import { REGISTRY_SERVICE, registryRoleFiles, ROLE_COMMAND, TOKENS_LISTEN } from "../registry/roles.js";
import { agentCapabilities, CAPABILITIES_LABEL, CAPABILITIES_SPEC, capabilitiesEntrypoint, releaseNestedCgroups, releaseOwned } from "./agent-capabilities.js";
import type { LabBus } from "./events.js";
import { request, type HttpAnswer } from "./http.js";
import type { Material } from "./material.js";
import { configHash, usesTls, type RenderedFile, type RenderedStep } from "./render.js";
import { LineMarks } from "./line-marks.js";
import { streamTails, type HeadTail } from "./ring.js";
import { expand, type TemplateContext } from "./template.js";
import { Wait, type WaitStrategy } from "./wait.js";

/**
 * One lab run's containers on one network. Keeps each container's log stream open for its whole life (so a step
 * never re-reads lines from before it started), reuses a container when its configuration did not change, and
 * removes only what carries this run's labels.
 */

export interface Live {
  role: Role;
  instance: number;
  id: string;
  name: string;
  hash: string;
  env: Record<string, string>;
  follow: LogFollow;
  /** What it printed, per stream, for the failure report (first and last lines). */
  tail: { stdout: HeadTail; stderr: HeadTail };
  marks: LineMarks;
  exit: Promise<number>;
  exitCode: number | null;
  ports: Record<number, number>;
  /** Runs in the agent capabilities mode: its nested cgroups are released before it is removed. */
  capabilities?: boolean;
}

export type LineSink = (role: Role, source: string, line: LogLine) => void;
export type ExitSink = (live: Live, code: number) => void;

/** `${container:<executor id>}`: see Cluster.resolveContainers. */
export const CONTAINER_REF = /\$\{container:([A-Za-z0-9_.-]+)\}/g;

const IP_SUFFIX: Record<Role, number> = { zk: 2, master: 3, agent: 4, execute: 20, registry: 30, tokens: 31 };

/**
 * The master answers its API only as the leading master that has recovered its registry: before it is elected a
 * request is redirected (307) or refused with 503 "No leader elected" (src/master/http.cpp:1746-1753 at 1.11), and
 * while it recovers it is 503 "Master has not finished recovery" (src/master/http.cpp:220-228). `/health` is 200 all
 * along. Recovery ends with this line (src/master/master.cpp:1825 at 1.11, :1833 at 1.4), after `Elected as the
 * leading master!` (master.cpp:2176).
 */
export const MASTER_LEADS = /Recovered \d+ agents from the registry/;

/**
 * The agent answers `/health` at once, but `/state`, its operator API `/api/v1` and the executor API answer 503 "Agent
 * has not finished recovery" while it recovers (src/slave/http.cpp:375-376, :1335-1336 at 1.11). Recovery ends with
 * this line, in the same dispatch that leaves the RECOVERING state (src/slave/slave.cpp:8377-8431 at 1.11, :6322 at
 * 1.4).
 */
export const AGENT_RECOVERED = /Finished recovery$/;

/** Lines a role's readiness waits for, remembered for the container's whole life. */
const READY_LINES: Record<Role, RegExp[]> = { zk: [], master: [MASTER_LEADS], agent: [AGENT_RECOVERED], execute: [], registry: [], tokens: [TOKENS_LISTEN] };

/** The Mesos roles a role depends on: recreating one of them recreates it (an agent must re-register with a new master). */
const UPSTREAM: Record<ClusterRole, ClusterRole[]> = { zk: [], master: ["zk"], agent: ["zk", "master"], registry: [], tokens: [] };

export interface ClusterOptions {
  runtime: ContainerRuntime;
  config: LabConfig;
  material: Material;
  identity: RunIdentity;
  bus: LabBus;
  /** `configured`: publish the UIs on lab.config.ts ports (up, TUI); `ephemeral`: any free port (verify, --jobs). */
  publish: "configured" | "ephemeral";
  publishHost: string;
}

export class Cluster {
  readonly runId: string;
  private network?: { id: string; name: string; subnet: string };
  private readonly live = new Map<string, Live>();
  private leaves = new Map<string, Buffer>();
  private ctx!: TemplateContext;
  private lineSink?: LineSink;
  private exitSink?: ExitSink;
  private executeSeq = 0;
  private disposed = false;

  constructor(private readonly o: ClusterOptions) {
    this.runId = o.identity.run;
  }

  get labels(): Record<string, string> {
    return runLabels(this.o.identity);
  }

  /** Routes log lines and exits to the current step. */
  attach(lines: LineSink | undefined, exits: ExitSink | undefined): void {
    this.lineSink = lines;
    this.exitSink = exits;
  }

  get template(): TemplateContext {
    return this.ctx;
  }

  get hostMode(): boolean {
    return this.o.config.network.mode === "host";
  }

  ipOf(role: Role, instance = 1): string {
    if (this.hostMode || !this.network) return "127.0.0.1";
    return this.network.subnet.replace(/0\/24$/, String(IP_SUFFIX[role] + (role === "agent" ? instance - 1 : 0)));
  }

  aliasOf(role: Role, instance = 1): string {
    return role === "agent" && instance > 1 ? `agent-${instance}` : role;
  }

  async init(): Promise<void> {
    if (!this.hostMode) {
      this.network = await this.o.runtime.networks.create(`mesos-lab-${this.runId}`, this.o.config.network.subnet, this.labels);
    }
    const agents = Array.from({ length: this.o.config.agents }, (_, i) => this.ipOf("agent", i + 1));
    const host = perRole((r) => (this.hostMode ? "127.0.0.1" : r));
    const ip = perRole((r) => this.ipOf(r));
    this.ctx = { host, ip, secretOf: (p) => this.o.material.secretOf(p) };
    if (!this.hostMode) this.leaves = await this.o.material.issueForNetwork({ master: ip.master, agent: ip.agent, scheduler: ip.execute, zk: ip.zk, agents });
  }

  private fileContent(f: RenderedFile): Buffer | string {
    if (f.content !== undefined) return expand(f.content, this.ctx);
    const name = f.from!;
    return this.leaves.get(name) ?? this.o.material.read(name);
  }

  private placed(files: RenderedFile[], role: Role): PlacedFile[] {
    return files.filter((f) => f.role === role).map((f) => ({ path: f.path, content: this.fileContent(f), mode: f.mode }));
  }

  private envFor(rendered: RenderedStep, role: Role, instance: number): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(rendered.env[role])) env[k] = expand(v, this.ctx);
    if (role === "agent" && instance > 1 && !this.hostMode) {
      env.LIBPROCESS_IP = this.ipOf("agent", instance);
      env.MESOS_HOSTNAME = this.aliasOf("agent", instance);
    }
    if (role === "agent" && instance > 1 && this.hostMode) env.MESOS_PORT = String(ROLE_PORTS.agent + instance - 1);
    return env;
  }

  private publishFor(role: ClusterRole, instance: number): Record<number, number> {
    if (this.hostMode) return {};
    const cfg = this.o.config.ports;
    const fixed = this.o.publish === "configured";
    if (role === "zk") return fixed ? { 2181: cfg.zk, 8080: cfg.exhibitor } : { 2181: 0 };
    if (role === "master") return { 5050: fixed ? cfg.master : 0 };
    if (role === "registry" || role === "tokens") return { [ROLE_PORTS[role]]: 0 };
    return { 5051: fixed && instance === 1 ? cfg.agent : 0 };
  }

  /** `capabilities`: the agent runs in the capabilities mode (agent-capabilities.ts), its program behind the wrapper. */
  private spec(
    role: Role,
    instance: number,
    env: Record<string, string>,
    files: PlacedFile[],
    cmd?: string[],
    suffix = "",
    capabilities = false,
  ): ContainerSpec {
    const alias = this.aliasOf(role, instance);
    return {
      name: `mesos-lab-${this.runId}-${alias}${suffix}`,
      image: this.o.config.images[role],
      entrypoint: role === "zk" ? undefined : capabilities ? capabilitiesEntrypoint([ROLE_PROGRAM[role]]) : [ROLE_PROGRAM[role]],
      cmd: role === "zk" ? undefined : (cmd ?? ROLE_COMMAND[role] ?? []),
      env,
      labels: runLabels(this.o.identity, { [LABEL.role]: role, ...(capabilities ? { [CAPABILITIES_LABEL]: "true" } : {}) }),
      network: this.network
        ? { name: this.network.name, ip: this.ipOf(role, instance), aliases: role === "execute" ? ["execute", "scheduler"] : [alias] }
        : undefined,
      hostNetwork: this.hostMode,
      hostname: alias,
      publish: role === "execute" ? undefined : this.publishFor(role as ClusterRole, instance),
      files,
      privileged: role === "agent" && this.o.config.privilegedAgent,
      ...(capabilities ? CAPABILITIES_SPEC : {}),
      init: role === "execute",
    };
  }

  /**
   * Brings the cluster to the step's configuration. A role is recreated when its own configuration changed or a
   * role it depends on (zk → master → agent) was recreated, since a Mesos agent must re-register with a new master.
   */
  async reconcile(rendered: RenderedStep, zkReadyBy?: number): Promise<{ created: Role[]; reused: Role[] }> {
    const created: Role[] = [];
    const reused: Role[] = [];
    const drops: string[] = [];
    const launches: Array<{ key: string; role: ClusterRole; instance: number; spec: ContainerSpec; hash: string }> = [];
    const changed = new Set<ClusterRole>();
    for (const role of CLUSTER_ROLES) {
      const upstreamChanged = UPSTREAM[role].some((r) => changed.has(r));
      const instances = role === "agent" ? this.o.config.agents : 1;
      const wanted = rendered.cluster.includes(role);
      for (let i = 1; i <= instances; i++) {
        const key = `${role}#${i}`;
        const current = this.live.get(key);
        if (!wanted) {
          if (current) drops.push(key);
          continue;
        }
        const env = this.envFor(rendered, role, i);
        const files = [
          ...this.placed(rendered.files, role),
          ...registryRoleFiles(role, { tokensHost: this.ctx.host.tokens!, runSecret: this.runId, read: (n) => this.o.material.read(n) }),
        ];
        const caps = role === "agent" && agentCapabilities(this.o.config, rendered.exercise, rendered.step);
        const hash = configHash({ image: this.o.config.images[role], env, files, extra: `${this.network?.subnet ?? "host"}${caps ? " capabilities" : ""}` });
        if (current && current.hash === hash && current.exitCode === null && !upstreamChanged) {
          reused.push(role);
          this.o.bus.emit({ type: "container", exercise: this.o.identity.exercise ?? "", role, state: "reused", name: current.name });
          continue;
        }
        if (current) drops.push(key);
        launches.push({ key, role, instance: i, spec: this.spec(role, i, env, files, undefined, "", caps), hash });
        created.push(role);
      }
      if (launches.some((l) => l.role === role) || (!wanted && role !== "agent")) changed.add(role);
    }
    await Promise.all(drops.map((k) => this.drop(k)));
    // ZooKeeper first: a master or agent that starts before it backs off (and logs ZOO_ERROR noise); once ZK
    // answers, the Mesos processes can start together since they find each other through it.
    const zk = launches.filter((l) => l.role === "zk");
    await Promise.all(zk.map((l) => this.launch(l.key, l.role, l.instance, l.spec, l.hash)));
    if (zk.length && zkReadyBy !== undefined) await this.waitReady("zk", zkReadyBy);
    await Promise.all(launches.filter((l) => l.role !== "zk").map((l) => this.launch(l.key, l.role, l.instance, l.spec, l.hash)));
    return { created, reused };
  }

  private async launch(key: string, role: Role, instance: number, spec: ContainerSpec, hash: string, sourceId?: string): Promise<Live> {
    spec.labels[LABEL.configHash] = hash;
    const id = await this.o.runtime.containers.create(spec);
    const tail = streamTails();
    this.o.bus.emit({ type: "container", exercise: this.o.identity.exercise ?? "", role, state: "created", name: spec.name });
    const removeOnFailure = async (err: unknown) => {
      await this.o.runtime.containers.remove(id).catch(() => undefined);
      throw err;
    };
    await this.o.runtime.containers.start(id, spec.image).catch(removeOnFailure);
    // Docker ends a log follow on a container that is not running yet, so follow after start, from the beginning:
    // the container is new, so every line it has is this step's.
    const follow = await this.o.runtime.logs.follow(id, 0).catch(removeOnFailure);
    const marks = new LineMarks(READY_LINES[role]);
    const capabilities = spec.labels[CAPABILITIES_LABEL] === "true";
    const live: Live = {
      role,
      instance,
      id,
      name: spec.name,
      hash,
      env: spec.env,
      follow,
      tail,
      marks,
      exit: Promise.resolve(-1),
      exitCode: null,
      ports: {},
      capabilities,
    };
    const source = role === "execute" ? (sourceId ?? key) : `log:${role}`;
    follow.onLine((line) => {
      tail[line.stream].push(line.text);
      marks.feed(line.text);
      this.lineSink?.(role, source, line);
    });
    this.live.set(key, live);
    const st = await this.o.runtime.containers.inspect(id);
    live.ports = st?.ports ?? {};
    live.exit = this.o.runtime.containers.wait(id).catch(() => -1);
    this.o.bus.emit({ type: "container", exercise: this.o.identity.exercise ?? "", role, state: "started", name: spec.name });
    // The log stream ends after the last line is delivered; only then is the exit reported, so expectations that
    // could still match those last lines are not failed early.
    follow.onEnd(() => {
      void live.exit.then((code) => {
        live.exitCode = code;
        // a container the harness replaced or removed did not "die": its end is nobody's failure
        if (this.live.get(key) !== live) return;
        this.o.bus.emit({ type: "container", exercise: this.o.identity.exercise ?? "", role, state: "exited", exitCode: code, name: spec.name });
        this.exitSink?.(live, code);
      });
    });
    return live;
  }

  private async drop(key: string): Promise<void> {
    const l = this.live.get(key);
    if (!l) return;
    this.live.delete(key);
    l.follow.close();
    if (l.capabilities) await releaseNestedCgroups(this.o.runtime, l.id);
    await this.o.runtime.containers.remove(l.id);
    this.o.bus.emit({ type: "container", exercise: this.o.identity.exercise ?? "", role: l.role, state: "removed", name: l.name });
  }

  liveOf(role: Role, instance = 1): Live | undefined {
    return this.live.get(`${role}#${instance}`);
  }

  allLive(): Live[] {
    return [...this.live.values()];
  }

  /** Host port that reaches `containerPort` of a role (published port, or the port itself in host mode). */
  hostPort(role: ClusterRole, containerPort: number, instance = 1): number {
    if (this.hostMode) return role === "agent" ? containerPort + instance - 1 : containerPort;
    const p = this.liveOf(role, instance)?.ports[containerPort];
    if (!p) throw new Error(`${role} publishes no port ${containerPort}`);
    return p;
  }

  private tlsMaterial(env: Record<string, string>): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
    if (!usesTls(env)) return {};
    return {
      ca: this.o.material.read("ssl/ca.pem"),
      cert: this.leaves.get("ssl/scheduler.pem") ?? this.o.material.read("ssl/scheduler.pem"),
      key: this.leaves.get("ssl/scheduler-key.pem") ?? this.o.material.read("ssl/scheduler-key.pem"),
    };
  }

  /** The workshop's self-signed cert.pem cannot be verified with the lab CA unless it was issued by it. */
  private verifyWithCa(env: Record<string, string>): boolean {
    return usesTls(env) && !!env.LIBPROCESS_SSL_CERT_FILE;
  }

  readiness(role: ClusterRole, instance = 1): WaitStrategy {
    const l = this.liveOf(role, instance);
    if (!l) return Wait.none();
    if (role === "zk") return Wait.forZooKeeper(ROLE_PORTS.zk);
    // token authentication: the registry answers its base endpoint 401 with a Bearer challenge once it serves
    if (role === "registry") return Wait.forHttp(ROLE_PORTS.registry, "/v2/", { tls: false, status: 401 });
    if (role === "tokens") return Wait.forLogLine(TOKENS_LISTEN, "the token service listens");
    const tls = usesTls(l.env);
    const m = this.tlsMaterial(l.env);
    const health = Wait.forHttp(ROLE_PORTS[role], "/health", {
      tls,
      ca: tls && this.verifyWithCa(l.env) ? m.ca : undefined,
      cert: m.cert,
      key: m.key,
      servername: "localhost",
    });
    return role === "master"
      ? Wait.all([health, Wait.forLogLine(MASTER_LEADS, "the master leads (registry recovered)")])
      : Wait.all([health, Wait.forLogLine(AGENT_RECOVERED, "the agent finished recovery")]);
  }

  async waitReady(role: ClusterRole, deadline: number, instance = 1): Promise<void> {
    const l = this.liveOf(role, instance);
    if (!l) return;
    const strategy = this.readiness(role, instance);
    const aborted = l.exit.then((code) => {
      throw new Error(`${role} exited with code ${code} before it was ready`);
    });
    aborted.catch(() => undefined);
    await strategy.waitUntilReady({
      host: this.o.publishHost,
      port: (p) => this.hostPort(role, p, instance),
      aborted,
      deadline,
      printed: (re) => l.marks.printed(re),
    });
    this.o.bus.emit({ type: "container", exercise: this.o.identity.exercise ?? "", role, state: "ready", name: l.name });
  }

  /** Starts one `mesos-execute` run; the caller decides when it has said enough and calls `stop`. */
  async startExecute(rendered: RenderedStep, args: string[], files: RenderedFile[], sourceId: string): Promise<{ live: Live; key: string }> {
    const n = ++this.executeSeq;
    const key = `execute#${n}`;
    const env = this.envFor(rendered, "execute", 1);
    const master = `zk://${this.ctx.host.zk}:2181/mesos`;
    const cmd = [`--master=${master}`, ...args.map((a) => expand(a, this.ctx))];
    const spec = this.spec("execute", 1, env, this.placed(files, "execute"), cmd, `-${n}-${randomBytes(2).toString("hex")}`);
    const live = await this.launch(key, "execute", 1, spec, "execute", sourceId);
    return { live, key };
  }

  async stopExecute(key: string): Promise<void> {
    const l = this.live.get(key);
    if (!l) return;
    if (l.exitCode === null) await this.o.runtime.containers.kill(l.id);
    await this.drop(key);
  }

  async http(action: HttpAction, timeoutMs: number): Promise<HttpAnswer> {
    const body = action.body === undefined ? undefined : expand(await this.resolveContainers(action.body, action, timeoutMs), this.ctx);
    return this.send(action, body, timeoutMs);
  }

  /** The build machine's push (src/registry/push.ts) through the registry's and token service's published ports. */
  async push(action: PushAction, timeoutMs: number): Promise<HttpAnswer> {
    const url = (role: "registry" | "tokens") =>
      `http://${this.o.publishHost.includes(":") ? `[${this.o.publishHost}]` : this.o.publishHost}:${this.hostPort(role, ROLE_PORTS[role])}`;
    const r = await pushImage(await makeLabImage(action.image), {
      registry: url("registry"),
      tokenUrl: `${url("tokens")}/token`,
      service: REGISTRY_SERVICE,
      account: action.account,
      secret: this.o.material.secretOf(action.account),
      timeoutMs,
    });
    return {
      status: r.status,
      statusText: r.statusText,
      headers: r.headers,
      body: r.body,
      lines: {
        status: [`HTTP/1.1 ${r.status} ${r.statusText}`],
        headers: Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`),
        body: r.body.split(/\r?\n/).filter(Boolean),
      },
    };
  }

  private send(action: HttpAction, body: string | undefined, timeoutMs: number): Promise<HttpAnswer> {
    const l = this.liveOf(action.role);
    if (!l) throw new Error(`no ${action.role} container is running for HTTP ${action.path}`);
    const tls = usesTls(l.env);
    const m = this.tlsMaterial(l.env);
    const auth = action.auth;
    return request({
      host: this.o.publishHost,
      port: this.hostPort(action.role, ROLE_PORTS[action.role]),
      tls,
      method: action.method,
      path: action.path,
      headers: action.headers,
      body,
      basic: auth && "principal" in auth ? { principal: expand(auth.principal, this.ctx), secret: expand(auth.secret, this.ctx) } : undefined,
      bearer: auth && "bearer" in auth ? expand(auth.bearer, this.ctx) : undefined,
      ca: action.ca ? this.o.material.read(action.ca) : tls && this.verifyWithCa(l.env) ? m.ca : undefined,
      cert: action.clientCert ? (this.leaves.get(`${action.clientCert}.pem`) ?? this.o.material.read(`${action.clientCert}.pem`)) : m.cert,
      key: action.clientCert ? (this.leaves.get(`${action.clientCert}-key.pem`) ?? this.o.material.read(`${action.clientCert}-key.pem`)) : m.key,
      servername: "localhost",
      timeoutMs,
    });
  }

  /**
   * `${container:<executor id>}` in an HTTP action's body stands for the ID of that executor's container on the agent
   * (for a `mesos-execute` command task, its executor ID is the task's name): read from the agent's `/containers`
   * endpoint, asked with the action's own credentials, until it lists them all or `timeoutMs` has passed.
   */
  private async resolveContainers(text: string, action: HttpAction, timeoutMs: number): Promise<string> {
    const names = [...new Set([...text.matchAll(CONTAINER_REF)].map((m) => m[1]!))];
    if (!names.length) return text;
    const ids = new Map<string, string>();
    const until = Date.now() + timeoutMs;
    let last = "";
    for (;;) {
      const a = await this.send(
        { ...action, role: "agent", method: "GET", path: "/containers", headers: undefined, body: undefined },
        undefined,
        Math.max(1000, until - Date.now()),
      );
      let listed: Array<{ executor_id?: string; container_id?: string }> = [];
      try {
        listed = JSON.parse(a.body) as typeof listed;
      } catch {
        /* not JSON: say what it was */
      }
      for (const c of Array.isArray(listed) ? listed : []) if (c.executor_id && c.container_id) ids.set(c.executor_id, c.container_id);
      last = `GET /containers answered ${a.status}${Array.isArray(listed) ? `, listing ${listed.map((c) => `'${c.executor_id}'`).join(", ") || "no container"}` : ""}`;
      if (names.every((n) => ids.has(n)) || Date.now() >= until) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const missing = names.filter((n) => !ids.has(n));
    if (missing.length) throw new Error(`no container of executor ${missing.map((n) => `'${n}'`).join(", ")} on the agent (${last})`);
    return text.replace(CONTAINER_REF, (_, n: string) => ids.get(n)!);
  }

  async exec(role: ClusterRole, cmd: string[], timeoutMs: number): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    const l = this.liveOf(role);
    if (!l || l.exitCode !== null) throw new Error(`${role} is not running`);
    return this.o.runtime.exec.run(l.id, cmd, timeoutMs);
  }

  /** Not disposed: a next step can go on with it (reconcile relaunches whatever exited in between). */
  get intact(): boolean {
    return !this.disposed;
  }

  /** Removes every container and the network of this run (by label, so a crashed half-created run goes too). */
  async dispose(): Promise<number> {
    this.disposed = true;
    for (const l of this.live.values()) l.follow.close();
    this.live.clear();
    // Another remove of the same container (the runner's own cleanup racing a signal handler) answers 409 at once while
    // the first is still in progress: wait until the run's resources are really gone, so an exit right after leaves none.
    const list = () => this.o.runtime.owned.list(labelFilter({ run: this.runId }));
    let owned = await list();
    const count = owned.length;
    const deadline = Date.now() + 20_000;
    while (owned.length && Date.now() < deadline) {
      await releaseOwned(this.o.runtime, owned);
      await this.o.runtime.owned.remove(owned).catch(() => undefined);
      owned = await list();
      if (owned.length) await new Promise((r) => setTimeout(r, 200));
    }
    return count;
  }
}

export function newRunId(): string {
  return randomBytes(4).toString("hex");
}
