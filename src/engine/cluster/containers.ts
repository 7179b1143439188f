import type { ContainerRuntime } from "../../runtime/container-runtime.js";
import { LABEL, type RunIdentity } from "../../runtime/labels.js";
import type { ContainerSpec } from "../../runtime/types.js";
import type { ClusterRole, Role } from "../../model/roles.js";
import { CAPABILITIES_LABEL, releaseNestedCgroups } from "../agent-capabilities.js";
import type { ContainerEvent, LabBus } from "../events.js";
import { LineMarks } from "../line-marks.js";
import { streamTails } from "../ring.js";
import type { AddressPlan } from "./address-plan.js";
import { liveKey, type RunningContainer } from "./running-container.js";
import type { LogRouting } from "./log-routing.js";
import { READY_LINES } from "./readiness.js";

/** How long a killed process may take to end, before its host is removed and then before its output is let go. */
const PROCESS_EXIT_GRACE_MS = 10_000;

/** Whether `p` settles within `ms`. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((res) => (timer = setTimeout(res, ms, false)));
  try {
    return await Promise.race([
      p.then(
        () => true,
        () => true,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The run's containers by key (`master#1`), and the processes run in them (`execute#3`): created, started and
 * followed from their first line, each line routed to the step that runs, and removed. Only what this run created is
 * here.
 */
export class ClusterContainers {
  private readonly live = new Map<string, RunningContainer>();
  private oneOffs = 0;

  constructor(
    private readonly o: {
      runtime: ContainerRuntime;
      bus: LabBus;
      identity: RunIdentity;
      plan: AddressPlan;
      routing: LogRouting;
      /** PROCESS_EXIT_GRACE_MS unless a test shortens it. */
      processExitGraceMs?: number;
    },
  ) {}

  /** The run they belong to: their labels and names carry it. */
  get identity(): RunIdentity {
    return this.o.identity;
  }

  private emit(role: Role, state: ContainerEvent["state"], name: string, exitCode?: number): void {
    const exercise = this.o.identity.exercise ?? "";
    const ev: ContainerEvent =
      exitCode === undefined ? { type: "container", exercise, role, state, name } : { type: "container", exercise, role, state, exitCode, name };
    this.o.bus.emit(ev);
  }

  /** A reused container: said on the event stream, as a created one is. */
  reused(l: RunningContainer): void {
    this.emit(l.role, "reused", l.name);
  }

  /** A fresh key for a one-off of `role` (a `mesos-execute` run): `execute#1`, `execute#2`, … */
  oneOffKey(role: Role): { key: string; n: number } {
    const n = ++this.oneOffs;
    return { key: liveKey(role, n), n };
  }

  /**
   * Creates and starts a container and follows its log from the first line. Its lines go to the step as `source`
   * (a one-off's action id; a role's `log:<role>`), its exit once the stream has delivered its last line.
   */
  async launch(key: string, role: Role, instance: number, spec: ContainerSpec, hash: string, source = `log:${role}`): Promise<RunningContainer> {
    spec.labels[LABEL.configHash] = hash;
    const { runtime } = this.o;
    const id = await runtime.containers.create(spec);
    this.emit(role, "created", spec.name);
    try {
      await runtime.containers.start(id, spec.image);
      // Docker ends a log follow on a container that is not running yet, so follow after start, from the beginning:
      // the container is new, so every line it has is this step's.
      const live = await this.follow(
        key,
        { role, instance, id, name: spec.name, hash, env: spec.env, capabilities: spec.labels[CAPABILITIES_LABEL] === "true" },
        source,
        0,
      );
      this.emit(role, "started", spec.name);
      return live;
    } catch (err) {
      await runtime.containers.remove(id).catch(() => undefined);
      throw err;
    }
  }

