export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Reads `read` every `everyMs` until `done` holds on what it read, and returns that. After `timeoutMs` it throws
 * `failure(last)`, so the test says what it waited for and what it saw instead.
 */
export async function pollUntil<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  o: { timeoutMs: number; everyMs?: number; failure: (last: T) => string },
): Promise<T> {
  const end = Date.now() + o.timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(o.failure(value));
    await sleep(o.everyMs ?? 50);
  }
}
