import { loadCatalogue } from "../catalogue/load.js";
import type { Cluster } from "../engine/cluster.js";
import { LabBus, type LabEvent } from "../engine/events.js";
import { runExercise } from "../engine/runner.js";
import type { RunnerOptions } from "../engine/runner-options.js";
import type { Exercise } from "../model/exercise.js";
import { redactEvent, redactor } from "../report/redact.js";
import { ReportBus } from "../report/reporter.js";
import { reporters, type Reporter, type ReporterOptions } from "../report/reporters.js";
import { labelFilter } from "../runtime/labels.js";
import { LabError } from "../util/errors.js";
import { ensureImages } from "./images.js";
import { roomPorts } from "./port-policy.js";
import { openSession, type Session } from "./session.js";
import { installSignalCleanup } from "./signal-cleanup.js";
import { liveRunsOfOthers, resetLab, sweepDeadRuns } from "./sweep.js";
import { runSelections, type VerifyOutcome, type VerifySelection } from "./run-selections.js";

export interface LabRunOptions {
  /** `-c/--config`, and the folder to look for lab.config.ts in (the process's by default). */
  configFile?: string;
  cwd?: string;
  /** Where the signal handler says what it removes; the TUI passes a no-op (the screen is Ink's). */
  signalLog?: (s: string) => void;
}

export interface PrepareOptions {
  /** The exercises about to run: only their images are checked. */
  exercises: Exercise[];
  /** Pull a missing image (`up`, the TUI) or fail naming it (`verify` without --pull). */
  pull: boolean;
  /**
   * `ephemeral`: every port on a free one (verify, which may run exercises side by side); `room`: the lab's port
   * policy (port-policy.ts) for a cluster that stays up to explore (up, the TUI); `kept`: the run goes on with a
   * cluster already up, whose ports stay as they are.
   */
  ports: "ephemeral" | "room" | "kept";
  /** `up`: one kept cluster per lab, so the previous one goes first (this also clears the lab's dead runs). */
  replaceKept?: boolean;
}

/** What the runner needs of a prepared run; `verify`, `up` and the TUI add only what is theirs. */
export type PreparedRun = Pick<RunnerOptions, "config" | "runtime" | "material" | "bus" | "labId" | "publish" | "publishHost" | "signal" | "clusters">;

/**
 * One lab run for every front end (`verify`, `up`, the TUI): open → prepare → run → dispose.
 *
 * - open: signal cleanup first (Ctrl-C / SIGTERM remove this process's containers from here on), then the session
 *   (config, container runtime, lab material) and the catalogue;
 * - prepare: the engine, the images of the exercises to run, the lab material, the dead-run sweep and the port policy;
 * - run: the engine on the run's bus (one exercise, or `verify`'s selection `jobs` at a time);
 * - dispose: reporters closed, signal handlers removed.
 *
 * The engine emits on `bus`; one redacting layer turns it into `reportStream`, which every reporter subscribes to, so secrets
 * are replaced once, before any reporter sees an event.
 */
export class LabRun {
  /** What the engine emits on. */
  readonly bus = new LabBus();
  /** The same events, redacted, and the run's own (an exercise skipped): what reporters get. */
  readonly reportStream = new ReportBus();
  private redact: (t: string) => string = (t) => t;
  private readonly attached: Array<{ reporter: Reporter; detach: () => void }> = [];
  private readonly onExit = () => this.closeReporters();

  private constructor(
    readonly session: Session,
    readonly catalogue: Exercise[],
    /** Aborted by the signal cleanup. */
    private readonly aborter: AbortController,
    /** The clusters this run keeps up: the signal cleanup and disposeClusters remove them. */
    private readonly clusters: Set<Cluster>,
    private readonly uninstallSignals: () => void,
  ) {
    this.bus.on((ev) => this.reportStream.emit(redactEvent(ev, this.redact)));
    // an interrupt exits from the signal handler: the reporters still get to print what they hold
    process.once("exit", this.onExit);
  }

  static async open(o: LabRunOptions = {}): Promise<LabRun> {
    const aborter = new AbortController();
    const clusters = new Set<Cluster>();
    const uninstall = installSignalCleanup(aborter, clusters, o.signalLog);
    try {
      const session = await openSession({ cwd: o.cwd, configFile: o.configFile });
      const catalogue = await loadCatalogue(session.config);
      return new LabRun(session, catalogue, aborter, clusters, uninstall);
    } catch (err) {
      uninstall();
      throw err;
    }
  }

  /** Aborted by Ctrl-C / SIGTERM. */
  get signal(): AbortSignal {
    return this.aborter.signal;
  }

