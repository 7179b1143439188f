// ZooKeeper stand-in: 4-letter words on 2181 plus a line protocol for leader election/detection:
//   JOIN <path> <base64 json>   -> JOINED <seq>        (an ephemeral sequential member; gone when the socket closes)
//   WATCH <path>                -> LEADER <seq> <base64 json> | NONE   (now and after every change)
//   PING                        -> PONG
// The lowest sequence number under a path is the leader, like Mesos' json.info_N contender nodes.
import { EventEmitter } from "node:events";
import dns from "node:dns/promises";
import net from "node:net";

const FOUR = new Set(["ruok", "stat", "srvr", "conf", "envi", "mntr", "isro", "wchs", "cons", "dump"]);
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64");
const unb64 = (s) => JSON.parse(Buffer.from(s, "base64").toString("utf8"));

function log4j(level, where, msg) {
  const d = new Date();
  const p = (n, w = 2) => String(n).padStart(w, "0");
  process.stdout.write(
    `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)} [myid:] - ${level.padEnd(5)} [${where}] - ${msg}\n`,
  );
}

export function runZkServer({ port = 2181 } = {}) {
  const groups = new Map();
  const watchers = new Map();
  let seq = 0;
  let conns = 0;
  const leaderOf = (p) => {
    const g = groups.get(p);
    if (!g || g.size === 0) return null;
    const s = Math.min(...g.keys());
    return { seq: s, data: g.get(s).data };
  };
  const notify = (p) => {
    const l = leaderOf(p);
    for (const w of watchers.get(p) ?? []) w.write(l ? `LEADER ${l.seq} ${b64(l.data)}\n` : "NONE\n");
  };
  const server = net.createServer((sock) => {
    conns++;
    const mine = [];
    const watching = new Set();
    let buf = "";
    let mode;
    sock.on("data", (d) => {
      // ZooKeeper's own wire protocol (the harness clears a replaced master's znode): records framed by a length,
      // whose first byte is 0, where the line protocol and the four-letter words start with a letter
      if (mode === "jute" || (!mode && !buf && d[0] === 0)) {
        mode = "jute";
        jute.feed(d);
        return;
      }
      buf += d.toString("utf8");
      if (!mode) {
        if (buf.length < 4) return;
        const word = buf.slice(0, 4);
        if (FOUR.has(word)) {
          mode = "4lw";
          sock.end(fourLetter(word, { conns, groups }));
          return;
        }
        mode = /^(JOIN|WATCH|PING)/.test(buf) ? "proto" : "other";
        if (mode === "other") {
          log4j("WARN", `NIOServerCxn.Factory:0.0.0.0/0.0.0.0:${port}:NIOServerCnxn@357`, "caught end of stream exception");
          sock.destroy();
          return;
        }
      }
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        const [cmd, p, arg] = line.split(" ");
        if (cmd === "PING") sock.write("PONG\n");
        else if (cmd === "JOIN" && p) {
          const s = seq++;
          if (!groups.has(p)) groups.set(p, new Map());
          groups.get(p).set(s, { data: unb64(arg), sock });
          mine.push([p, s]);
          sock.write(`JOINED ${s}\n`);
          notify(p);
        } else if (cmd === "WATCH" && p) {
          if (!watchers.has(p)) watchers.set(p, new Set());
          watchers.get(p).add(sock);
          watching.add(p);
          const l = leaderOf(p);
          sock.write(l ? `LEADER ${l.seq} ${b64(l.data)}\n` : "NONE\n");
        }
      }
    });
    const jute = juteConnection(sock, {
      children: (p) => [...(groups.get(p)?.keys() ?? [])].map((s) => `json.info_${String(s).padStart(10, "0")}`),
      remove: (p) => {
        const m = /^(.*)\/json\.info_(\d+)$/.exec(p);
        if (!m || !groups.get(m[1])?.delete(Number(m[2]))) return false;
        notify(m[1]);
        return true;
      },
    });
    const gone = () => {
      for (const p of watching) watchers.get(p)?.delete(sock);
      watching.clear();
      const touched = new Set();
      for (const [p, s] of mine.splice(0)) {
        groups.get(p)?.delete(s);
        touched.add(p);
      }
      for (const p of touched) notify(p);
    };
    sock.on("close", gone);
    sock.on("error", () => sock.destroy());
  });
  log4j("INFO", "main:QuorumPeerConfig@103", "Reading configuration from: /opt/zookeeper/conf/zoo.cfg");
  log4j("INFO", "main:ZooKeeperServerMain@95", "Starting server");
  server.listen(port, "0.0.0.0", () => log4j("INFO", "main:NIOServerCnxnFactory@89", `binding to port 0.0.0.0/0.0.0.0:${port}`));
  return server;
}

