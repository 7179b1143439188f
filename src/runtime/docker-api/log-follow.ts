import type { Readable } from "node:stream";
import type Docker from "dockerode";
import { FrameReader, LineAssembler, type RawLine } from "./log-frames.js";
import type { LogFollow } from "../container-runtime.js";
import type { LogLine } from "../types.js";

const OPTS = { stdout: true, stderr: true, timestamps: true } as const;
/** A follow cut while the container runs is resumed at most this often (a flaky proxy must not loop forever). */
const MAX_RESUMES = 50;
/** A follow quiet this long asks whether its container has ended (see followLogs). */
export const QUIET_CHECK_MS = 3_000;

/** Ended for good: not running, and not about to (created, or between a restart's exit and its start). */
function exited(i: { State?: { Running?: boolean; Restarting?: boolean; Paused?: boolean; Status?: string } }): boolean {
  const s = i.State ?? {};
  return !s.Running && !s.Restarting && !s.Paused && !["created", "configured", "initialized"].includes(String(s.Status ?? ""));
}

/**
 * The local time of a line. Docker stamps entries in nanoseconds; Podman 4's compat API in whole seconds, which would
 * put a line up to a second before it was written (and the runner ignores lines from before its step began). A
 * whole-second stamp is therefore refined with the stamp the process wrote into the line (Mesos' and ZooKeeper's
 * logs), else with the time the line arrived, kept within that second: exact for a live line, the end of its second
 * for one read back later.
 */
export function localTime(l: RawLine, skewMs: number, arrivedAt: number): number {
  if (!Number.isFinite(l.daemonMs)) return arrivedAt;
  const t = l.daemonMs - skewMs;
  if (l.tsText.includes(".")) return t;
  const written = writtenInSecond(l.text, l.daemonMs);
  return written === undefined ? Math.min(t + 999, Math.max(t, arrivedAt)) : written - skewMs;
}

/**
 * glog's `I1207 19:40:13.814993` (Mesos) and `2026-12-07 19:40:13,874` (ZooKeeper's C client and server): the
 * process's own clock, in its time zone, when it wrote the line.
 */
const OWN_STAMP = /^(?:[IWEF]\d{4} \d\d:\d\d:(\d\d)\.(\d{3})|\d{4}-\d\d-\d\d \d\d:\d\d:(\d\d),(\d{3}))/;

/**
 * When a line was written, on the daemon's clock, from the stamp the process put in it, given the whole second the
 * engine stamped it with; undefined for a line without one. An engine stamps a line when it reads it, so at or after
 * the write: the write fell in that second or the one before. The process's seconds and milliseconds tell which, and
 * where in it: time zones differ by whole minutes, and containers read the engine's clock.
 *
 * Arrival alone is not enough: a line that Podman's follow delivers late (a re-read, a loaded machine) would count
 * as written then. A rootless Podman run put the previous step's agent's `Registered with master` into the next
 * step that way, where a negative expectation forbids it (exercise 05, not-permissive).
 */
function writtenInSecond(text: string, daemonMs: number): number | undefined {
  const m = OWN_STAMP.exec(text);
  if (!m) return undefined;
  const sec = Number(m[1] ?? m[3]);
  const ms = Number(m[2] ?? m[4]);
  const second = Math.floor(daemonMs / 1000);
  for (const back of [0, 1]) if ((second - back) % 60 === sec) return (second - back) * 1000 + ms;
  return undefined;
}

/**
 * Follows stdout+stderr from `sinceMs` (local clock; `skewMs` is the daemon's clock minus the local one).
 *
 * A follow that ends while the container still runs (a dropped connection) is resumed from the last second seen; one
 * that ends with the container is completed by one plain read of the log from that second: the engine's follow can
 * end before the container's last lines are read (seen with Docker 20.10: mesos-execute's final status lines missing
 * while its exit was reported). Every re-read starts at a whole second, so it repeats lines already delivered: the
 * lines of the latest second are counted (text, stream and timestamp; Podman's whole-second stamps make identical
 * lines in one second look alike, hence counts, not a set) and that many are skipped again.
 *
 * With `lossyFollow` (Podman, see RuntimeQuirks) the followed stream only rings the bell: each time it brings
 * something, the lines are taken from a plain read of the log from the last second seen, in order and complete.
 *
 * The follow is not waited for: Podman answers a follow only once there is a line to send, so a container silent
 * since `sinceMs` would hold up the caller. The container is inspected instead, so that a missing container or engine
 * still fails the call.
 *
 * An engine's follow can also miss its container's exit and stay open for good: Podman ends it on the container's
 * `died` event, and a follow that subscribes just after the exit waits for an event already past (the race its
 * k8s-file follow has had since podman#6531 and #10596). A follow quiet for QUIET_CHECK_MS therefore inspects the
 * container; one that has ended has its follow cut, and the usual plain read completes it.
 */
