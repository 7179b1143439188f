import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LabBus, type LabEvent } from "../../src/engine/events.js";
import { attachPlain, ExerciseLanes } from "../../src/report/plain.js";

/**
 * `verify --jobs N`: the plain reporter never prints a line under another exercise's heading, and the exercise in
 * the foreground streams while it runs. Fed with event sequences recorded from real runs against the stand-ins
 * (test/tui/fixtures), interleaved as parallel exercises would emit them.
 */

const FIXTURES = path.join(import.meta.dirname, "../tui/fixtures");
function recorded(name: string): LabEvent[] {
  const events = JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), "utf8")) as LabEvent[];
  // recorded before cleanup events named their exercise; the runner now says whose cluster it removed
  const ex = (events.find((e) => e.type === "exercise:start") as Extract<LabEvent, { type: "exercise:start" }>).exercise.id;
  return events.map((e) => (e.type === "cleanup" ? { ...e, exercise: ex } : e));
}
const A = recorded("01-pass");
const B = recorded("90-fail");
const C = recorded("93-execute-fails");

interface Written {
  line: string;
  /** the index, in the merged sequence, of the event being emitted when the line was written */
  at: number;
}

function feed(events: LabEvent[], verbose = false): Written[] {
  const bus = new LabBus();
  const written: Written[] = [];
  let at = -1;
  attachPlain(
    bus,
    (t) =>
      written.push(
        ...t
          .replace(/\n$/, "")
          .split("\n")
          .map((line) => ({ line, at })),
      ),
    (t) => t,
    { verbose },
  );
  for (const [i, e] of events.entries()) {
    at = i;
    bus.emit(e);
  }
  return written;
}

/** Merges sequences as parallel workers would: `pick(step)` names the sequence whose next event comes next. */
function interleave(seqs: LabEvent[][], pick: (n: number) => number): { events: LabEvent[]; owner: number[] } {
  const pos = seqs.map(() => 0);
  const events: LabEvent[] = [];
  const owner: number[] = [];
  for (let n = 0; pos.some((p, i) => p < seqs[i]!.length); n++) {
    let k = pick(n) % seqs.length;
    while (pos[k]! >= seqs[k]!.length) k = (k + 1) % seqs.length;
    events.push(seqs[k]![pos[k]!++]!);
    owner.push(k);
  }
  return { events, owner };
}

/** A small deterministic generator, so a failure names a schedule that can be replayed. */
function lcg(seed: number): (n: number) => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2 ** 31);
}

const run = (events: LabEvent[]): LabEvent[] => [
  { type: "run:start", runId: "r", profile: "1.4", exercises: [] },
  ...events,
  { type: "run:end", passed: 1, failed: 2, durationMs: 9000, exitCode: 1 },
];

/** Output blocks by heading: `01 The default…` up to the next heading. */
function blocks(lines: string[]): Array<{ heading: string; lines: string[] }> {
  const out: Array<{ heading: string; lines: string[] }> = [];
  for (const l of lines) {
    if (/^\d{2} /.test(l)) out.push({ heading: l, lines: [] });
    else out.at(-1)?.lines.push(l);
  }
  return out;
}

/** Which exercise starts first (and so is in the foreground first) and which are short: 01 has 105 events, 90 50, 93 23. */
const ORDERS: Record<string, LabEvent[][]> = { "01 90 93": [A, B, C], "93 90 01": [C, B, A], "90 93 01": [B, C, A] };
const SCHEDULES = [1, 2, 3, 4, 5, 11, 42].flatMap((seed) => Object.keys(ORDERS).map((order) => [seed, order] as const));

const solo = (events: LabEvent[], verbose = false) => feed(events, verbose).map((w) => w.line);

/** The plain reporter on a bus of its own: what it printed so far, and its detach. */
function plainOnBus() {
  const bus = new LabBus();
  let text = "";
  const detach = attachPlain(
    bus,
    (t) => (text += t),
    (t) => t,
  );
  return { bus, out: () => text, detach };
}

