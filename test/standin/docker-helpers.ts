/**
 * Small dockerode helpers for the stand-in's own tests: a labelled /24 network, containers with files copied in
 * before start, followed logs with waiters, and a one-shot run that returns exit code, stdout and stderr apart.
 */
import crypto from "node:crypto";
import { PassThrough } from "node:stream";
import type Docker from "dockerode";
import { pack } from "tar-stream";
import { createRuntime } from "../../src/runtime/factory.js";
import { engineClient } from "../helpers/docker.js";
import { pollUntil } from "../helpers/wait.js";

const runtime = createRuntime();

export const TEST_LABEL = "io.mesos-lab.test";
export const RUN_LABEL = "io.mesos-lab.test-run";

export interface PlacedFile {
  path: string;
  content: string | Buffer;
  mode?: number;
}

export class Lab {
  readonly docker: Docker;
  readonly run = crypto.randomUUID().slice(0, 8);
  readonly labels: Record<string, string>;
  network?: { id: string; name: string; prefix: string };

  constructor(docker = engineClient()) {
    this.docker = docker;
    this.labels = { [TEST_LABEL]: "standin", [RUN_LABEL]: this.run };
  }

  /** A bridge network on the first free 10.213.N.0/24 (N from a per-process start so parallel runs spread out). */
  async createNetwork(): Promise<void> {
    const nets = (await this.docker.listNetworks()) as Array<{ IPAM?: { Config?: Array<{ Subnet?: string }> | null } }>;
    const used = new Set(nets.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet)));
    const start = 100 + (process.pid % 100);
    for (let i = 0; i < 150; i++) {
      const n = 100 + ((start - 100 + i) % 150);
      const subnet = `10.213.${n}.0/24`;
      if (used.has(subnet)) continue;
      const name = `standin-test-${this.run}`;
      try {
        const net = await this.docker.createNetwork({
          Name: name,
          Driver: "bridge",
          Labels: this.labels,
          IPAM: { Driver: "default", Config: [{ Subnet: subnet, Gateway: `10.213.${n}.1` }] },
        });
        this.network = { id: net.id, name, prefix: `10.213.${n}.` };
        return;
      } catch (e) {
        if (!/overlap|already/i.test(String((e as Error).message))) throw e;
      }
    }
    throw new Error("no free 10.213.N.0/24 subnet");
  }

  ip(host: number): string {
    return `${this.network!.prefix}${host}`;
  }

  async putFiles(c: Docker.Container, files: PlacedFile[]): Promise<void> {
    const p = pack();
    for (const f of files)
      p.entry({ name: f.path.replace(/^\//, ""), mode: f.mode ?? 0o644 }, typeof f.content === "string" ? Buffer.from(f.content) : f.content);
    p.finalize();
    await c.putArchive(p as unknown as NodeJS.ReadableStream, { path: "/" });
  }

  async start(opts: {
    name: string;
    image: string;
    host: number;
    aliases?: string[];
    env?: Record<string, string>;
    cmd?: string[];
    files?: PlacedFile[];
    init?: boolean;
  }): Promise<Running> {
    const c = await this.docker.createContainer({
      name: `standin-${this.run}-${opts.name}`,
      Image: opts.image,
      Env: Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
      Cmd: opts.cmd,
      Labels: this.labels,
      Hostname: opts.aliases?.[0] ?? opts.name,
      // GroupAdd 0: Docker gives root's process group 0 as a supplementary group (`id` prints groups=0(root)), Podman does not
      HostConfig: { NetworkMode: this.network!.name, Init: opts.init ?? false, GroupAdd: ["0"] },
      NetworkingConfig: { EndpointsConfig: { [this.network!.name]: { IPAMConfig: { IPv4Address: this.ip(opts.host) }, Aliases: opts.aliases ?? [] } } },
    });
    if (opts.files?.length) await this.putFiles(c, opts.files);
    await c.start();
    const r = new Running(this.docker, c);
    await r.follow();
    return r;
  }

  /** Removes every container and network of this run, by label. */
  async cleanup(): Promise<void> {
    const filters = { label: [`${RUN_LABEL}=${this.run}`] };
    const cs = await this.docker.listContainers({ all: true, filters });
    await Promise.all(
      cs.map((c) =>
        this.docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => undefined),
      ),
    );
    const ns = await this.docker.listNetworks({ filters });
    for (const n of ns)
      await this.docker
        .getNetwork(n.Id)
        .remove()
        .catch(() => undefined);
  }
}

export class Running {
  stdout = "";
  stderr = "";
  private waiters: Array<() => void> = [];
  ended = false;

  constructor(
    readonly docker: Docker,
    readonly container: Docker.Container,
  ) {}

  get all(): string {
    return this.stdout + this.stderr;
  }

  /** Through the runtime's follow: Podman's own log follow drops lines of a burst, and the runtime's does not. */
  async follow(): Promise<void> {
    const f = await runtime.logs.follow(this.container.id);
    f.onLine((l) => {
      this[l.stream] += `${l.text}\n`;
      this.poke();
    });
    f.onEnd(() => {
      this.ended = true;
      this.poke();
    });
  }

  private poke(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits `ms`, or less once a line or the end arrives. */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((r) => {
      const t = setTimeout(r, ms);
      this.waiters.push(() => {
        clearTimeout(t);
        r();
      });
    });
  }

  /** Resolves once `re` matches stdout+stderr; rejects after `ms` with the log tail. */
  async waitFor(re: RegExp, ms = 20_000): Promise<RegExpMatchArray> {
    const m = await pollUntil(
      () => this.all.match(re),
      (m) => m !== null,
      { timeoutMs: ms, everyMs: 250, pause: (t) => this.pause(t), failure: () => `timed out waiting for ${re}; log tail:\n${this.all.slice(-3000)}` },
    );
    return m!;
  }

  async exitCode(ms = 30_000): Promise<number> {
    const t = setTimeout(() => void this.container.kill().catch(() => undefined), ms);
    try {
      const r = (await this.container.wait()) as { StatusCode: number };
      // the last lines arrive with the follow's end, which can come after the exit; a follow not ended 10 s after it
      // leaves the lines it has (as before: a test that needs more fails on them, one that needs only the code passes)
      await pollUntil(
        () => this.ended,
        (ended) => ended,
        { timeoutMs: 10_000, everyMs: 50, pause: (t) => this.pause(t), failure: () => `the log follow had not ended 10 s after the exit (${r.StatusCode})` },
      ).catch(() => undefined);
      return r.StatusCode;
    } finally {
      clearTimeout(t);
    }
  }

  /** An HTTP(S) request made from inside the container with its node (busybox wget hides response headers). */
  async http(
    url: string,
    opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const script = `const u=new URL(process.argv[1]);const o=JSON.parse(process.argv[2]);const m=u.protocol==="https:"?require("https"):require("http");const r=m.request(u,{method:o.method||"GET",headers:o.headers||{},rejectUnauthorized:false},(res)=>{let b="";res.on("data",(d)=>b+=d);res.on("end",()=>console.log(JSON.stringify({status:res.statusCode,headers:res.headers,body:b})))});r.on("error",(e)=>console.log(JSON.stringify({status:0,headers:{},body:String(e.message)})));r.end(o.body);`;
    const out = await this.exec(["node", "-e", script, url, JSON.stringify(opts)]);
    return JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as { status: number; headers: Record<string, string>; body: string };
  }

  async exec(cmd: string[]): Promise<string> {
    const e = await this.container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
    const s = await e.start({});
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on("data", (d: Buffer) => chunks.push(d));
    this.docker.modem.demuxStream(s, out, out);
    await new Promise((r) => s.on("end", r));
    return Buffer.concat(chunks).toString("utf8");
  }
}
