import type { CitedExpectation, Source } from "../model/exercise.js";
import type { ExpectationResult } from "./events.js";
import { closestLines } from "./closest.js";
import { Ring } from "./ring.js";
import { sourceKeys, type SourceKey } from "./source-keys.js";

/**
 * The expectation engine: lines arrive per source key (src/engine/source-keys.ts: an agent's log, a mesos-execute stream),
 * each is tested against the expectations still open on that key, and results are final once reported.
 * Positive expectations pass on the Nth match or fail at their deadline or when their source ends; negative ones
 * fail on the first match and pass when their window closes. Once any expectation has failed the step cannot pass,
 * so the positives still waiting get only a short grace (to show what else happens) instead of their full timeout.
 */

export function describeSource(source: Source): string {
  if ("log" in source) return `${source.log} log`;
  if ("execute" in source) return `mesos-execute ${source.execute}`;
  if ("http" in source) return `HTTP ${source.http} (${source.part})`;
  if ("exec" in source) return `exec ${source.exec}`;
  if ("attacker" in source) return `attacker ${source.attacker}${source.part === "all" ? "" : ` (${source.part})`}`;
  if ("relay" in source) return `relay ${source.relay}`;
  return `${source.exit} exit code`;
}

interface Open {
  exp: CitedExpectation;
  re: RegExp;
  keys: SourceKey[];
  count: number;
  deadline: number;
  /** the deadline was brought forward because the step had already failed */
  cutShort?: string;
  result: ExpectationResult;
}

export interface ExpectationSetOptions {
  defaultTimeoutMs: number;
  negativeWindowMs: number;
  /** How long positives still wait once a negative has failed (default: negativeWindowMs). */
  failedGraceMs?: number;
  defaultExecuteId?: string;
  onResult: (r: ExpectationResult) => void;
  /** A negative's window opened: the still-waiting result with `until`, its end (for a countdown; not a verdict). */
  onWindow?: (r: ExpectationResult) => void;
  now?: () => number;
}

export class ExpectationSet {
  private readonly open = new Map<SourceKey, Open[]>();
  private readonly all: Open[] = [];
  private readonly buffers = new Map<SourceKey, Ring<string>>();
  private readonly t0: number;
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;
  private negativeTimer?: NodeJS.Timeout;
  private positivesDone!: () => void;
  private allDone!: () => void;
  readonly positivesSettled: Promise<void>;
  readonly settled: Promise<void>;
  private closedForNegatives = false;

  constructor(
    expectations: CitedExpectation[],
    private readonly opts: ExpectationSetOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.t0 = this.now();
    this.positivesSettled = new Promise((r) => (this.positivesDone = r));
    this.settled = new Promise((r) => (this.allDone = r));
    for (const exp of expectations) {
      const keys = sourceKeys(exp.source, opts.defaultExecuteId);
      const o: Open = {
        exp,
        re: new RegExp(exp.pattern),
        keys,
        count: 0,
        deadline: exp.negate ? Infinity : this.t0 + (exp.timeoutMs ?? opts.defaultTimeoutMs),
        result: {
          id: exp.id,
          says: exp.says,
          pattern: exp.pattern,
          negate: exp.negate,
          source: describeSource(exp.source),
          cite: exp.cite,
          status: "waiting",
          elapsedMs: 0,
        },
      };
      this.all.push(o);
      for (const k of keys) {
        const list = this.open.get(k) ?? [];
        list.push(o);
        this.open.set(k, list);
      }
    }
    this.schedule();
    this.checkProgress();
  }

  results(): ExpectationResult[] {
    return this.all.map((o) => o.result);
  }

  /** Whether an open positive expectation still reads one of `keys` (the runner uses it to end an execute run early). */
  waitingOn(...keys: SourceKey[]): boolean {
    return this.all.some((o) => o.result.status === "waiting" && !o.exp.negate && o.keys.some((k) => keys.includes(k)));
  }

  buffer(key: SourceKey): Ring<string> {
    let b = this.buffers.get(key);
    if (!b) {
      b = new Ring<string>(400);
      this.buffers.set(key, b);
    }
    return b;
  }

  /**
   * No more lines count: the step's window has closed. What the harness's own cleanup makes Mesos print next (a
   * stopped scheduler's framework removed) is not what the step saw (`holds` reads the lines up to here).
   */
  freeze(): void {
    this.frozen = true;
  }
  private frozen = false;

  feed(key: SourceKey, text: string, ts?: number): void {
    if (this.frozen) return;
    this.buffer(key).push(text);
    const list = this.open.get(key);
    if (!list) return;
    for (let i = 0; i < list.length; i++) {
      const o = list[i]!;
      if (o.result.status !== "waiting" || !o.re.test(text)) continue;
      if (o.exp.negate) {
        this.finish(o, "failed", { matched: text, matchedTs: ts, reason: "appeared although it must not" });
        this.stepFailed(`'${o.exp.says}' had already failed`);
      } else if (++o.count >= o.exp.times) this.finish(o, "passed", { matched: text, matchedTs: ts });
    }
  }

