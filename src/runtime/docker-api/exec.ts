import type { Readable } from "node:stream";
import type { ExecClient, ExecProcess, ExecResult, LogFollow } from "../container-runtime.js";
import type { LogLine } from "../types.js";
import { type EngineConnection, withTimeout } from "./connection.js";
import { FrameReader, type StreamName } from "./log-frames.js";

export class DockerApiExec implements ExecClient {
  constructor(private readonly c: EngineConnection) {}

  async run(id: string, cmd: string[], timeoutMs = 15_000): Promise<ExecResult> {
    const ex = await this.c.guard(() => this.c.docker.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true }));
    const stream = (await this.c.guard(() => ex.start({ hijack: true, stdin: false }))) as Readable;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const frames = new FrameReader((s, payload) => (s === "stderr" ? err : out).push(payload));
    stream.on("data", (c: Buffer) => frames.push(c));
    await withTimeout(
      new Promise<void>((resolve) => {
        stream.on("end", resolve);
        stream.on("close", resolve);
      }),
      timeoutMs,
      () => new Error(`exec ${cmd.join(" ")} did not finish within ${timeoutMs} ms`),
    ).catch((er) => {
      stream.destroy();
      throw er;
    });
    const info = await this.c.guard(() => ex.inspect());
    return { exitCode: info.ExitCode ?? -1, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
  }

  async start(id: string, cmd: string[], env: Record<string, string>): Promise<ExecProcess> {
    const Env = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    const ex = await this.c.guard(() => this.c.docker.getContainer(id).exec({ Cmd: cmd, Env, AttachStdout: true, AttachStderr: true }));
    const stream = (await this.c.guard(() => ex.start({ hijack: true, stdin: false }))) as Readable;
    const lineCbs: Array<(l: LogLine) => void> = [];
    const endCbs: Array<() => void> = [];
    let closed = false;
    let ended = false;
    const pending: Record<StreamName, string> = { stdout: "", stderr: "" };
    const emit = (stream: StreamName, text: string) => {
      if (closed) return;
      const line = { stream, text: text.replace(/\r$/, ""), ts: Date.now() };
      for (const cb of lineCbs) cb(line);
    };
    // the attached stream carries no timestamps: lines are split from the raw payloads, per stream
    const frames = new FrameReader((s, payload) => {
      const parts = (pending[s] + payload.toString("utf8")).split("\n");
      pending[s] = parts.pop()!;
      for (const p of parts) emit(s, p);
    });
    let done: () => void = () => undefined;
    const finished = new Promise<void>((r) => (done = r));
    const end = () => {
      if (ended) return;
      ended = true;
      for (const s of ["stdout", "stderr"] as const) if (pending[s]) emit(s, pending[s]);
      done();
      if (!closed) for (const cb of endCbs) cb();
    };
    stream.on("data", (c: Buffer) => frames.push(c));
    stream.on("end", end);
    stream.on("close", end);
    stream.on("error", end);
    const follow: LogFollow = {
      onLine: (cb) => void lineCbs.push(cb),
      onEnd: (cb) => (ended ? cb() : void endCbs.push(cb)),
      close: () => {
        closed = true;
        stream.destroy();
      },
      get ended() {
        return ended;
      },
    };
    // the output ends as the process exits; the engine may take a moment more to record its status
    const exit = finished.then(async () => {
      for (let i = 0; i < 50; i++) {
        const info = await this.c.guard(() => ex.inspect()).catch(() => undefined);
        if (!info) return -1;
        if (!info.Running && info.ExitCode !== null && info.ExitCode !== undefined) return info.ExitCode;
        await new Promise((r) => setTimeout(r, 20));
      }
      return -1;
    });
    return { follow, exit };
  }
}
