import { fourLetterWord, request, type HttpRequest } from "./http.js";

/**
 * Readiness strategies as small composable objects, like testcontainers' `Wait.*`: each polls one probe until it
 * holds, the deadline passes, or `abort` says the container died (fail fast, not at the timeout).
 */
export interface WaitContext {
  host: string;
  port: (containerPort: number) => number;
  /** Rejects (with the reason) as soon as the container has exited. */
  aborted: Promise<never>;
  deadline: number;
}

export interface WaitStrategy {
  describe(): string;
  waitUntilReady(ctx: WaitContext): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function poll(ctx: WaitContext, what: string, probe: () => Promise<boolean>, intervalMs = 100): Promise<void> {
  let last = "";
  const loop = (async () => {
    for (;;) {
      try {
        if (await probe()) return;
        last = "";
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() > ctx.deadline) throw new Error(`${what} not ready before the deadline${last ? ` (last error: ${last})` : ""}`);
      await sleep(intervalMs);
    }
  })();
  await Promise.race([loop, ctx.aborted]);
}

export const Wait = {
  forFourLetterWord(containerPort: number, word: string, reply: string): WaitStrategy {
    return {
      describe: () => `'${word}' → '${reply}' on ${containerPort}`,
      waitUntilReady: (ctx) => poll(ctx, `ZooKeeper ${word}`, async () => (await fourLetterWord(ctx.host, ctx.port(containerPort), word, 1000)) === reply),
    };
  },
  forHttp(containerPort: number, path: string, opts: Omit<HttpRequest, "host" | "port" | "path" | "method" | "timeoutMs"> & { status?: number }): WaitStrategy {
    const want = opts.status ?? 200;
    return {
      describe: () => `${opts.tls ? "https" : "http"} GET ${path} → ${want}`,
      waitUntilReady: (ctx) =>
        poll(ctx, `GET ${path}`, async () => (await request({ ...opts, host: ctx.host, port: ctx.port(containerPort), path, method: "GET", timeoutMs: 1500 })).status === want, 150),
    };
  },
  all(strategies: WaitStrategy[]): WaitStrategy {
    return {
      describe: () => strategies.map((s) => s.describe()).join(" and "),
      waitUntilReady: async (ctx) => {
        await Promise.all(strategies.map((s) => s.waitUntilReady(ctx)));
      },
    };
  },
  none(): WaitStrategy {
    return { describe: () => "no readiness check", waitUntilReady: async () => undefined };
  },
};