  /**
   * The source will produce no more lines (container exited, response complete): waiting positives on it fail now,
   * and negatives pass, since what must not appear cannot any more. `stillPrinting`: a process given up on (mesos-execute
   * at its timeout) may still print until it is stopped, so its positives fail and its negatives watch on.
   */
  endSource(key: SourceKey, why: string, o: { stillPrinting?: boolean } = {}): void {
    this.givenUp.add(key);
    if (!o.stillPrinting) this.ended.add(key);
    for (const x of this.open.get(key) ?? []) {
      if (x.result.status !== "waiting") continue;
      // an expectation reading several keys (stdout+stderr) is decided only when all of them ended
      if (x.exp.negate && x.keys.every((k) => this.ended.has(k))) this.finish(x, "passed", {});
      else if (!x.exp.negate && x.keys.every((k) => this.givenUp.has(k))) this.finish(x, "failed", { reason: why });
    }
  }
  private readonly givenUp = new Set<SourceKey>();
  private readonly ended = new Set<SourceKey>();

  /** Fail-fast: something the step depends on died; every waiting positive fails with that reason. */
  failWaiting(reason: string): void {
    for (const o of this.all) if (o.result.status === "waiting" && !o.exp.negate) this.finish(o, "failed", { reason });
  }

  /** The outcome is known: waiting positives get the grace from now, not their whole timeout. */
  private stepFailed(why: string): void {
    const until = this.now() + (this.opts.failedGraceMs ?? this.opts.negativeWindowMs);
    for (const o of this.all) {
      if (o.exp.negate || o.result.status !== "waiting" || o.deadline <= until) continue;
      o.deadline = until;
      o.cutShort = why;
    }
    this.schedule();
  }

  /** Actions are done and positives settled: negative windows run `negativeWindowMs` (or their own) from now. */
  closeNegatives(): void {
    if (this.closedForNegatives) return;
    this.closedForNegatives = true;
    const negatives = this.all.filter((o) => o.exp.negate && o.result.status === "waiting");
    if (negatives.length === 0) {
      this.checkProgress();
      return;
    }
    const start = this.now();
    for (const o of negatives) {
      o.deadline = start + (o.exp.timeoutMs ?? this.opts.negativeWindowMs);
      // the window is the wait an attendee sees: its end goes out, so the screen says how long is left
      o.result = { ...o.result, until: o.deadline };
      this.opts.onWindow?.(o.result);
    }
    this.schedule();
  }

  /**
   * Whether `evidence` holds on what the step's sources printed (the buffered lines): each positive matched at least
   * its `times`, no negative matched. An attack step asserts one of its attack's two outcomes; this reads the other.
   */
  holds(evidence: CitedExpectation[]): boolean {
    return evidence.every((e) => {
      const re = new RegExp(e.pattern);
      const lines = sourceKeys(e.source, this.opts.defaultExecuteId).flatMap((k) => this.buffers.get(k)?.toArray() ?? []);
      const n = lines.filter((l) => re.test(l)).length;
      return e.negate ? n === 0 : n >= e.times;
    });
  }

  /** Ends everything still waiting (the step is being torn down). */
  abort(reason: string): void {
    for (const o of this.all) if (o.result.status === "waiting") this.finish(o, "failed", { reason });
  }

  private finish(o: Open, status: "passed" | "failed", extra: Partial<ExpectationResult>): void {
    const at = this.now();
    const { until: _window, ...before } = o.result;
    o.result = { ...before, ...extra, status, elapsedMs: at - this.t0, resolvedAt: at };
    if (status === "failed" && !o.exp.negate) {
      const lines = o.keys.flatMap((k) => this.buffers.get(k)?.toArray() ?? []);
      o.result.closest = closestLines(o.exp.pattern, lines);
    }
    this.opts.onResult(o.result);
    // the step cannot pass any more: what still waits gets the grace, not its whole timeout (a verdict at 60 s for a
    // step decided at 4 s kept attendees waiting for nothing)
    if (status === "failed" && !o.exp.negate) this.stepFailed(`'${o.exp.says}' had already failed`);
    this.checkProgress();
  }

  private checkProgress(): void {
    if (this.all.every((o) => o.exp.negate || o.result.status !== "waiting")) this.positivesDone();
    if (this.all.every((o) => o.result.status !== "waiting")) {
      clearTimeout(this.timer);
      clearTimeout(this.negativeTimer);
      this.allDone();
    }
  }

  private schedule(): void {
    clearTimeout(this.timer);
    const next = Math.min(...this.all.filter((o) => o.result.status === "waiting").map((o) => o.deadline));
    if (!Number.isFinite(next)) return;
    this.timer = setTimeout(() => this.onDeadline(), Math.max(0, next - this.now()));
    this.timer.unref?.();
  }

  private onDeadline(): void {
    const t = this.now();
    for (const o of this.all) {
      if (o.result.status !== "waiting" || o.deadline > t) continue;
      if (o.exp.negate) this.finish(o, "passed", {});
      else if (o.cutShort) this.finish(o, "failed", { reason: `not seen within ${secsOf(t - this.t0)} s; stopped waiting because ${o.cutShort}` });
      else this.finish(o, "failed", { reason: `not seen within ${Math.round((o.exp.timeoutMs ?? this.opts.defaultTimeoutMs) / 1000)} s` });
    }
    this.schedule();
  }
}

function secsOf(ms: number): string {
  return (ms / 1000).toFixed(ms < 10_000 ? 1 : 0);
}
