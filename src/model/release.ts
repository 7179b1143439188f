import { z } from "zod";

/**
 * Mesos releases as the catalogue compares them: `1.4`, `1.4.2`, `1.11.1`. What holds for a range of releases (an
 * expectation, a step, an exercise, an env delta or a citation) says so with `since` (inclusive) and `until`
 * (exclusive); a profile runs everything whose range covers its release, so a new profile inherits every expectation
 * whose range covers it.
 */

export const releaseSchema = z.string().regex(/^\d+\.\d+(\.\d+)?$/, "a Mesos release like 1.11 or 1.4.2");

/** `since` (inclusive) and `until` (exclusive) on the release; either may be left open. */
export const rangeShape = { since: releaseSchema.optional(), until: releaseSchema.optional() };
export interface ReleaseRange {
  since?: string;
  until?: string;
}

function parts(release: string): number[] {
  const p = release.split(".").map(Number);
  return [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0];
}

/** Negative when a is older than b, 0 when they are the same release (`1.4` is `1.4.0`), positive when newer. */
export function compareReleases(a: string, b: string): number {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

export function inRange(range: ReleaseRange, release: string): boolean {
  return (range.since === undefined || compareReleases(release, range.since) >= 0) && (range.until === undefined || compareReleases(release, range.until) < 0);
}

/** `since 1.10`, `until 1.4.2`, `1.5 to 1.10`, or `every release`. */
export function describeRange(range: ReleaseRange): string {
  if (range.since && range.until) return `${range.since} to ${range.until} (exclusive)`;
  if (range.since) return `since ${range.since}`;
  if (range.until) return `until ${range.until} (exclusive)`;
  return "every release";
}

/** An empty range (since ≥ until) runs nowhere: it is a mistake, named by the schemas. */
export function emptyRange(range: ReleaseRange): boolean {
  return range.since !== undefined && range.until !== undefined && compareReleases(range.since, range.until) >= 0;
}

/**
 * Whether `parts` split `whole` without a gap or an overlap, in order: the first starts where `whole` starts (or
 * earlier), each starts where the one before ends, the last ends where `whole` ends (or later).
 */
export function partitions(parts: ReleaseRange[], whole: ReleaseRange): boolean {
  if (parts.length === 0) return false;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  const startsInTime = first.since === undefined || (whole.since !== undefined && compareReleases(first.since, whole.since) <= 0);
  const endsInTime = last.until === undefined || (whole.until !== undefined && compareReleases(last.until, whole.until) >= 0);
  const joined = parts.slice(1).every((p, i) => p.since !== undefined && parts[i]!.until !== undefined && compareReleases(p.since, parts[i]!.until!) === 0);
  return startsInTime && endsInTime && joined && parts.every((p) => !emptyRange(p));
}
