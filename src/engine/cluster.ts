import type { LabError } from "../util/errors.js";
import { randomBytes } from "node:crypto";
import type { LabConfig } from "../config/schema.js";
import type { ContainerRuntime } from "../runtime/container-runtime.js";
import { LABEL, labelFilter, runLabels, type RunIdentity } from "../runtime/labels.js";
import type { Owned } from "../runtime/types.js";
import { CLUSTER_ROLES, ROLE_PORTS, type ClusterRole, type Role } from "../model/roles.js";
import { releaseOwned } from "./agent-capabilities.js";
import { AddressPlan } from "./cluster/address-plan.js";
import { ClusterContainers } from "./cluster/containers.js";
import { ATTACKER_KEY, liveKey, relayKey, SCHEDULER_HOST_KEY } from "./cluster/running-container.js";
import { LogRouting, type ExitSink, type LineSink } from "./cluster/log-routing.js";
import { readinessOf } from "./cluster/readiness.js";
import { configuredFor, reconcile } from "./cluster/reconcile.js";
import { clearStaleMasters } from "./cluster/stale-masters.js";
import type { LabBus } from "./events.js";
import type { Material } from "./material.js";
import type { RenderedStep } from "./render.js";

export type { RunningContainer } from "./cluster/running-container.js";

/**
 * One lab run's containers on one network. Keeps each container's log stream open for its whole life (so a step
 * never re-reads lines from before it started), reuses a container when its configuration did not change, and
 * removes only what carries this run's labels. The parts live in cluster/: the address plan, the containers, the
 * reconcile, the readiness probes and the log routing; HTTP, TLS and one-off containers belong to the actions.
 */
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
  /** Addresses, aliases, the `${…}` template values and the leaves issued for this network. */
  readonly addresses: AddressPlan;
  /** The run's containers by key. */
  readonly containers: ClusterContainers;
  private readonly routing = new LogRouting();
  private disposed = false;

  constructor(private readonly o: ClusterOptions) {
    this.addresses = new AddressPlan({ ...o, runId: o.identity.run, labels: runLabels(o.identity) });
    this.containers = new ClusterContainers({ runtime: o.runtime, bus: o.bus, identity: o.identity, plan: this.addresses, routing: this.routing });
  }

  /**
   * The run's network and the certificates for its addresses. Given what another process kept of this run (`mesos-lab
   * up`'s cluster), it goes on with that instead: its network, and its running containers, each followed from now on
   * (`mesos-lab attack`). A container that is not running is left out, and not restarted.
   */
  async init(kept?: Owned[]): Promise<void> {
    if (!kept) return this.addresses.init();
    const net = kept.find((i) => i.kind === "network" && i.subnet);
    await this.addresses.adopt(net ? { id: net.id, name: net.name, subnet: net.subnet! } : undefined);
    const prefix = `mesos-lab-${this.o.identity.run}-`;
    for (const c of kept.filter((i) => i.kind === "container" && i.name.startsWith(prefix))) {
      const role = c.labels[LABEL.role] as Role;
      const rest = c.name.slice(prefix.length);
      if ((CLUSTER_ROLES as readonly string[]).includes(role)) {
        const instance = Number(/^agent-(\d+)$/.exec(rest)?.[1] ?? 1);
        await this.containers.adopt(liveKey(role, instance), role, instance, c.id);
      } else if (role === "attacker") await this.containers.adopt(ATTACKER_KEY, role, 1, c.id, "attacker");
      else if (role === "execute" && rest === "execute") await this.containers.adopt(SCHEDULER_HOST_KEY, role, 1, c.id, "execute:host");
      else if (role === "relay") {
        const id = rest.replace(/^relay-/, "");
        await this.containers.adopt(relayKey(id), role, 1, c.id, id);
      }
    }
  }

  /** Routes log lines and exits to the current step (undefined: nowhere). */
  route(lines: LineSink | undefined, exits: ExitSink | undefined): void {
    this.routing.attach(lines, exits);
  }

  /**
   * Brings the containers to the step's configuration; a new ZooKeeper must serve by `zkReadyBy` before Mesos starts.
   * `check`: changes nothing, and says whether the running containers already are that configuration.
   */
  reconcile(rendered: RenderedStep, zkReadyBy?: number): Promise<{ created: Role[]; reused: Role[] }>;
  reconcile(rendered: RenderedStep, zkReadyBy: undefined, o: { check: true }): Promise<boolean>;
  reconcile(rendered: RenderedStep, zkReadyBy?: number, o?: { check: true }): Promise<{ created: Role[]; reused: Role[] } | boolean> {
    const { config, identity, publish, material } = this.o;
    const c = { config, identity, publish, material, plan: this.addresses, containers: this.containers };
    if (o?.check) return Promise.resolve(configuredFor(c, rendered));
    return reconcile(c, rendered, {
      zkReady: zkReadyBy === undefined ? undefined : () => this.waitReady("zk", zkReadyBy),
      clearMasters: (zkUrl) => clearStaleMasters(zkUrl, { host: this.o.publishHost, port: this.containers.hostPort("zk", ROLE_PORTS.zk) }),
    });
  }

  /** Waits for a role's readiness probes; fails at once when its container exits first. */
  async waitReady(role: ClusterRole, deadline: number, instance = 1): Promise<void> {
    const l = this.containers.of(role, instance);
    if (!l) return;
    const aborted = l.exit.then((code) => {
      throw new Error(`${role} exited with code ${code} before it was ready`);
    });
    aborted.catch(() => undefined);
    await readinessOf(this.addresses, role, l).waitUntilReady({
      host: this.o.publishHost,
      port: (p) => this.containers.hostPort(role, p, instance),
      aborted,
      deadline,
      printed: (re) => l.marks.printed(re),
    });
    this.o.bus.emit({ type: "container", exercise: this.o.identity.exercise ?? "", role, state: "ready", name: l.name });
  }

  /** Not disposed: a next step can go on with it (reconcile relaunches whatever exited in between). */
  get intact(): boolean {
    return !this.disposed;
  }

  /**
   * Removes every container and the network of this run (by label, so a crashed half-created run goes too). `leave`:
   * stops following them and leaves them running, as another process kept them (`mesos-lab attack` on `up`'s cluster).
   */
  async dispose(o: { leave?: boolean } = {}): Promise<number> {
    this.disposed = true;
    this.containers.forget();
    if (o.leave) return 0;
    // Another remove of the same container (the runner's own cleanup racing a signal handler) answers 409 at once while
    // the first is still in progress: wait until the run's resources are really gone, so an exit right after leaves none.
    const { runtime, identity } = this.o;
    let lastError: unknown;
    // an engine call that fails under load is tried again, not taken for "nothing left"
    const list = async (): Promise<Owned[] | undefined> =>
      runtime.owned.list(labelFilter({ run: identity.run })).catch((err: unknown) => void (lastError = err));
    const deadline = Date.now() + 30_000;
    let first = await list();
    while (!first && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      first = await list();
    }
    let owned = first ?? [];
    const count = owned.length;
    while (owned.length && Date.now() < deadline) {
      await releaseOwned(runtime, owned).catch((err: unknown) => void (lastError = err));
      await runtime.owned.remove(owned).catch((err: unknown) => void (lastError = err));
      owned = (await list()) ?? owned;
      // a network the engine will not remove (a stale endpoint count) stays whatever is tried: said once, below
      if ((lastError as LabError | undefined)?.kind === "engineStuck") break;
      if (owned.length) await new Promise((r) => setTimeout(r, 200));
    }
    if (!first) this.o.bus.emit({ type: "warning", message: `could not list what run ${identity.run} left: ${(lastError as Error | undefined)?.message}` });
    if (owned.length) {
      const what = owned.map((o) => `${o.kind} ${o.name}`).join(", ");
      this.o.bus.emit({
        type: "warning",
        message: `could not remove ${what} of run ${identity.run}: ${(lastError as Error | undefined)?.message ?? "still there after 30 s"}`,
      });
    }
    return count;
  }
}

export function newRunId(): string {
  return randomBytes(4).toString("hex");
}
