import type { LabBus } from "../engine/events.js";
import { attackVerdict, citeText, containersText, failureLines, secs } from "./format.js";
import type { ReportEvent, Reporter, ShardLabel } from "./reporter.js";

/** The exercise an event belongs to; undefined for the run's own events (header, pulls, warnings, skips, summary). */
function exerciseOf(ev: ReportEvent): string | undefined {
  switch (ev.type) {
    case "exercise:start":
      return ev.exercise.id;
    case "step:end":
      return ev.result.exercise;
    case "step:start":
    case "container":
    case "action:start":
    case "action:end":
    case "log":
    case "expectation":
    case "exercise:end":
    case "cleanup":
      return ev.exercise;
    default:
      return undefined;
  }
}

/**
 * Keeps every line under its own exercise's heading when exercises run in parallel (`verify --jobs N`), with plain
 * appended lines only (a CI log has no cursor). One exercise at a time is in the foreground and streams live; the
 * others collect their lines. When the foreground exercise ends, the exercises that ended meanwhile are printed
 * whole, in the order they started, and the earliest still running one takes the foreground: what it collected so
 * far is printed, then it streams. One at a time (`--jobs 1`, `up`), every exercise is in the foreground in turn.
 */
export class ExerciseLanes {
  private readonly started: string[] = [];
  private readonly held = new Map<string, string[]>();
  private readonly ended = new Set<string>();
  private readonly printed = new Set<string>();
  private foreground?: string;

  constructor(private readonly print: (line: string) => void) {}

  line(exercise: string, text: string): void {
    if (!this.started.includes(exercise)) {
      this.started.push(exercise);
      this.held.set(exercise, []);
    }
    if (this.foreground === undefined && !this.printed.has(exercise)) this.promote(exercise);
    if (this.foreground === exercise || this.printed.has(exercise)) this.print(text);
    else this.held.get(exercise)!.push(text);
  }

  /** The exercise's last line was given. */
  end(exercise: string): void {
    this.ended.add(exercise);
    if (this.foreground !== exercise) return;
    this.printed.add(exercise);
    this.foreground = undefined;
    for (const ex of this.started) if (this.ended.has(ex) && !this.printed.has(ex)) this.release(ex);
    const next = this.started.find((ex) => !this.ended.has(ex));
    if (next !== undefined) this.promote(next);
  }

  /** Prints whatever is still held, in the order the exercises started (the run's end, an interrupt). */
  flush(): void {
    this.foreground = undefined;
    for (const ex of this.started) if (!this.printed.has(ex)) this.release(ex);
  }

  private promote(exercise: string): void {
    this.foreground = exercise;
    for (const t of this.held.get(exercise) ?? []) this.print(t);
    this.held.set(exercise, []);
  }

  private release(exercise: string): void {
    for (const t of this.held.get(exercise) ?? []) this.print(t);
    this.held.set(exercise, []);
    this.printed.add(exercise);
  }
}

/** Which part of `verify --shard` this run is, and its exercises: a CI log says what each machine ran. */
function shardText(shard: ShardLabel, exercises: Array<{ id: string }>): string {
  const part = `shard ${shard.index}/${shard.total}`;
  if (exercises.length === 0)
    return `${part}: nothing to run (${shard.exercises === 1 ? "the one exercise is" : `all ${shard.exercises} exercises are`} in the other part${shard.total === 2 ? "" : "s"})`;
  return `${part}: ${exercises.map((e) => e.id).join(" ")}`;
}

/**
 * Line-oriented output for CI logs and non-TTY use: per step each expectation with pass/fail and time, and on
 * failure the expected pattern against the closest actual lines. It gets the run's stream already redacted (see
 * redact.ts); `close` prints whatever parallel exercises still hold.
 */