  /**
   * A running container of this run that another process started (the cluster `up` kept), followed from now on: what
   * it printed before is not this step's. Its configuration hash is the one its label carries.
   */
  async adopt(key: string, role: Role, instance: number, id: string, source = `log:${role}`): Promise<RunningContainer | undefined> {
    const st = await this.o.runtime.containers.inspect(id);
    if (!st?.running) return undefined;
    const hash = st.labels[LABEL.configHash] ?? "";
    if (role === "execute") this.oneOffs = Math.max(this.oneOffs, instance);
    const live = await this.follow(
      key,
      { role, instance, id, name: st.name.replace(/^\//, ""), hash, env: st.env, capabilities: st.labels[CAPABILITIES_LABEL] === "true" },
      source,
      Date.now(),
    );
    this.emit(role, "reused", live.name);
    return live;
  }

  /**
   * Starts `cmd` in the running container `hostKey` with exactly `env`, followed as a container of `role` would be: its
   * lines go to the step as `source`, its exit once they all did. Stopping it kills the process (its pid in `pidFile`,
   * written by the command's wrapper), and leaves the host running.
   */
  async launchProcess(
    key: string,
    hostKey: string,
    role: Role,
    instance: number,
    cmd: string[],
    env: Record<string, string>,
    source: string,
  ): Promise<RunningContainer> {
    const host = this.live.get(hostKey);
    if (!host || host.exitCode !== null) throw new Error(`${hostKey} is not running`);
    const pidFile = `/tmp/mesos-lab-${key.replace(/[^a-z0-9]/gi, "-")}.pid`;
    const wrapped = ["sh", "-c", 'echo $$ > "$0" && exec "$@"', pidFile, ...cmd];
    const proc = await this.o.runtime.exec.start(host.id, wrapped, env);
    const name = `${host.name} (${cmd[0]} #${instance})`;
    this.emit(role, "created", name);
    const live = await this.follow(key, { role, instance, id: host.id, name, hash: host.hash, env, capabilities: false }, source, 0, proc);
    live.process = {
      kill: async () => {
        // the wrapper writes the pid before it execs: until then there is nothing to kill yet, so try again. A missing
        // or empty file must fail the try: busybox's `kill -KILL ""` (the stand-ins' shell) exits 0 having killed
        // nothing, and a stop issued at once then waited out the whole grace (1 in 3 immediate stops here).
        for (let i = 0; i < 20 && live.exitCode === null && !proc.follow.ended; i++) {
          const kill = 'pid=$(cat "$0") && [ -n "$pid" ] && kill -KILL "$pid"';
          const r = await this.o.runtime.exec.run(host.id, ["sh", "-c", kill, pidFile], 5000).catch(() => undefined);
          if (r?.exitCode === 0) break;
          await new Promise((res) => setTimeout(res, 50));
        }
        if (await settlesWithin(live.exit, this.o.processExitGraceMs ?? PROCESS_EXIT_GRACE_MS)) return;
        // it outlived every kill: removing its host ends whatever runs there, and the next run gets a new host
        await this.drop(hostKey).catch(() => undefined);
        if (!(await settlesWithin(live.exit, this.o.processExitGraceMs ?? PROCESS_EXIT_GRACE_MS))) proc.follow.close();
      },
    };
    this.emit(role, "started", name);
    return live;
  }

  private async follow(
    key: string,
    c: Pick<RunningContainer, "role" | "instance" | "id" | "name" | "hash" | "env" | "capabilities">,
    source: string,
    sinceMs: number,
    proc?: { follow: RunningContainer["follow"]; exit: Promise<number> },
  ): Promise<RunningContainer> {
    const { runtime } = this.o;
    const follow = proc?.follow ?? (await runtime.logs.follow(c.id, sinceMs));
    const live: RunningContainer = {
      ...c,
      follow,
      tail: streamTails(),
      marks: new LineMarks(READY_LINES[c.role]),
      exit: Promise.resolve(-1),
      exitCode: null,
      ports: {},
    };
    follow.onLine((line) => {
      live.tail[line.stream].push(line.text);
      live.marks.feed(line.text);
      this.o.routing.line(c.role, source, line);
    });
    this.live.set(key, live);
    if (proc) live.exit = proc.exit;
    else {
      live.ports = (await runtime.containers.inspect(c.id))?.ports ?? {};
      live.exit = runtime.containers.wait(c.id).catch(() => -1);
    }
    // The log stream ends after the last line is delivered; only then is the exit reported, so expectations that
    // could still match those last lines are not failed early.
    follow.onEnd(() => {
      void live.exit.then((code) => {
        live.exitCode = code;
        // a container the harness replaced or removed did not "die": its end is nobody's failure
        if (this.live.get(key) !== live) return;
        this.emit(c.role, "exited", c.name, code);
        this.o.routing.exit(live, code);
      });
    });
    return live;
  }

  /** Removes a container (its nested cgroups first, in the capabilities mode). */
  async drop(key: string): Promise<void> {
    const l = this.live.get(key);
    if (!l) return;
    this.live.delete(key);
    l.follow.close();
    if (l.process) return;
    if (l.capabilities) await releaseNestedCgroups(this.o.runtime, l.id);
    await this.o.runtime.containers.remove(l.id);
    this.emit(l.role, "removed", l.name);
  }

  /** Kills a one-off that still runs, then removes it. */
  async stop(key: string): Promise<void> {
    const l = this.live.get(key);
    if (!l) return;
    if (l.exitCode === null) await (l.process ? l.process.kill() : this.o.runtime.containers.kill(l.id));
    await this.drop(key);
    await l.aftermath?.();
  }

  get(key: string): RunningContainer | undefined {
    return this.live.get(key);
  }

  of(role: Role, instance = 1): RunningContainer | undefined {
    return this.live.get(liveKey(role, instance));
  }

  all(): RunningContainer[] {
    return [...this.live.values()];
  }

  /** Host port that reaches `containerPort` of a role (published port, or the port itself in host mode). */
  hostPort(role: ClusterRole, containerPort: number, instance = 1): number {
    if (this.o.plan.hostMode) return role === "agent" ? containerPort + instance - 1 : containerPort;
    const p = this.of(role, instance)?.ports[containerPort];
    if (!p) throw new Error(`${role} publishes no port ${containerPort}`);
    return p;
  }

  /** Runs a command in a role's running container. */
  exec(role: ClusterRole, cmd: string[], timeoutMs: number): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    const l = this.of(role);
    if (!l || l.exitCode !== null) throw new Error(`${role} is not running`);
    return this.o.runtime.exec.run(l.id, cmd, timeoutMs);
  }

  /** Stops following every container and forgets them (the run's removal goes by label: see Cluster.dispose). */
  forget(): void {
    for (const l of this.live.values()) l.follow.close();
    this.live.clear();
  }
}