describe("plain output with exercises in parallel", () => {
  it.each(SCHEDULES)("schedule %i, order %s: every exercise's lines sit whole under its own heading, as run alone", (seed, order) => {
    for (const verbose of [false, true]) {
      const { events } = interleave(ORDERS[order]!, lcg(seed));
      const lines = feed(run(events), verbose).map((w) => w.line);
      expect(lines[0]).toMatch(/^mesos-lab verify/);
      expect(lines.at(-1)).toBe("1 passed, 2 failed (9.0 s)");
      const got = blocks(lines.slice(1, -2));
      expect(got.map((b) => b.heading).sort()).toEqual(["01 The default configuration (insecure)", "90 A failing step", "93 A task that never runs"]);
      for (const [seq, id] of [
        [A, "01"],
        [B, "90"],
        [C, "93"],
      ] as const) {
        const block = got.find((b) => b.heading.startsWith(`${id} `))!;
        // exactly what the exercise prints when it runs alone (the blank line before the next heading aside)
        expect([block.heading, ...block.lines].join("\n").trimEnd(), `${id} verbose=${verbose}`).toBe(solo(seq, verbose).slice(1).join("\n").trimEnd());
      }
    }
  });

  it.each(SCHEDULES)("schedule %i, order %s: the foreground exercise streams, and one promoted after it streams from then on", (seed, order) => {
    const seqs = ORDERS[order]!;
    const { events, owner } = interleave(seqs, lcg(seed));
    const written = feed(events, true);
    const endOf = (k: number) => events.findIndex((e, i) => owner[i] === k && e.type === "exercise:end");
    for (const [k, seq] of seqs.entries()) {
      // where each of this exercise's events sits in the merged sequence, and which event makes each of its lines
      const at = owner.flatMap((o, i) => (o === k ? [i] : []));
      const made = feed(seq, true).map((w) => ({ line: w.line, madeAt: at[w.at]! }));
      // its lines start with the blank line before its heading
      expect(made[0]!.line).toBe("");
      const first = written.findIndex((w) => w.line === made[1]!.line) - 1;
      const shownAt = written[first]!.at;
      const got = written.slice(first, first + made.length);
      expect(got.map((w) => w.line)).toEqual(made.map((m) => m.line));
      // what it made before it was shown is written at once; from then on each line by the event that makes it
      for (const [n, m] of made.entries()) expect(got[n]!.at, `${seed}: exercise ${k} line ${n} ${m.line}`).toBe(Math.max(m.madeAt, shownAt));
    }
    // the first exercise to start is in the foreground at once: its lines appear before it ends
    const firstEnd = endOf(owner[0]!);
    const before = written.filter((w) => w.at < firstEnd);
    expect(before.length).toBeGreaterThan(3);
    expect(before.every((w) => owner[w.at] === owner[0])).toBe(true);
  });

  it("when the foreground ends, the exercises that ended meanwhile print whole, then the next running one takes over and streams", () => {
    const printed: string[] = [];
    const lanes = new ExerciseLanes((l) => printed.push(l));
    lanes.line("01", "01 heading");
    lanes.line("02", "02 heading");
    lanes.line("03", "03 heading");
    lanes.line("01", "01 step 1");
    lanes.line("03", "03 step 1");
    lanes.end("03"); // ended in the background: held until the foreground ends
    lanes.line("02", "02 step 1");
    expect(printed).toEqual(["01 heading", "01 step 1"]);
    lanes.line("01", "01 step 2");
    lanes.end("01");
    // 03 ended meanwhile and prints whole; 02 still runs, so it takes the foreground with what it held so far
    expect(printed).toEqual(["01 heading", "01 step 1", "01 step 2", "03 heading", "03 step 1", "02 heading", "02 step 1"]);
    lanes.line("02", "02 step 2");
    expect(printed.at(-1)).toBe("02 step 2"); // streams now
    lanes.line("04", "04 heading"); // started while 02 runs: held
    lanes.end("02");
    expect(printed.slice(-2)).toEqual(["02 step 2", "04 heading"]);
    lanes.line("04", "04 step 1");
    expect(printed.at(-1)).toBe("04 step 1");
  });

  it("an interrupted run prints what the background exercises held, in the order they started", () => {
    const { bus, out, detach } = plainOnBus();
    const ex = (id: string) => ({ id, title: `title ${id}`, slug: id });
    bus.emit({ type: "exercise:start", exercise: ex("01"), steps: 1 });
    bus.emit({ type: "exercise:start", exercise: ex("02"), steps: 1 });
    bus.emit({ type: "action:start", exercise: "02", step: "s", action: "execute", detail: "mesos-execute --name=b" });
    bus.emit({ type: "action:start", exercise: "01", step: "s", action: "execute", detail: "mesos-execute --name=a" });
    expect(out()).toBe("\n01 title 01\n    → mesos-execute --name=a\n");
    detach();
    expect(out()).toBe("\n01 title 01\n    → mesos-execute --name=a\n\n02 title 02\n    → mesos-execute --name=b\n");
  });

  it("an attacker's script of several lines stays indented under its arrow", () => {
    const { bus, out, detach } = plainOnBus();
    bus.emit({ type: "exercise:start", exercise: { id: "03", title: "t", slug: "t" }, steps: 1 });
    bus.emit({
      type: "action:start",
      exercise: "03",
      step: "s",
      action: "rogue",
      detail: "attacker: env A=1 nohup mesos-agent &\ni=0; while …; done\ngrep -E 'x' /tmp/rogue.log",
    });
    detach();
    expect(out()).toBe("\n03 t\n    → attacker: env A=1 nohup mesos-agent &\n      i=0; while …; done\n      grep -E 'x' /tmp/rogue.log\n");
  });

  it("one exercise at a time (--jobs 1) prints every line by the event that makes it, as before", () => {
    const written = feed([...A, ...B, ...C], true);
    let offset = 0;
    const expected = [A, B, C].flatMap((seq) => {
      const alone = feed(seq, true).map((w) => ({ line: w.line, at: w.at + offset }));
      offset += seq.length;
      return alone;
    });
    expect(written).toEqual(expected);
  });
});