export async function followLogs(container: Docker.Container, opts: { sinceMs: number; skewMs: number; lossyFollow: boolean }): Promise<LogFollow> {
  const { sinceMs, skewMs, lossyFollow } = opts;
  await container.inspect();
  const lineCbs: Array<(l: LogLine) => void> = [];
  const endCbs: Array<() => void> = [];
  let ended = false;
  let closed = false;
  // the follow request under way (aborted by close) and its stream once answered
  let request = new AbortController();
  let current: Readable | undefined;
  let resumes = 0;
  let heardAt = Date.now();
  // the latest second (daemon clock) a line was delivered in, and how often each line was delivered in it; older
  // seconds are forgotten to keep a chatty stream's memory flat
  let lastSecond = Math.floor((sinceMs + skewMs) / 1000);
  let counts = new Map<string, number>();
  // while re-reading: the second it starts at, and how many of each line of that second to skip
  let replay: { second: number; skip: Map<string, number> } | undefined;
  const startReplay = () => (replay = { second: lastSecond, skip: new Map(counts) });

  const deliver = (l: RawLine, arrivedAt = Date.now()) => {
    if (closed) return;
    const second = Number.isFinite(l.daemonMs) ? Math.floor(l.daemonMs / 1000) : lastSecond;
    const key = `${l.stream} ${l.tsText} ${l.text}`;
    if (replay && second <= replay.second) {
      if (second < replay.second) return;
      const n = replay.skip.get(key) ?? 0;
      if (n > 0) return void replay.skip.set(key, n - 1);
    }
    if (second > lastSecond) {
      lastSecond = second;
      counts = new Map();
    }
    if (second === lastSecond) counts.set(key, (counts.get(key) ?? 0) + 1);
    const ts = localTime(l, skewMs, arrivedAt);
    if (ts < sinceMs) return;
    for (const cb of lineCbs) cb({ stream: l.stream, text: l.text, ts });
  };

  const end = () => {
    if (ended) return;
    ended = true;
    endCbs.forEach((cb) => cb());
  };

  /** One plain read from the last second seen; a last line without its newline waits for the next read unless `final`. */
  const readBack = async (final: boolean) => {
    const body = (await container.logs({ ...OPTS, follow: false, since: lastSecond })) as unknown;
    startReplay();
    const at = Date.now();
    const lines = new LineAssembler((l) => deliver(l, at));
    new FrameReader((s, p) => lines.entry(s, p)).push(Buffer.isBuffer(body) ? body : Buffer.alloc(0));
    lines.end(final);
  };

  // the bell: one read at a time, and one more after it when the stream brought something meanwhile
  let reading: Promise<void> | undefined;
  let rung = false;
  const ring = () => {
    rung = true;
    reading ??= (async () => {
      while (rung && !closed) {
        rung = false;
        await readBack(false).catch(() => undefined);
      }
      reading = undefined;
    })();
  };

  /** Follows from `sinceSecond` (daemon clock); a refused or failed request counts as a stream that ended. */
  const open = (sinceSecond: number) => {
    request = new AbortController();
    (container.logs({ ...OPTS, follow: true, since: sinceSecond, abortSignal: request.signal }) as unknown as Promise<Readable>).then(
      (stream) => {
        if (closed) return void stream.destroy();
        current = stream;
        read(stream);
      },
      () => void afterStream(new LineAssembler(deliver)),
    );
  };

  const afterStream = async (lines: LineAssembler) => {
    await reading;
    if (closed) return end();
    const running = await container.inspect().then(
      (i: { State?: { Running?: boolean } }) => !!i.State?.Running,
      () => false,
    );
    if (closed) return end();
    if (running && resumes++ < MAX_RESUMES) {
      // the re-read delivers a cut partial line again, whole
      lines.end(false);
      await new Promise((r) => setTimeout(r, 100));
      if (closed) return end();
      startReplay();
      return open(lastSecond);
    }
    // the plain read delivers the follow's unfinished last line again, whole; without it (the container is gone)
    // what the follow had is all there is
    await readBack(true).then(
      () => lines.end(false),
      () => lines.end(true),
    );
    return end();
  };

  function read(stream: Readable) {
    const lines = new LineAssembler(deliver);
    const frames = new FrameReader((s, p) => lines.entry(s, p));
    stream.on("data", (chunk: Buffer) => {
      heardAt = Date.now();
      if (closed) return;
      if (lossyFollow) ring();
      else frames.push(chunk);
    });
    let over = false;
    const onOver = () => {
      if (over) return;
      over = true;
      void afterStream(lines);
    };
    stream.on("end", onOver);
    stream.on("close", onOver);
    stream.on("error", onOver);
  }

  // an exited container's follow the engine never ends: cut, so that afterStream completes it
  let checking = false;
  const cut = () => {
    heardAt = Date.now();
    request.abort();
    current?.destroy();
  };
  const watchdog = setInterval(() => {
    if (ended || closed) return void clearInterval(watchdog);
    if (checking || Date.now() - heardAt < QUIET_CHECK_MS) return;
    checking = true;
    void container
      .inspect()
      .then(
        (i) => {
          if (!ended && !closed && exited(i as Parameters<typeof exited>[0]) && Date.now() - heardAt >= QUIET_CHECK_MS) cut();
        },
        // removed: nothing more can come
        (err: { statusCode?: number }) => {
          if (err?.statusCode === 404 && !ended && !closed) cut();
        },
      )
      .finally(() => (checking = false));
  }, QUIET_CHECK_MS / 3);
  watchdog.unref();
  endCbs.push(() => clearInterval(watchdog));

  open(lastSecond);
  return {
    onLine: (cb) => void lineCbs.push(cb),
    onEnd: (cb) => (ended ? setImmediate(cb) : void endCbs.push(cb)),
    close: () => {
      closed = true;
      request.abort();
      current?.destroy();
      end();
    },
    get ended() {
      return ended;
    },
  };
}
