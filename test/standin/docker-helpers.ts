/**
 * The stand-in's own tests' helpers, on the product's container runtime (no client library of their own): a labelled
 * /24 network, containers with files placed before start, followed logs with waiters, and a one-shot run that returns
 * exit code, stdout and stderr apart. Docker's and Podman's dialects are the runtime's to follow (Podman's missing
 * root group, its lossy log follow), as they are for the lab.
 */
import crypto from "node:crypto";
import type { ContainerRuntime } from "../../src/runtime/container-runtime.js";
import { createRuntime } from "../../src/runtime/factory.js";
import { labelFilter, runLabels } from "../../src/runtime/labels.js";
import type { ContainerState, Owned, PlacedFile as RuntimeFile } from "../../src/runtime/types.js";
import { pollUntil } from "../helpers/wait.js";

/** Marks the stand-in tests' containers and network among the managed ones (`reset --all` in test/exclusive runs last). */
const TEST_LABEL = "io.mesos-lab.test";
/** The lab id the stand-in tests' resources carry: no CLI run sweeps it, as it is no checkout's. */
const STANDIN_TEST_LAB = "standin-test";

/** Longer than any exec'd command of the tests takes, even on a loaded engine (Podman's exec alone takes about a second). */
const EXEC_TIMEOUT_MS = 30_000;

/** A file placed before start; `mode` defaults to 0644. */
export interface PlacedFile {
  path: string;
  content: string | Buffer;
  mode?: number;
}

export class Lab {
  readonly run = crypto.randomUUID().slice(0, 8);
  readonly labels: Record<string, string>;
  network?: { id: string; name: string; prefix: string };

  constructor(readonly runtime: ContainerRuntime = createRuntime()) {
    this.labels = runLabels({ lab: STANDIN_TEST_LAB, run: this.run }, { [TEST_LABEL]: "standin" });
  }

  /** A bridge network on a free 10.213.N.0/24, as the lab's `auto` subnet picks it (per-process start, retried on overlap). */
  async createNetwork(): Promise<void> {
    const net = await this.runtime.networks.create(`standin-test-${this.run}`, "auto", this.labels);
    this.network = { id: net.id, name: net.name, prefix: net.subnet.replace(/0\/24$/, "") };
  }

  ip(host: number): string {
    return `${this.network!.prefix}${host}`;
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
    // root's group 0 as a supplementary group (`id` prints groups=0(root)): Docker gives it, the runtime adds it on Podman
    const id = await this.runtime.containers.create({
      name: `standin-${this.run}-${opts.name}`,
      image: opts.image,
      env: opts.env ?? {},
      cmd: opts.cmd,
      labels: this.labels,
      hostname: opts.aliases?.[0] ?? opts.name,
      init: opts.init ?? false,
      network: { name: this.network!.name, ip: this.ip(opts.host), aliases: opts.aliases ?? [] },
      files: opts.files?.length ? placed(opts.files) : undefined,
    });
    await this.runtime.containers.start(id, opts.image);
    const r = new Running(this.runtime, id);
    await r.follow();
    return r;
  }

  /** Removes every container and network of this run, by label; each removal is best effort. */
  async cleanup(): Promise<void> {
    const items = await this.runtime.owned.list(labelFilter({ run: this.run }));
    const remove = (i: Owned) => this.runtime.owned.remove([i]).catch(() => undefined);
    // one after another: two CI runs here met this run's network kept by Docker 20.10 with a phantom endpoint after
    // its containers were removed at once (moby/moby#42119), which only a daemon restart frees
    for (const c of items.filter((i) => i.kind === "container")) await remove(c);
    for (const n of items.filter((i) => i.kind === "network")) await remove(n);
  }
}

function placed(files: PlacedFile[]): RuntimeFile[] {
  return files.map((f) => ({ path: f.path, content: f.content, mode: f.mode ?? 0o644 }));
}

export class Running {
  stdout = "";
  stderr = "";
  private waiters: Array<() => void> = [];
  ended = false;

  constructor(
    readonly runtime: ContainerRuntime,
    readonly id: string,
  ) {}

  get all(): string {
    return this.stdout + this.stderr;
  }

  /** Through the runtime's follow: Podman's own log follow drops lines of a burst, and the runtime's does not. */
  async follow(): Promise<void> {
    const f = await this.runtime.logs.follow(this.id);
    f.onLine((l) => {
      this[l.stream] += `${l.text}\n`;
      this.poke();
    });
    f.onEnd(() => {
      this.ended = true;
      this.poke();
    });
  }

  /** Undefined once the container is gone. */
  inspect(): Promise<ContainerState | undefined> {
    return this.runtime.containers.inspect(this.id);
  }

  /** SIGKILL; a container already stopped or gone is not an error. */
  kill(): Promise<void> {
    return this.runtime.containers.kill(this.id);
  }

  /** Removes the container, running or not. */
  remove(): Promise<void> {
    return this.runtime.containers.remove(this.id);
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
    const t = setTimeout(() => void this.kill().catch(() => undefined), ms);
    try {
      const code = await this.runtime.containers.wait(this.id);
      // the last lines arrive with the follow's end, which can come after the exit; a follow not ended 10 s after it
      // leaves the lines it has (as before: a test that needs more fails on them, one that needs only the code passes)
      await pollUntil(
        () => this.ended,
        (ended) => ended,
        { timeoutMs: 10_000, everyMs: 50, pause: (t) => this.pause(t), failure: () => `the log follow had not ended 10 s after the exit (${code})` },
      ).catch(() => undefined);
      return code;
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
    // the answer is the last line node prints on stdout; its stderr (a warning, a crash) is not mixed into it
    const r = await this.runtime.exec.run(this.id, ["node", "-e", script, url, JSON.stringify(opts)], EXEC_TIMEOUT_MS);
    const line = r.stdout.trim().split("\n").at(-1) ?? "";
    try {
      return JSON.parse(line) as { status: number; headers: Record<string, string>; body: string };
    } catch {
      throw new Error(`no answer from node's request to ${url} (exit ${r.exitCode}); stdout: ${r.stdout}; stderr: ${r.stderr}`);
    }
  }

  /** Runs `cmd` in the container; its stdout, then its stderr, as one string (the exit code is not looked at). */
  async exec(cmd: string[]): Promise<string> {
    const r = await this.runtime.exec.run(this.id, cmd, EXEC_TIMEOUT_MS);
    return r.stdout + r.stderr;
  }
}
