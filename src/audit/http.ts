import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import net from "node:net";
import type { TLSSocket } from "node:tls";

/**
 * The audit's HTTP client: one request per connection (no keep-alive, nothing left open), a short timeout on each,
 * and the whole audit's deadline on top (`signal`). It never follows a redirect and never retries. It reports what
 * the port did: the status line and headers it answered, or the error the connection ended with, and for https the
 * TLS session it got (a handshake that completed before the server closed says TLS is on).
 */

export interface Address {
  host: string;
  port: number;
}

export interface TlsMaterial {
  /** PEM of the CA(s) to verify servers against (--ca); without it, Node's default roots. */
  ca?: string;
  /** A client certificate and key for mutual TLS (--cert, --key). */
  cert?: string;
  key?: string;
}

export interface RequestSpec {
  scheme: "http" | "https";
  method: "GET" | "POST";
  path: string;
  body?: string;
  /** Basic credentials: sent only on the connection this request opens. */
  auth?: { principal: string; secret: string };
  /** https: refuse a server whose certificate does not verify (the requests that carry credentials). */
  verify?: boolean;
  /** https: present the client certificate of TlsMaterial. */
  clientCert?: boolean;
  /** How much of the body to keep; the rest is not read (0: status and headers only). */
  maxBody: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface TlsSession {
  /** The handshake completed (the server may still have closed the connection right after, asking for a certificate). */
  handshake: boolean;
  protocol?: string;
  cipher?: string;
  /** The server's certificate verified against --ca (or Node's roots), host name included. */
  verified?: boolean;
  verifyError?: string;
}

export type HttpResult =
  | {
      ok: true;
      status: number;
      /** `HTTP/1.1 200 OK`, as Mesos' encoder writes it (3rdparty/libprocess/src/encoder.hpp:159). */
      statusLine: string;
      /** The answer's header lines, as sent (name case kept). */
      headerLines: string[];
      body: string;
      truncated: boolean;
      tls?: TlsSession;
    }
  | { ok: false; code: string; message: string; tls?: TlsSession };

export const USER_AGENT = "mesos-lab-audit";

/** OpenSSL's error line, down to its reason (`wrong version number`, `tlsv13 alert certificate required`). */
function tidy(message: string): string {
  const first = (message.split("\n")[0] ?? "").trim();
  return (/SSL routines:[^:]*:([^:]+)/.exec(first)?.[1] ?? first).trim();
}

/** A TLS alert from the server: TLS is on, and it refused this handshake (most often: no client certificate). */
export const isTlsAlert = (r: HttpResult): boolean => !r.ok && /ALERT|alert/.test(`${r.code} ${r.message}`);

export const headerValues = (r: HttpResult, name: string): string[] =>
  r.ok ? r.headerLines.filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`)).map((l) => l.slice(l.indexOf(":") + 1).trim()) : [];

export function request(to: Address, spec: RequestSpec, material: TlsMaterial = {}): Promise<HttpResult> {
  return new Promise<HttpResult>((resolve) => {
    const timeout = AbortSignal.timeout(spec.timeoutMs);
    const signal = spec.signal ? AbortSignal.any([timeout, spec.signal]) : timeout;
    const headers: Record<string, string> = { "User-Agent": USER_AGENT, Accept: "application/json" };
    if (spec.body !== undefined) {
      headers["Content-Type"] = "application/json";
      headers["Content-Length"] = String(Buffer.byteLength(spec.body));
    }
    if (spec.auth) headers.Authorization = `Basic ${Buffer.from(`${spec.auth.principal}:${spec.auth.secret}`).toString("base64")}`;
    const base = { host: to.host, port: to.port, method: spec.method, path: spec.path, headers, agent: false as const, signal };
    let tls: TlsSession | undefined = spec.scheme === "https" ? { handshake: false } : undefined;
    let settled = false;
    const done = (r: HttpResult) => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    const req =
      spec.scheme === "https"
        ? https.request({
            ...base,
            // SNI only for names (RFC 6066 forbids an IP address there)
            ...(net.isIP(to.host) ? {} : { servername: to.host }),
            rejectUnauthorized: spec.verify === true,
            ...(material.ca ? { ca: material.ca } : {}),
            ...(spec.clientCert && material.cert && material.key ? { cert: material.cert, key: material.key } : {}),
          })
        : http.request(base);
    req.on("socket", (socket) => {
      if (spec.scheme !== "https") return;
      socket.once("secureConnect", () => {
        const s = socket as TLSSocket;
        tls = {
          handshake: true,
          protocol: s.getProtocol() ?? undefined,
          cipher: s.getCipher()?.name,
          verified: s.authorized,
          ...(s.authorizationError ? { verifyError: String(s.authorizationError) } : {}),
        };
      });
    });
    /** Once the status line is in, an error (the timeout included) cuts the body short; it is still that answer. */
    let cutShort: (() => void) | undefined;
    req.on("response", (res: IncomingMessage) => {
      const statusLine = `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage ?? ""}`.trimEnd();
      const headerLines: string[] = [];
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headerLines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = (truncated: boolean) => {
        done({ ok: true, status: res.statusCode ?? 0, statusLine, headerLines, body: Buffer.concat(chunks).toString("utf8"), truncated, tls });
        if (truncated) res.destroy();
      };
      cutShort = () => finish(true);
      if (spec.maxBody === 0) {
        finish(false);
        res.destroy();
        return;
      }
      res.on("data", (c: Buffer) => {
        if (size + c.length > spec.maxBody) {
          chunks.push(c.subarray(0, spec.maxBody - size));
          size = spec.maxBody;
          finish(true);
          return;
        }
        chunks.push(c);
        size += c.length;
      });
      res.on("end", () => finish(false));
      // an answer cut short after its status line (a timeout while the body trickles in, a reset) is still the answer
      // its status line gave; `close` comes after `end` too, when it is a no-op
      res.on("error", () => finish(true));
      res.on("close", () => finish(!res.complete));
    });
    req.on("error", (err: NodeJS.ErrnoException) => {
      if (cutShort) cutShort();
      else if (timeout.aborted) done({ ok: false, code: "ETIMEDOUT", message: `no answer within ${spec.timeoutMs} ms`, tls });
      else if (signal.aborted) done({ ok: false, code: "EDEADLINE", message: "the audit's overall time ran out", tls });
      else done({ ok: false, code: err.code ?? err.name, message: tidy(err.message), tls });
    });
    req.end(spec.body);
  });
}

/** `GET /x → HTTP/1.1 200 OK`, or what the connection ended with. */
export const describeResult = (r: HttpResult): string => (r.ok ? r.statusLine : `no answer (${r.code}: ${r.message})`);

export const describeTls = (t: TlsSession | undefined): string =>
  t?.handshake
    ? `${t.protocol ?? "TLS"}${t.cipher ? `, ${t.cipher}` : ""}${t.verified ? ", certificate verified" : t.verifyError ? `, certificate not verified: ${t.verifyError}` : ""}`
    : "";
