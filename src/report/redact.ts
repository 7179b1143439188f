import type { LabEvent } from "../engine/events.js";

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

/**
 * The one redacting layer between the engine and every reporter (plain, JSON, JUnit, the TUI): each string of the
 * event is redacted, so no reporter sees a secret and none redacts on its own.
 */
export function redactEvent(ev: LabEvent, redact: (s: string) => string): LabEvent {
  return redactDeep(ev, redact);
}
