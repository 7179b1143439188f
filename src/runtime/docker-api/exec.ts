import type { Readable } from "node:stream";
import type { ExecClient, ExecResult } from "../container-runtime.js";
import { type EngineConnection, withTimeout } from "./connection.js";
import { FrameReader } from "./log-frames.js";

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
}
