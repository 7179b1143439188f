/**
 * The daemon's clock minus ours, from its SystemTime read between `t0` and `t1` (local): it lies within
 * [SystemTime - t1, SystemTime - t0], and the value of that range nearest to 0 is taken. A local engine shares our
 * clock and gets exactly 0 however slowly it answered; the midpoint was off by half the round trip, seconds for a
 * loaded Podman, which moved lines across `since` and the runner's step start.
 */
export function skewWithin(daemonNow: number, t0: number, t1: number): number {
  if (!Number.isFinite(daemonNow)) return 0;
  return Math.min(Math.max(0, daemonNow - t1), daemonNow - t0);
}
