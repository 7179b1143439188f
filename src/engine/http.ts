import http from "node:http";
import https from "node:https";
import net from "node:net";

/** One HTTP(S) exchange as the expectation engine sees it: status line, headers, body. */
export interface HttpAnswer {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
  /** Lines fed to expectations: `HTTP/1.1 401 Unauthorized`, `www-authenticate: Basic realm="…"`, body lines. */
  lines: { status: string[]; headers: string[]; body: string[] };
}

export interface HttpRequest {
  host: string;
  port: number;
  tls: boolean;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  basic?: { principal: string; secret: string };
  bearer?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** Server name to verify the certificate against (the cert lists `localhost` and 127.0.0.1). */
  servername?: string;
  timeoutMs: number;
}

export function request(req: HttpRequest): Promise<HttpAnswer> {
  const headers: Record<string, string> = { "user-agent": "mesos-lab", ...req.headers };
  if (req.basic) headers.authorization = `Basic ${Buffer.from(`${req.basic.principal}:${req.basic.secret}`).toString("base64")}`;
  if (req.bearer) headers.authorization = `Bearer ${req.bearer}`;
  if (req.body !== undefined) headers["content-length"] = String(Buffer.byteLength(req.body));
  const mod = req.tls ? https : http;
  return new Promise((resolve, reject) => {
    const r = mod.request(
      {
        host: req.host,
        port: req.port,
        method: req.method,
        path: req.path,
        headers,
        agent: false,
        timeout: req.timeoutMs,
        ...(req.tls
          ? {
              ca: req.ca,
              cert: req.cert,
              key: req.key,
              // without a lab CA the workshop's self-signed certificate cannot be verified: that is the lesson of exercise 08
              rejectUnauthorized: req.ca !== undefined,
              servername: net.isIP(req.servername ?? req.host) ? undefined : (req.servername ?? req.host),
              checkServerIdentity: () => undefined,
            }
          : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8");
          const hdrs: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) hdrs[k] = Array.isArray(v) ? v.join(", ") : v;
          const statusLine = `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage ?? ""}`.trim();
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? "",
            headers: hdrs,
            body,
            lines: {
              status: [statusLine],
              headers: Object.entries(hdrs).map(([k, v]) => `${k}: ${v}`),
              body: body.split(/\r?\n/).filter((l) => l.length > 0),
            },
          });
        });
        res.on("error", reject);
      },
    );
    r.on("timeout", () => r.destroy(new Error(`no answer within ${req.timeoutMs} ms`)));
    r.on("error", reject);
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

/** Sends a ZooKeeper four-letter word and returns the reply (`ruok` → `imok`). */
export function fourLetterWord(host: string, port: number, word: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port });
    let out = "";
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no answer to '${word}' within ${timeoutMs} ms`));
    }, timeoutMs);
    s.on("connect", () => s.write(word));
    s.on("data", (d) => (out += d.toString("utf8")));
    s.on("end", () => {
      clearTimeout(timer);
      resolve(out.trim());
    });
    s.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