export function plainReporter(write: (s: string) => void, opts: { verbose?: boolean; shard?: ShardLabel } = {}): Reporter {
  let lastPull = 0;
  const pulls: Record<string, Map<string, { status: string; current: number; total: number }>> = {};
  const print = (s: string) => write(`${s}\n`);
  const lanes = new ExerciseLanes(print);
  let ex: string | undefined;
  const out = (s: string) => (ex === undefined ? print(s) : lanes.line(ex, s));
  const skipped: string[] = [];
  const event = (ev: ReportEvent) => {
    ex = exerciseOf(ev);
    // the summary comes after every exercise's lines
    if (ev.type === "run:end") lanes.flush();
    switch (ev.type) {
      case "run:start":
        out(
          `mesos-lab verify — profile ${ev.profile}${opts.shard && ev.exercises.length === 0 ? "" : `, ${ev.exercises.length} exercise${ev.exercises.length === 1 ? "" : "s"}`}${opts.shard ? ` · ${shardText(opts.shard, ev.exercises)}` : ""}${ev.handsOn ? ` · hands-on: the flags are yours, from ${ev.handsOn}` : ""}`,
        );
        break;
      case "image:pull": {
        // one compact line per image and second: layers done and bytes, not one line per layer event
        const p = ev.progress;
        const layers = (pulls[p.image] ??= new Map());
        if (p.layer) {
          // bytes are the download's: extraction reports its own current/total, which would count a layer twice
          const prev = layers.get(p.layer) ?? { status: "", current: 0, total: 0 };
          const bytes =
            p.status === "Downloading"
              ? { current: p.current ?? prev.current, total: p.total ?? prev.total }
              : /^(Download|Pull) complete/.test(p.status)
                ? { current: prev.total, total: prev.total }
                : prev;
          layers.set(p.layer, { status: p.status, current: bytes.current, total: bytes.total });
        }
        const now = Date.now();
        const final = /Downloaded newer|up to date/i.test(p.status);
        if (now - lastPull < 1000 && !final) break;
        lastPull = now;
        const all = [...layers.values()];
        const done = all.filter((l) => /complete|already exists/i.test(l.status)).length;
        const cur = all.reduce((a, l) => a + l.current, 0);
        const tot = all.reduce((a, l) => a + l.total, 0);
        const bytes = tot ? `, ${(cur / 1e6).toFixed(1)}/${(tot / 1e6).toFixed(1)} MB (${Math.round((cur / tot) * 100)}%)` : "";
        out(`  pull ${p.image}: ${done}/${all.length} layers done${bytes}${final ? ` · ${p.status.replace(/^Status: /, "")}` : ""}`);
        break;
      }
      case "exercise:skipped":
        // before any exercise starts: it cannot run on this host, and nothing of it runs
        skipped.push(ev.exercise.id);
        out(`\n${ev.exercise.id} ${ev.exercise.title}\n  skipped: cannot run here: ${ev.reason}\n    fix: ${ev.fix}`);
        break;
      case "exercise:start":
        out(`\n${ev.exercise.id} ${ev.exercise.title}`);
        break;
      case "step:start":
        out(`  step ${ev.index + 1}/${ev.total} ${ev.step.id}: ${ev.step.title}`);
        for (const [role, changes] of Object.entries(ev.diff))
          for (const c of changes)
            if (!c.key.startsWith("LIBPROCESS_IP") && ev.index >= 0)
              opts.verbose && out(`      ${role}: ${c.op} ${c.key}${c.value !== undefined ? `=${c.value}` : ""}`);
        break;
      case "action:start":
        // an attacker's script runs over several lines: each stays under its arrow
        out(`    → ${ev.detail.replace(/\n/g, "\n      ")}`);
        break;
      case "log":
        if (opts.verbose) out(`      [${ev.source}] ${ev.text}`);
        break;
      case "expectation":
        if (ev.result.status === "passed") {
          out(`    ✓ ${ev.result.says} (${ev.result.source}, ${secs(ev.result.elapsedMs)}) [${citeText(ev.result)}]`);
          if (ev.result.stolen && ev.result.matched) out(`      stolen, shown on purpose (the exploit's evidence): ${ev.result.matched}`);
        }
        break;
      case "step:end": {
        const r = ev.result;
        if (r.status !== "passed") for (const l of failureLines(r)) out(`    ${l}`);
        if (r.attack) out(`    ${attackVerdict(r.attack)}`);
        out(`    ${r.status === "passed" ? "passed" : "FAILED"} in ${secs(r.durationMs)} (${containersText(r.timings)})`);
        break;
      }
      case "cleanup":
        if (opts.verbose) out(`  removed ${ev.removed} container(s)/network(s)`);
        break;
      case "warning":
        out(`warning: ${ev.message}`);
        break;
      case "exercise:end":
        lanes.end(ev.exercise);
        break;
      case "run:end":
        out(
          `\n${ev.passed} passed, ${ev.failed} failed${skipped.length ? `, exercise${skipped.length === 1 ? "" : "s"} ${skipped.join(" ")} skipped (cannot run here)` : ""} (${secs(ev.durationMs)})`,
        );
        break;
    }
  };
  return { event, close: () => lanes.flush() };
}

/** The plain reporter on a bus of its own (`pull`, tests): the returned function detaches it and flushes it. */
export function attachPlain(bus: LabBus, write: (s: string) => void, redact: (s: string) => string = (t) => t, opts: { verbose?: boolean } = {}): () => void {
  const r = plainReporter((t) => write(redact(t)), opts);
  const detach = bus.on(r.event);
  return () => {
    r.close();
    detach();
  };
}
