export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Reads `read` every `everyMs` until `done` holds on what it read, and returns that. After `timeoutMs` it throws
 * `failure(last)`, so the test says what it waited for and what it saw instead. Between reads it waits with `pause`
 * (`sleep` unless given): a pause that returns early once what is awaited may have changed (a new log line) makes the
 * poll react at once while `everyMs` stays the longest wait.
 */
export async function pollUntil<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  o: { timeoutMs: number; everyMs?: number; pause?: (ms: number) => Promise<void>; failure: (last: T) => string },
): Promise<T> {
  const end = Date.now() + o.timeoutMs;
  const pause = o.pause ?? sleep;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(o.failure(value));
    await pause(o.everyMs ?? 50);
  }
}
