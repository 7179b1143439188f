import type { ExpectationResult, LabEvent } from "../engine/events.js";

/** Secrets never reach a report: every known secret value is replaced, longest first. */
export function redactor(secrets: string[]): (text: string) => string {
  const list = [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  if (list.length === 0) return (t) => t;
  const re = new RegExp(list.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
  return (t) => t.replace(re, "******");
}

/** Every string in a value, at any depth, redacted; everything else as it was (a copy only where something changed). */
function redactDeep<T>(value: T, redact: (s: string) => string): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) {
    const out = value.map((v: unknown) => redactDeep(v, redact));
    return (out.some((v, i) => v !== value[i]) ? out : value) as T;
  }
  if (value && typeof value === "object") {
    let copy: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(value)) {
      const r = redactDeep(v, redact);
      if (r !== v) (copy ??= { ...(value as Record<string, unknown>) })[k] = r;
    }
    return (copy ?? value) as T;
  }
  return value;
}

/** What the attacker's host printed and what its relay recorded: the evidence of an exploit. */
const fromAttacker = (source: string) => /^(attacker|relay)[ :]/.test(source);

/** An attack's evidence keeps the secret it stole (that is the lesson) and says so; everything else is redacted. */
function redactResult(r: ExpectationResult, redact: (s: string) => string): ExpectationResult {
  if (!fromAttacker(r.source)) return redactDeep(r, redact);
  const { matched, closest, ...rest } = r;
  const out = { ...redactDeep(rest, redact), ...(matched === undefined ? {} : { matched }), ...(closest === undefined ? {} : { closest }) };
  const stole = [matched, ...(closest ?? [])].some((t) => t !== undefined && redact(t) !== t);
  return stole ? { ...out, stolen: true } : out;
}

/**
 * The one redacting layer between the engine and every reporter (plain, JSON, JUnit, the TUI): each string of the
 * event is redacted, so no reporter sees a secret and none redacts on its own. The one exception is an exploit's
 * evidence (the attacker's output, the relay's recording, the expectations that read them): a secret it stole is
 * shown on purpose, and the result that shows one is marked `stolen`.
 */
export function redactEvent(ev: LabEvent, redact: (s: string) => string): LabEvent {
  if (ev.type === "log" && (ev.role === "attacker" || ev.role === "relay")) return ev;
  if (ev.type === "expectation") return { ...ev, result: redactResult(ev.result, redact) };
  if (ev.type === "step:end") {
    const { expectations, ...rest } = ev.result;
    return { ...ev, result: { ...redactDeep(rest, redact), expectations: expectations.map((r) => redactResult(r, redact)) } };
  }
  return redactDeep(ev, redact);
}