/**
 * The part of ZooKeeper's wire protocol the harness speaks (src/engine/cluster/zk-client.ts): a session, getChildren,
 * delete and closeSession, over the same members the line protocol's JOIN makes.
 */
function juteConnection(sock, { children, remove }) {
  let buf = Buffer.alloc(0);
  let connected = false;
  const frame = (...parts) => {
    const body = Buffer.concat(parts);
    const len = Buffer.alloc(4);
    len.writeInt32BE(body.length);
    sock.write(Buffer.concat([len, body]));
  };
  const int = (n) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  };
  const long = (n) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(n));
    return b;
  };
  const str = (s) => Buffer.concat([int(Buffer.byteLength(s)), Buffer.from(s)]);
  const reply = (xid, err, ...body) => frame(int(xid), long(0), int(err), ...body);
  return {
    feed(d) {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const rec = buf.subarray(4, 4 + buf.readInt32BE(0));
        buf = buf.subarray(4 + rec.length);
        if (!connected) {
          connected = true;
          frame(int(0), int(4000), long(Math.floor(Math.random() * 2 ** 40)), int(16), Buffer.alloc(16));
          continue;
        }
        const xid = rec.readInt32BE(0);
        const op = rec.readInt32BE(4);
        const path = () => rec.toString("utf8", 12, 12 + rec.readInt32BE(8));
        if (op === 8) {
          const kids = children(path());
          reply(xid, 0, int(kids.length), ...kids.map(str));
        } else if (op === 2) reply(xid, remove(path()) ? 0 : -101);
        else if (op === -11) {
          reply(xid, 0);
          sock.end();
        } else reply(xid, -6); // UNIMPLEMENTED
      }
    },
  };
}

function fourLetter(word, { conns, groups }) {
  const nodes = [...groups.values()].reduce((n, g) => n + g.size, 0);
  switch (word) {
    case "ruok":
      return "imok";
    case "isro":
      return "rw";
    case "srvr":
    case "stat":
      return `Zookeeper version: 3.4.6-1569965, built on 02/20/2014 09:09 GMT\nLatency min/avg/max: 0/0/0\nReceived: ${conns}\nSent: ${conns}\nConnections: ${conns}\nOutstanding: 0\nZxid: 0x0\nMode: standalone\nNode count: ${nodes + 4}\n`;
    case "mntr":
      return `zk_version\t3.4.6-1569965, built on 02/20/2014 09:09 GMT\nzk_server_state\tstandalone\nzk_znode_count\t${nodes + 4}\nzk_ephemerals_count\t${nodes}\n`;
    case "conf":
      return "clientPort=2181\ndataDir=/opt/zookeeper/snapshots/version-2\ntickTime=2000\nmaxClientCnxns=0\n";
    default:
      return "";
  }
}

export function parseZkUrl(url) {
  const m = /^zk:\/\/(?:[^@/]*@)?([^/]+)(\/.*)?$/.exec(url);
  if (!m) return undefined;
  const hosts = m[1].split(",").map((h) => {
    const [host, port] = h.split(":");
    return { host, port: Number(port ?? 2181) };
  });
  return { hosts, path: (m[2] ?? "/").replace(/\/+$/, "") || "/" };
}

