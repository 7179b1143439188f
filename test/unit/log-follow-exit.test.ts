import { PassThrough, type Readable } from "node:stream";
import type Docker from "dockerode";
import { describe, expect, it } from "vitest";
import { QUIET_CHECK_MS, followLogs } from "../../src/runtime/docker-api/log-follow.js";
import type { LogLine } from "../../src/runtime/types.js";
import { sleep } from "../helpers/wait.js";

/** One multiplexed stdout frame of the engine's log body, timestamped as Docker does. */
const frame = (text: string, at = new Date()) => {
  const payload = Buffer.from(`${at.toISOString().replace("Z", "000000Z")} ${text}\n`);
  const head = Buffer.alloc(8);
  head[0] = 1;
  head.writeUInt32BE(payload.length, 4);
  return Buffer.concat([head, payload]);
};

type Follow = "answers, never ends" | "never answers";

/**
 * A container as the engine shows it, whose follow never ends by itself (an engine that missed the exit, as Podman's
 * follow can): `state` is what inspect says; the plain read returns every line written.
 */
function container(follow: Follow, lines: string[], state: { running: boolean; status: string; gone?: boolean }) {
  const at = new Date();
  const body = () => Buffer.concat(lines.map((l) => frame(l, at)));
  const follows: Readable[] = [];
  const fake = {
    inspect: async () => {
      if (state.gone) throw Object.assign(new Error("no such container"), { statusCode: 404 });
      return { State: { Running: state.running, Status: state.status } };
    },
    logs: async (opts: { follow: boolean; abortSignal?: AbortSignal }) => {
      if (!opts.follow) return body();
      if (follow === "never answers") return new Promise((_, reject) => opts.abortSignal?.addEventListener("abort", () => reject(new Error("aborted"))));
      const s = new PassThrough();
      s.write(body());
      follows.push(s);
      return s;
    },
  };
  return { container: fake as unknown as Docker.Container, follows };
}

const collect = async (c: Docker.Container) => {
  const got: LogLine[] = [];
  const f = await followLogs(c, { sinceMs: 0, skewMs: 0, lossyFollow: false });
  f.onLine((l) => got.push(l));
  const ended = new Promise<number>((r) => f.onEnd(() => r(Date.now())));
  return { got, ended, f };
};

describe.concurrent("a follow the engine never ends (log-follow.ts)", { timeout: 20_000 }, () => {
  it("ends once the quiet container is seen exited, every line delivered once", async () => {
    const { container: c } = container("answers, never ends", ["one", "two"], { running: false, status: "exited" });
    const t0 = Date.now();
    const { got, ended } = await collect(c);
    const at = await ended;
    expect(got.map((l) => l.text)).toEqual(["one", "two"]);
    expect(at - t0).toBeGreaterThanOrEqual(QUIET_CHECK_MS);
    expect(at - t0).toBeLessThan(QUIET_CHECK_MS * 3);
  });

  it("a follow request never answered (a silent container) ends too, once it has exited", async () => {
    const { container: c } = container("never answers", ["only"], { running: false, status: "exited" });
    const { got, ended } = await collect(c);
    await ended;
    expect(got.map((l) => l.text)).toEqual(["only"]);
  });

  it("a quiet container still running, or created and not yet started, keeps its follow; its exit then ends it", async () => {
    const state = { running: false, status: "created" };
    const { container: c } = container("answers, never ends", ["up"], state);
    const { ended, f } = await collect(c);
    await sleep(QUIET_CHECK_MS * 1.5);
    expect(f.ended).toBe(false);
    Object.assign(state, { running: true, status: "running" });
    await sleep(QUIET_CHECK_MS * 1.5);
    expect(f.ended).toBe(false);
    Object.assign(state, { running: false, status: "exited" });
    await ended;
    expect(f.ended).toBe(true);
  });

  it("a container removed after the follow began ends its follow", async () => {
    const state = { running: true, status: "running", gone: false };
    const { container: c } = container("never answers", ["last"], state);
    const { ended, f } = await collect(c);
    state.gone = true;
    await ended;
    expect(f.ended).toBe(true);
  });
});