  /** Subscribes the reporter registered under `name` to the redacted stream. */
  report(name: string, options: ReporterOptions = {}): void {
    const entry = reporters().get(name);
    if (!entry) throw new LabError("usage", `unknown reporter '${name}'`, `Use --reporter ${orList(reporters().streamNames())}.`);
    const reporter = entry.create(options);
    this.attached.push({ reporter, detach: this.reportStream.on((ev) => reporter.event(ev)) });
  }

  emit(ev: LabEvent): void {
    this.bus.emit(ev);
  }

  async prepare(o: PrepareOptions): Promise<PreparedRun> {
    const s = this.session;
    const engine = await s.engine();
    if (o.replaceKept) {
      // the cluster another front end is running (the TUI's walk, `up --watch`) is not this command's to remove
      const [other] = liveRunsOfOthers(await s.runtime.owned.list(labelFilter({ lab: s.labId })));
      if (other)
        throw new LabError(
          "portTaken",
          `This lab's cluster${other.exercise ? ` (exercise ${other.exercise})` : ""} is in use by another mesos-lab process on this machine (pid ${other.pid}: ${other.names.slice(0, 3).join(", ")}${other.names.length > 3 ? ", …" : ""}); \`up\` would remove it under that process.`,
          "Quit that process first (q in the TUI, Ctrl-C for `up --watch`), or run `mesos-lab down` to remove its cluster anyway.",
        );
    }
    await ensureImages(s.runtime, s.config, { pull: o.pull, exercises: o.exercises, onProgress: (progress) => this.emit({ type: "image:pull", progress }) });
    const material = await s.material();
    this.redact = redactor(material.secrets());
    if (o.replaceKept) await resetLab(s.runtime, { labId: s.labId, all: false });
    else {
      const swept = await sweepDeadRuns(s.runtime, s.labId);
      if (swept) this.emit({ type: "warning", message: `removed ${swept} leftover container(s)/network(s) of runs that died` });
    }
    let config = s.config;
    if (o.ports === "room") {
      const decision = await roomPorts(s.config, engine.publishHost);
      for (const t of decision.taken) this.emit({ type: "warning", message: t.message });
      config = { ...s.config, ports: decision.ports };
    }
    const publish = o.ports === "ephemeral" ? "ephemeral" : "configured";
    return {
      config,
      runtime: s.runtime,
      material,
      bus: this.bus,
      labId: s.labId,
      publish,
      publishHost: engine.publishHost,
      signal: this.signal,
      clusters: this.clusters,
    };
  }

  /**
   * `verify`: the selection, `jobs` exercises at a time, between `run:start` and `run:end`; those in `skip` (they
   * cannot run here) are reported skipped with their reason, and do not run.
   */
  verify(
    prepared: PreparedRun,
    selected: VerifySelection[],
    o: { jobs: number; runId?: string; handsOn?: string; skip?: ReadonlyMap<string, { reason: string; fix: string }> },
  ): Promise<VerifyOutcome> {
    return runSelections(selected, { ...prepared, ...o, onSkip: (ev) => this.reportStream.emit(ev) });
  }

  /** `up` and the TUI: one exercise, its cluster kept to explore. */
  runExercise(prepared: PreparedRun, ex: Exercise, o: Omit<RunnerOptions, Exclude<keyof PreparedRun, "signal" | "clusters">>) {
    return runExercise(ex, { ...prepared, ...o });
  }

  /** The cluster is the attendee's from now: the run's Ctrl-C / SIGTERM cleanup leaves it (`up --watch`). */
  release(cluster: Cluster): void {
    this.clusters.delete(cluster);
  }

  /** Removes the clusters this process keeps, but `except` (the TUI: the one the next step goes on with). */
  async disposeClusters(except?: Cluster): Promise<number> {
    const others = [...this.clusters].filter((c) => c !== except);
    const r = await Promise.allSettled(others.map((c) => c.dispose()));
    for (const c of others) this.clusters.delete(c);
    return r.reduce((a, x) => a + (x.status === "fulfilled" ? x.value : 0), 0);
  }

  /** The run's end: reporters closed (what they hold printed), signal handlers removed. Kept clusters stay. */
  dispose(): void {
    this.closeReporters();
    process.off("exit", this.onExit);
    this.uninstallSignals();
  }

  private closeReporters(): void {
    for (const { reporter, detach } of this.attached.splice(0)) {
      reporter.close();
      detach();
    }
  }
}

/** "plain, json or junit" */
export function orList(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
}