function zooStamp() {
  const d = new Date();
  const p = (n, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}:${process.pid}(0x7f${((process.pid * 2654435761) >>> 0).toString(16).padStart(8, "0").slice(0, 7)}700)`;
}

/**
 * A ZooKeeper session: reconnects forever (printing ZOO_ERROR like the C client), re-joins and re-watches after
 * every reconnect. Events: 'leader' (info|null), 'joined' (seq), 'connected', 'disconnected'.
 */
export class ZkSession extends EventEmitter {
  constructor(url, { pid }) {
    super();
    this.url = parseZkUrl(url);
    this.pid = pid;
    this.joinData = null;
    this.watching = false;
    this.sock = null;
    this.stopped = false;
    this.lastError = 0;
    this.attempt = 0;
    this.sessionId = `0x${Math.floor(Math.random() * 2 ** 48).toString(16)}`;
  }

  start() {
    this.connect();
    return this;
  }

  join(data) {
    this.joinData = data;
    if (this.sock) this.sock.write(`JOIN ${this.url.path} ${b64(data)}\n`);
  }

  watch() {
    this.watching = true;
    if (this.sock) this.sock.write(`WATCH ${this.url.path}\n`);
  }

  stop() {
    this.stopped = true;
    this.sock?.destroy();
  }

  /** What the C client prints when its handle is closed: the detector's destructor, as a process returns from main. */
  close() {
    if (this.sock) {
      process.stderr.write(
        `${zooStamp()}:ZOO_INFO@zookeeper_close@2522: Closing zookeeper sessionId=${this.sessionId} to [${this.sock.remoteAddress}:${this.sock.remotePort}]\n\n`,
      );
      process.stderr.write(`${zooStamp()}:ZOO_INFO@zookeeper_close@2533: Freeing zookeeper resources for sessionId=${this.sessionId}\n\n`);
    }
    this.stop();
  }

  zooError(msg) {
    // The C client retries several times a second; one line a second is enough to show the harness it is failing.
    if (Date.now() - this.lastError < 1000) return;
    this.lastError = Date.now();
    process.stderr.write(`${zooStamp()}:ZOO_ERROR@${msg}\n`);
  }

  async connect() {
    if (this.stopped) return;
    const target = this.url.hosts[this.attempt++ % this.url.hosts.length];
    let ip;
    try {
      ip = net.isIP(target.host) ? target.host : (await dns.lookup(target.host, { family: 4 })).address;
    } catch {
      this.zooError("getaddrs@613: getaddrinfo: No such file or directory");
      setTimeout(() => this.connect(), 500);
      return;
    }
    const sock = net.connect({ host: ip, port: target.port });
    let ok = false;
    let pinger;
    sock.once("connect", () => {
      ok = true;
      this.sock = sock;
      process.stderr.write(`${zooStamp()}:ZOO_INFO@check_events@1728: initiated connection to server [${ip}:${target.port}]\n`);
      process.stderr.write(
        `${zooStamp()}:ZOO_INFO@check_events@1775: session establishment complete on server [${ip}:${target.port}], sessionId=${this.sessionId}, negotiated timeout=10000\n`,
      );
      this.emit("connected");
      if (this.joinData) sock.write(`JOIN ${this.url.path} ${b64(this.joinData)}\n`);
      if (this.watching) sock.write(`WATCH ${this.url.path}\n`);
      pinger = setInterval(() => sock.write("PING\n"), 3000);
    });
    let buf = "";
    sock.on("data", (d) => {
      buf += d.toString("utf8");
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        const [cmd, a, b] = line.split(" ");
        if (cmd === "JOINED") this.emit("joined", Number(a));
        else if (cmd === "LEADER") this.emit("leader", { seq: Number(a), info: unb64(b) });
        else if (cmd === "NONE") this.emit("leader", null);
      }
    });
    sock.on(
      "error",
      /** @param {NodeJS.ErrnoException} e */ (e) => {
        if (!ok)
          this.zooError(
            `check_events@2985: Socket [${ip}:${target.port}] zk retcode=-4, errno=${e.errno ? -e.errno : 111}(${e.code === "ECONNREFUSED" ? "Connection refused" : e.code === "EHOSTUNREACH" ? "No route to host" : e.message}): server refused to accept the client`,
          );
      },
    );
    sock.on("close", () => {
      clearInterval(pinger);
      if (ok) {
        this.sock = null;
        process.stderr.write(
          `${zooStamp()}:ZOO_ERROR@handle_socket_error_msg@1746: Socket [${ip}:${target.port}] zk retcode=-4, errno=112(Host is down): failed while receiving a server response\n`,
        );
        this.emit("disconnected");
      }
      if (!this.stopped) setTimeout(() => this.connect(), ok ? 200 : 500);
    });
  }
}

/**
 * Master detection for agents and schedulers: `zk://…` follows the elected leader; `host:port` is a fixed master.
 * Calls onLeader(info|null) on every change, where info = { pid, ip, port, id, hostname }.
 */
export async function detectMaster(masterFlag, { pid }, onLeader) {
  if (String(masterFlag).startsWith("zk://")) {
    const s = new ZkSession(masterFlag, { pid });
    let last;
    s.on("leader", (l) => {
      const key = l ? `${l.seq}` : "none";
      if (key === last) return;
      last = key;
      onLeader(l ? l.info : null);
    });
    s.on("disconnected", () => {
      last = undefined;
    });
    s.start().watch();
    return s;
  }
  const m = /^(?:master@)?([^:]+):(\d+)$/.exec(String(masterFlag));
  if (!m) throw new Error(`Failed to parse master '${masterFlag}'`);
  const ip = net.isIP(m[1]) ? m[1] : (await dns.lookup(m[1], { family: 4 })).address;
  const port = Number(m[2]);
  setImmediate(() => onLeader({ pid: `master@${ip}:${port}`, ip, port, hostname: m[1], standalone: true }));
  return { stop() {}, close() {} };
}
