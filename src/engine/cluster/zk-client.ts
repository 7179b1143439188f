import net from "node:net";

/**
 * The few ZooKeeper requests the harness sends itself, on ZooKeeper's own wire protocol (jute records, each framed by
 * a 4-byte length: zookeeper.jute's ConnectRequest, RequestHeader and ReplyHeader): open a session, list a znode's
 * children, delete a znode, close the session. Nothing else of ZooKeeper is spoken here.
 */
export interface ZkSession {
  children(path: string): Promise<string[]>;
  /** Deletes a znode at any version; false when it was already gone (NONODE). */
  delete(path: string): Promise<boolean>;
  close(): Promise<void>;
}

/** OpCode values (ZooDefs.OpCode) and error codes (KeeperException.Code) this client meets. */
const OP = { delete: 2, getChildren: 8, closeSession: -11 } as const;
const ERR = { ok: 0, noNode: -101 } as const;

export class ZkError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}

class Writer {
  private parts: Buffer[] = [];
  int(n: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    this.parts.push(b);
    return this;
  }
  long(n: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(n);
    this.parts.push(b);
    return this;
  }
  bool(v: boolean): this {
    this.parts.push(Buffer.from([v ? 1 : 0]));
    return this;
  }
  buffer(b: Buffer): this {
    return this.int(b.length).raw(b);
  }
  string(s: string): this {
    return this.buffer(Buffer.from(s, "utf8"));
  }
  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  /** The record, framed by its length. */
  framed(): Buffer {
    const body = Buffer.concat(this.parts);
    const len = Buffer.alloc(4);
    len.writeInt32BE(body.length);
    return Buffer.concat([len, body]);
  }
}

class Reader {
  private at = 0;
  constructor(private readonly b: Buffer) {}
  int(): number {
    const v = this.b.readInt32BE(this.at);
    this.at += 4;
    return v;
  }
  long(): bigint {
    const v = this.b.readBigInt64BE(this.at);
    this.at += 8;
    return v;
  }
  string(): string {
    const n = this.int();
    const s = this.b.toString("utf8", this.at, this.at + n);
    this.at += n;
    return s;
  }
}

/**
 * Opens a session on the server at host:port. `timeoutMs` bounds the connection and every request; the session is
 * asked for the shortest timeout the server grants, so one the harness fails to close expires soon.
 */
export function openZkSession(host: string, port: number, timeoutMs: number): Promise<ZkSession> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    let buf = Buffer.alloc(0);
    let pending: Array<{ xid: number; resolve: (r: Reader) => void; reject: (e: Error) => void }> = [];
    let connected = false;
    let xid = 0;
    const fail = (err: Error) => {
      sock.destroy();
      if (!connected) reject(err);
      for (const p of pending) p.reject(err);
      pending = [];
    };
    const timer = setTimeout(() => fail(new ZkError(`ZooKeeper at ${host}:${port} did not answer in ${timeoutMs} ms`)), timeoutMs);
    sock.on("error", (err) => fail(new ZkError(`ZooKeeper at ${host}:${port}: ${err.message}`)));
    sock.on("close", () => fail(new ZkError(`ZooKeeper at ${host}:${port} closed the connection`)));
    sock.on("connect", () => {
      // protocolVersion, lastZxidSeen, timeOut, sessionId, passwd, readOnly
      sock.write(new Writer().int(0).long(0n).int(2000).long(0n).buffer(Buffer.alloc(16)).bool(false).framed());
    });
    sock.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const frame = buf.subarray(4, 4 + buf.readInt32BE(0));
        buf = buf.subarray(4 + frame.length);
        const r = new Reader(frame);
        if (!connected) {
          connected = true;
          r.int();
          const sessionTimeout = r.int();
          if (sessionTimeout <= 0) return fail(new ZkError(`ZooKeeper at ${host}:${port} refused the session`));
          clearTimeout(timer);
          resolve(session);
          continue;
        }
        const replyXid = r.int();
        r.long();
        const err = r.int();
        const i = pending.findIndex((p) => p.xid === replyXid);
        if (i < 0) continue;
        const [p] = pending.splice(i, 1);
        if (err === ERR.ok) p!.resolve(r);
        else p!.reject(new ZkError(`ZooKeeper answered error ${err}`, err));
      }
    });
    const call = (op: number, body: (w: Writer) => Writer): Promise<Reader> =>
      new Promise((res, rej) => {
        const id = ++xid;
        const t = setTimeout(() => fail(new ZkError(`ZooKeeper at ${host}:${port} did not answer request ${op} in ${timeoutMs} ms`)), timeoutMs);
        pending.push({
          xid: id,
          resolve: (r) => {
            clearTimeout(t);
            res(r);
          },
          reject: (e) => {
            clearTimeout(t);
            rej(e);
          },
        });
        sock.write(body(new Writer().int(id).int(op)).framed());
      });
    const session: ZkSession = {
      children: async (path) => {
        const r = await call(OP.getChildren, (w) => w.string(path).bool(false));
        const n = r.int();
        return Array.from({ length: Math.max(0, n) }, () => r.string());
      },
      delete: (path) =>
        call(OP.delete, (w) => w.string(path).int(-1)).then(
          () => true,
          (err: unknown) => {
            if (err instanceof ZkError && err.code === ERR.noNode) return false;
            throw err;
          },
        ),
      close: async () => {
        await call(OP.closeSession, (w) => w).catch(() => undefined);
        sock.removeAllListeners("close");
        sock.destroy();
      },
    };
  });
}
