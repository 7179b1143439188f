import type { ExpectationResult, LabEvent, StreamTail } from "../engine/events.js";

/** The TUI shows the same text the reports would, so secrets are replaced before an event reaches the screen. */
export function redactEvent(ev: LabEvent, redact: (s: string) => string): LabEvent {
  const exp = (e: ExpectationResult): ExpectationResult => ({ ...e, matched: e.matched && redact(e.matched), closest: e.closest?.map(redact), reason: e.reason && redact(e.reason) });
  const stream = (t: StreamTail): StreamTail => ({ ...t, head: t.head.map(redact), tail: t.tail.map(redact) });
  switch (ev.type) {
    case "log":
      return { ...ev, text: redact(ev.text) };
    case "expectation":
      return { ...ev, result: exp(ev.result) };
    case "step:end":
      return { ...ev, result: { ...ev.result, error: ev.result.error && redact(ev.result.error), expectations: ev.result.expectations.map(exp), died: ev.result.died?.map((d) => ({ ...d, command: d.command && redact(d.command), stderr: stream(d.stderr), stdout: stream(d.stdout) })) } };
    case "action:start":
    case "action:end":
      return { ...ev, detail: redact(ev.detail) };
    default:
      return ev;
  }
}
