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
  /** Resolves once the container has printed a line matching one of the patterns its role remembers (see `RunningContainer`). */
  printed?: (pattern: RegExp) => Promise<void>;
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

/**
 * What a ZooKeeper server answers to `srvr` once it serves: its mode. `srvr` is the one four-letter word that ZooKeeper
 * 3.5+ answers at its default `4lw.commands.whitelist` (`ruok` gets "ruok is not executed because it is not in the
 * whitelist."); 3.4 answers it too.
 */
export const ZK_SERVING = /^Mode: (standalone|leader|follower)$/m;

export const Wait = {
  forZooKeeper(containerPort: number): WaitStrategy {
    return {
      describe: () => `'srvr' on ${containerPort} → 'Mode: standalone|leader|follower'`,
      waitUntilReady: (ctx) =>
        poll(ctx, "ZooKeeper srvr", async () => {
          const reply = await fourLetterWord(ctx.host, ctx.port(containerPort), "srvr", 1000);
          if (ZK_SERVING.test(reply)) return true;
          throw new Error(reply ? `srvr answered '${reply.split("\n")[0]}'` : "srvr got no answer");
        }),
    };
  },
  forLogLine(pattern: RegExp, what: string): WaitStrategy {
    return {
      describe: () => what,
      waitUntilReady: async (ctx) => {
        if (!ctx.printed) throw new Error(`cannot watch the log for ${what}`);
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${what}: not seen before the deadline`)), Math.max(0, ctx.deadline - Date.now()));
        });
        await Promise.race([ctx.printed(pattern), late, ctx.aborted]).finally(() => clearTimeout(timer));
      },
    };
  },
  forHttp(containerPort: number, path: string, opts: Omit<HttpRequest, "host" | "port" | "path" | "method" | "timeoutMs"> & { status?: number }): WaitStrategy {
    const want = opts.status ?? 200;
    return {
      describe: () => `${opts.tls ? "https" : "http"} GET ${path} → ${want}`,
      waitUntilReady: (ctx) =>
        poll(
          ctx,
          `GET ${path}`,
          async () => (await request({ ...opts, host: ctx.host, port: ctx.port(containerPort), path, method: "GET", timeoutMs: 1500 })).status === want,
          150,
        ),
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
