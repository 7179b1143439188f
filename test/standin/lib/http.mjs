// One listening port per process, like libprocess: HTTP or HTTPS (never both unless SUPPORT_DOWNGRADE), plus a
// small client that connects the way libprocess would (fresh connection, TLS per the caller's own env).
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { Duplex } from "node:stream";
import { connector, failureText, logAcceptFailure, serverOptions } from "./tls.mjs";

/** Replays already-read bytes before the socket's own stream, so a peeked socket can still be wrapped in TLS. */
class Replay extends Duplex {
  constructor(sock, head) {
    super();
    this.sock = sock;
    this.remoteAddress = sock.remoteAddress;
    this.remotePort = sock.remotePort;
    this.push(head);
    sock.on("data", (d) => this.push(d) || sock.pause());
    sock.on("end", () => this.push(null));
    sock.on("error", (e) => this.destroy(e));
    sock.on("close", () => this.destroy());
  }
  /** @override */
  _read() {
    this.sock.resume();
  }
  /** @override */
  _write(chunk, enc, cb) {
    this.sock.write(chunk, enc, cb);
  }
  /** @override */
  _final(cb) {
    this.sock.end();
    cb();
  }
  /** @override */
  _destroy(err, cb) {
    this.sock.destroy();
    cb(err);
  }
  setTimeout() {
    return this;
  }
  setNoDelay() {
    return this;
  }
  setKeepAlive() {
    return this;
  }
}

/**
 * @param {{ ip: string, port: number, ssl: import("./tls.mjs").Ssl | undefined, handler: http.RequestListener }} opts
 * @returns {Promise<net.Server>} the listening server: HTTP, HTTPS, or with SUPPORT_DOWNGRADE a plain TCP front
 */
export function listen({ ip, port, ssl, handler }) {
  const plain = http.createServer(handler);
  plain.on("clientError", (_e, sock) => sock.destroy());
  /** @type {net.Server} */
  let front = plain;
  if (ssl?.cfg.enabled) {
    const secure = https.createServer(serverOptions(ssl), handler);
    // The raw socket's address is gone once Node drops a failed handshake; keep it for the log line.
    secure.on(
      "connection",
      /** @param {net.Socket & { standinPeer?: string }} raw */ (raw) => {
        raw.standinPeer = `${String(raw.remoteAddress ?? "unknown").replace(/^::ffff:/, "")}:${raw.remotePort ?? 0}`;
      },
    );
    secure.on("tlsClientError", (err, sock) => logAcceptFailure(err, sock));
    secure.on("secureConnection", (sock) => {
      // 1.4 VERIFY_CERT without REQUIRE_CERT: a presented certificate must verify, an absent one is fine.
      if (!ssl.cfg.requireClient && ssl.cfg.verifyIfPresented && !sock.authorized && Object.keys(sock.getPeerCertificate() ?? {}).length) {
        logAcceptFailure(new Error(`error:14089086:SSL routines::${sock.authorizationError}`), sock);
        sock.destroy();
      }
    });
    secure.on("clientError", (_e, sock) => sock.destroy());
    front = secure;
    if (ssl.cfg.downgrade) {
      front = net.createServer((sock) => {
        sock.once("data", (head) => {
          sock.pause();
          if (head[0] === 0x16) secure.emit("connection", new Replay(sock, head));
          else {
            sock.unshift(head);
            plain.emit("connection", sock);
            sock.resume();
          }
        });
      });
    }
  }
  return new Promise((resolve, reject) => {
    front.once("error", reject);
    front.listen({ host: ip, port }, () => resolve(front));
  });
}

export async function readBody(req, limit = 4 << 20) {
  const chunks = [];
  let n = 0;
  for await (const c of req) {
    n += c.length;
    if (n > limit) throw new Error("body too large");
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * @param {http.ServerResponse} res
 * @param {number} status
 * @param {unknown} [body] an object or array goes as JSON, anything else as its text
 * @param {http.OutgoingHttpHeaders} [headers]
 */
export function send(res, status, body = "", headers = {}) {
  const isObj = body !== null && typeof body === "object";
  const text = isObj ? JSON.stringify(body) : String(body ?? "");
  res.writeHead(status, { ...(isObj ? { "Content-Type": "application/json" } : {}), "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

export const STATUS = {
  200: "200 OK",
  202: "202 Accepted",
  307: "307 Temporary Redirect",
  400: "400 Bad Request",
  401: "401 Unauthorized",
  403: "403 Forbidden",
  404: "404 Not Found",
  405: "405 Method Not Allowed",
  409: "409 Conflict",
  415: "415 Unsupported Media Type",
  500: "500 Internal Server Error",
  503: "503 Service Unavailable",
};

/**
 * One request over a fresh connection. Resolves { status, headers, body } or, with `stream: true`, { status, headers,
 * res }. Rejects with `err.text` set to the libprocess failure text (e.g. `Connection reset by peer`).
 * @param {object} opts
 * @param {import("./tls.mjs").Ssl | undefined} opts.ssl
 * @param {string} opts.host
 * @param {number} opts.port
 * @param {string} [opts.method]
 * @param {string} opts.path
 * @param {Record<string, string>} [opts.headers]
 * @param {unknown} [opts.body] a string goes as is, anything else as JSON; none sends no body
 * @param {boolean} [opts.stream]
 * @param {number} [opts.timeoutMs]
 * @returns {Promise<any>}
 */
export function request({ ssl, host, port, method = "POST", path, headers = {}, body, stream = false, timeoutMs = 10_000 }) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    const req = http.request({
      host,
      port,
      method,
      path,
      // No agent: with createConnection alone every request gets its own connection from our connector.
      createConnection: connector(ssl),
      headers: { ...(data !== undefined ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data) } : {}), ...headers },
    });
    const timer = setTimeout(() => req.destroy(Object.assign(new Error("Request timed out"), { code: "ETIMEDOUT" })), timeoutMs);
    req.on(
      "error",
      /** @param {import("./tls.mjs").ConnectError} e */ (e) => {
        clearTimeout(timer);
        e.text = failureText(e);
        reject(e);
      },
    );
    req.on("response", (res) => {
      if (stream) {
        clearTimeout(timer);
        return resolve({ status: res.statusCode, headers: res.headers, res, req });
      }
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") });
      });
      res.on(
        "error",
        /** @param {import("./tls.mjs").ConnectError} e */ (e) => {
          clearTimeout(timer);
          e.text = failureText(e);
          reject(e);
        },
      );
    });
    req.end(data);
  });
}

export function recordio(obj) {
  const s = JSON.stringify(obj);
  return `${Buffer.byteLength(s)}\n${s}`;
}

/** Splits a RecordIO stream of JSON records. */
export async function* readRecords(res) {
  let buf = Buffer.alloc(0);
  for await (const c of res) {
    buf = Buffer.concat([buf, c]);
    for (;;) {
      const nl = buf.indexOf(0x0a);
      if (nl < 0) break;
      const len = Number(buf.subarray(0, nl).toString());
      if (buf.length < nl + 1 + len) break;
      yield JSON.parse(buf.subarray(nl + 1, nl + 1 + len).toString("utf8"));
      buf = buf.subarray(nl + 1 + len);
    }
  }
}

export const peerAddr = (req) => `${String(req.socket.remoteAddress ?? "").replace(/^::ffff:/, "")}:${req.socket.remotePort}`;
