/**
 * Remembers whether a container has printed a line matching one of a few patterns, for its whole life: a readiness
 * check of a container reused from an earlier step must still see the line it printed then, long out of the tail.
 */
export class LineMarks {
  private readonly seen = new Set<RegExp>();
  private readonly waiters = new Map<RegExp, Array<() => void>>();

  constructor(private readonly patterns: readonly RegExp[]) {}

  private readonly once = new Set<{ re: RegExp; resolve: () => void }>();

  feed(line: string): void {
    for (const w of this.once) {
      if (!w.re.test(line)) continue;
      this.once.delete(w);
      w.resolve();
    }
    for (const re of this.patterns) {
      if (this.seen.has(re) || !re.test(line)) continue;
      this.seen.add(re);
      for (const w of this.waiters.get(re) ?? []) w();
      this.waiters.delete(re);
    }
  }

  /** Whether a line has matched `pattern` (one of the patterns given at construction). */
  has(pattern: RegExp): boolean {
    return this.seen.has(pattern);
  }

  /** The next line that matches `re`, from now on (not remembered); `cancel` stops watching for it. */
  next(re: RegExp): { printed: Promise<void>; cancel(): void } {
    let w: { re: RegExp; resolve: () => void } | undefined;
    const printed = new Promise<void>((resolve) => {
      w = { re, resolve };
      this.once.add(w);
    });
    return { printed, cancel: () => void this.once.delete(w!) };
  }

  /** Resolves once a line matched `pattern`, which must be one of the patterns given at construction. */
  printed(pattern: RegExp): Promise<void> {
    if (!this.patterns.includes(pattern)) return Promise.reject(new Error(`the log is not watched for ${pattern}`));
    if (this.seen.has(pattern)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.set(pattern, [...(this.waiters.get(pattern) ?? []), resolve]));
  }
}
