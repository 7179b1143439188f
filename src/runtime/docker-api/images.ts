import type { Readable } from "node:stream";
import { LabError } from "../../util/errors.js";
import type { ImageClient } from "../container-runtime.js";
import type { ImageFacts, PullProgress } from "../types.js";
import { type EngineConnection, withTimeout } from "./connection.js";
import { errorText, isConnectionError, tolerate, unreachable } from "./engine-errors.js";

export class DockerApiImages implements ImageClient {
  constructor(private readonly c: EngineConnection) {}

  async inspect(ref: string): Promise<ImageFacts | undefined> {
    const i = (await this.c.guard(() => this.c.docker.getImage(ref).inspect().catch(tolerate(404)))) as
      | { Id: string; Architecture: string; Os: string; Config?: { Labels?: Record<string, string> | null; User?: string } }
      | undefined;
    return i && { id: i.Id, arch: i.Architecture, os: i.Os, labels: i.Config?.Labels ?? {}, user: i.Config?.User ?? "" };
  }

  /**
   * A failure the engine reports inside the progress stream (Podman answers 200 and then `{"error": …}` for an
   * unreachable registry; Docker does so for one that fails mid-pull) fails the pull. Podman sends no closing
   * "Status:" line, so one is added as Docker's.
   */
  async pull(ref: string, onProgress: (p: PullProgress) => void, timeoutMs: number): Promise<void> {
    const { docker } = this.c;
    const run = async () => {
      const stream = (await docker.pull(ref)) as Readable;
      let failure: string | undefined;
      let closed = false;
      await new Promise<void>((resolve, reject) => {
        docker.modem.followProgress(
          stream,
          (err: Error | null) => (err ? reject(err) : failure ? reject(new Error(failure)) : resolve()),
          (ev: { id?: string; status?: string; progressDetail?: { current?: number; total?: number }; error?: string }) => {
            if (ev.error) return void (failure ??= ev.error);
            if (/^Status: /.test(ev.status ?? "")) closed = true;
            // "Pulling from <repo>" carries the tag as its id: it is not a layer
            const layer = ev.id && !/^Pulling from /.test(ev.status ?? "") ? ev.id : undefined;
            onProgress({ image: ref, layer, status: ev.status ?? "", current: ev.progressDetail?.current, total: ev.progressDetail?.total });
          },
        );
      });
      // only missing images are pulled (lab/images.ts), so what arrived is newer
      if (!closed) onProgress({ image: ref, status: `Status: Downloaded newer image for ${ref}` });
    };
    try {
      await withTimeout(run(), timeoutMs, () => new Error(`pull did not finish within ${Math.round(timeoutMs / 1000)} s`));
    } catch (err) {
      // a connection error to the *daemon* (not the registry) means the engine itself went away
      if (isConnectionError(err) && !/registry|lookup/.test(errorText(err))) throw unreachable(err, this.c.host);
      throw new LabError(
        "imageMissing",
        `Could not pull ${ref}: ${errorText(err).split("\n")[0]}`,
        "Check the registry is reachable (or run `mesos-lab bundle import <file>` with an offline bundle) and retry `mesos-lab pull`.",
        { cause: err },
      );
    }
  }

  async save(refs: string[]): Promise<Readable> {
    // docker-modem builds the query from `options` (an array repeats `names=`); a query written into `path` by
    // hand loses its last character when `options` is empty
    const opts = {
      path: "/images/get?",
      options: { names: refs },
      method: "GET",
      isStream: true,
      statusCodes: { 200: true, 404: "no such image", 500: "server error" },
    };
    return this.c.guard(
      () =>
        new Promise<Readable>((resolve, reject) => {
          this.c.docker.modem.dial(opts, (err: Error | null, stream: unknown) => (err ? reject(err) : resolve(stream as Readable)));
        }),
    );
  }

  async load(tar: Readable): Promise<string[]> {
    const chunks: Buffer[] = [];
    await this.c.guard(async () => {
      const out = (await this.c.docker.loadImage(tar, { quiet: true })) as Readable;
      for await (const c of out) chunks.push(Buffer.from(c as Buffer));
    });
    const loaded: string[] = [];
    for (const line of Buffer.concat(chunks).toString("utf8").split("\n")) {
      if (!line.trim()) continue;
      const msg = JSON.parse(line) as { stream?: string; error?: string };
      if (msg.error) throw new Error(msg.error);
      const m = /Loaded image(?: ID)?: (\S+)/.exec(msg.stream ?? "");
      if (m?.[1]) loaded.push(m[1]);
    }
    return loaded;
  }
}
