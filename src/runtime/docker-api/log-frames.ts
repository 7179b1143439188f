/**
 * The engine's log body, read frame by frame. With `timestamps`, Docker and Podman both send one frame per log entry:
 * an 8-byte header (stream, length) and a payload starting with the entry's timestamp. An entry that does not end in
 * a newline is a partial line, continued by the next entry of the same stream: Docker splits lines over 16 KiB, and
 * Podman writes one entry per conmon read, so even a short line can arrive in two entries with a timestamp each.
 * Lines are therefore assembled from entries, never from the raw bytes.
 */

export type StreamName = "stdout" | "stderr";

export interface RawLine {
  stream: StreamName;
  /** The timestamp text of the line's first entry (Docker: nanoseconds; Podman 4: whole seconds). */
  tsText: string;
  /** Parsed timestamp in ms since the epoch on the daemon's clock, NaN when the entry carried none. */
  daemonMs: number;
  text: string;
}

const TS = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)$/;

/** RFC 3339 with any number of fraction digits (Date.parse takes at most milliseconds). */
export function parseTimestamp(text: string): number {
  const m = TS.exec(text);
  if (!m) return NaN;
  return Date.parse(`${m[1]}.${(m[2] ?? "").padEnd(3, "0").slice(0, 3)}${m[3]}`);
}

/** Splits a multiplexed body into entries, across chunk boundaries; a frame cut off at the end is dropped. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly onEntry: (stream: StreamName, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    let i = 0;
    // walked in a loop: docker-modem's demuxStream recurses once per frame and overflows the stack on a chatty log
    while (i + 8 <= this.buf.length) {
      const size = this.buf.readUInt32BE(i + 4);
      if (i + 8 + size > this.buf.length) break;
      this.onEntry(this.buf[i] === 2 ? "stderr" : "stdout", this.buf.subarray(i + 8, i + 8 + size));
      i += 8 + size;
    }
    this.buf = this.buf.subarray(i);
  }
}

/** Joins timestamped entries into lines, per stream. */
export class LineAssembler {
  private pending: Partial<Record<StreamName, { tsText: string; daemonMs: number; text: string }>> = {};

  constructor(private readonly onLine: (line: RawLine) => void) {}

  entry(stream: StreamName, payload: Buffer): void {
    let rest = payload.toString("utf8");
    const sp = rest.indexOf(" ");
    const tsText = sp > 0 ? rest.slice(0, sp) : "";
    const daemonMs = parseTimestamp(tsText);
    if (Number.isFinite(daemonMs)) rest = rest.slice(sp + 1);
    let nl: number;
    while ((nl = rest.indexOf("\n")) >= 0) {
      this.finish(stream, rest.slice(0, nl), tsText, daemonMs);
      rest = rest.slice(nl + 1);
    }
    if (rest.length) {
      const p = this.pending[stream];
      if (p) p.text += rest;
      else this.pending[stream] = { tsText, daemonMs, text: rest };
    }
  }

  private finish(stream: StreamName, tail: string, tsText: string, daemonMs: number): void {
    const p = this.pending[stream];
    this.pending[stream] = undefined;
    const line = p ? { stream, tsText: p.tsText, daemonMs: p.daemonMs, text: p.text + tail } : { stream, tsText, daemonMs, text: tail };
    this.onLine({ ...line, text: line.text.replace(/\r$/, "") });
  }

  /** Ends the unfinished lines: emitted when the log is complete (a last line without a newline), else dropped. */
  end(emit: boolean): void {
    const pending = this.pending;
    this.pending = {};
    if (!emit) return;
    for (const stream of ["stdout", "stderr"] as const) {
      const p = pending[stream];
      if (p) this.onLine({ stream, ...p, text: p.text.replace(/\r$/, "") });
    }
  }
}
