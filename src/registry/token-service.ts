/**
 * The lab registry's token service: the Docker registry token protocol (distribution's `auth.token`), as a shared
 * private registry such as seed 003's has it. A client the registry refuses with `401` and `WWW-Authenticate: Bearer
 * realm=…,service=…,scope=…` asks this service for a token, with its registry credential as HTTP Basic. The token names
 * what the account may do: the requested scope cut down to the account's grants. A token for `alipay/a1` issued to
 * `cainiao` carries no access, and the registry answers it `401 … error="insufficient_scope"`.
 *
 * This file runs inside the lab's `tokens` container as a plain Node.js script (18 or later, built-ins only):
 * `node token-service.js <config.json>`. Nothing else of mesos-lab is imported, so it is copied there as it is.
 */
import { createHash, createPrivateKey, randomBytes, sign, timingSafeEqual, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { pathToFileURL } from "node:url";

export interface TokenServiceConfig {
  port: number;
  /** `iss` of the tokens; the registry's `auth.token.issuer` must be the same. */
  issuer: string;
  /** `aud` of the tokens; the registry's `auth.token.service`. */
  service: string;
  /** PEM files: the signing key, and its certificate (sent as `x5c`; the registry trusts its issuer's CA). */
  keyFile: string;
  certFile: string;
  /** A JSON file `{ "<account>": "<secret>" }`: who may log in. */
  accountsFile: string;
  /**
   * A JSON file of what each account may do, `<repository pattern>` → actions, e.g. `{ "cainiao": { "cainiao/*":
   * ["pull"] } }`: the registry's policy, which the exercise sets. Read at each request, so a new policy needs no restart.
   */
  grantsFile: string;
  /** Token lifetime in seconds. */
  ttl?: number;
}

export interface Access {
  type: string;
  name: string;
  actions: string[];
}

/** `repository:cainiao/a1:pull,push` → one access request. */
export function parseScope(scope: string): Access | undefined {
  const m = /^([a-z]+):([^:\s]+):([a-z*,]+)$/.exec(scope);
  if (!m) return undefined;
  return { type: m[1]!, name: m[2]!, actions: m[3]!.split(",").filter(Boolean) };
}

/** A repository pattern: `*` is any run of characters but `/`, `**` any run; `*` alone is every repository. */
function matches(pattern: string, name: string): boolean {
  if (pattern === "*") return true;
  const re = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*\*|\*/g, (w) => (w === "**" ? ".*" : "[^/]*"));
  return new RegExp(`^${re}$`).test(name);
}

/** The part of `wanted` an account's grants allow: same type and name, only the granted actions (possibly none). */
export function grantedAccess(grants: Record<string, string[]> | undefined, wanted: Access[]): Access[] {
  return wanted.map((w) => {
    const allowed = new Set<string>();
    if (w.type === "repository")
      for (const [pattern, actions] of Object.entries(grants ?? {})) if (matches(pattern, w.name)) actions.forEach((a) => allowed.add(a));
    return { ...w, actions: w.actions.filter((a) => allowed.has(a) || allowed.has("*")) };
  });
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

/** A JWT as distribution's token verifier expects it: RS256, `x5c` with the signing certificate, `access` claims. */
export function issueToken(o: {
  issuer: string;
  audience: string;
  subject: string;
  access: Access[];
  ttl: number;
  keyPem: string;
  certPem: string;
  now?: number;
}): string {
  const now = Math.floor((o.now ?? Date.now()) / 1000);
  const der = new X509Certificate(o.certPem).raw;
  const header = { typ: "JWT", alg: "RS256", x5c: [der.toString("base64")] };
  const claims = {
    iss: o.issuer,
    sub: o.subject,
    aud: o.audience,
    exp: now + o.ttl,
    nbf: now - 60,
    iat: now,
    jti: randomBytes(12).toString("hex"),
    access: o.access,
  };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${b64url(sign("sha256", Buffer.from(input), createPrivateKey(o.keyPem)))}`;
}

/** The account and secret of an `Authorization: Basic …` header, if it has one. */
export function basicCredential(header: string | undefined): { account: string; secret: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, "base64").toString("utf8");
  const i = text.indexOf(":");
  return i < 0 ? undefined : { account: text.slice(0, i), secret: text.slice(i + 1) };
}

function sameSecret(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

const describe = (access: Access[]) =>
  access.length ? access.map((a) => `${a.type}:${a.name}:${a.actions.join(",") || "(nothing)"}`).join(" ") : "(no scope)";

export function startTokenService(config: TokenServiceConfig, log: (line: string) => void = (l) => console.log(l)) {
  const keyPem = readFileSync(config.keyFile, "utf8");
  const certPem = readFileSync(config.certFile, "utf8");
  const accounts = JSON.parse(readFileSync(config.accountsFile, "utf8")) as Record<string, string>;
  const refuse = (res: ServerResponse, status: number, code: string, message: string) => {
    res.writeHead(status, { "Content-Type": "application/json", ...(status === 401 ? { "WWW-Authenticate": `Basic realm="${config.issuer}"` } : {}) });
    res.end(`${JSON.stringify({ errors: [{ code, message }] })}\n`);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://tokens");
    if (req.method !== "GET" || url.pathname !== "/token") return refuse(res, 404, "NOT_FOUND", "the token service answers GET /token only");
    const wanted = url.searchParams
      .getAll("scope")
      .flatMap((s) => s.split(" "))
      .map(parseScope)
      .filter((a): a is Access => !!a);
    const who = basicCredential(req.headers.authorization);
    if (!who) {
      log(`token-service: 401 for ${describe(wanted)}: no credential (anonymous pulls are not allowed)`);
      return refuse(res, 401, "UNAUTHORIZED", "authentication required: log in with a registry credential");
    }
    const known = accounts[who.account];
    if (known === undefined || !sameSecret(known, who.secret)) {
      log(`token-service: 401 for ${describe(wanted)}: invalid credential for account '${who.account}'`);
      return refuse(res, 401, "UNAUTHORIZED", "invalid registry credential");
    }
    const grants = JSON.parse(readFileSync(config.grantsFile, "utf8")) as Record<string, Record<string, string[]>>;
    const access = grantedAccess(grants[who.account], wanted);
    const ttl = config.ttl ?? 300;
    const token = issueToken({
      issuer: config.issuer,
      audience: url.searchParams.get("service") ?? config.service,
      subject: who.account,
      access,
      ttl,
      keyPem,
      certPem,
    });
    log(`token-service: account '${who.account}' asked for ${describe(wanted)}; granted ${describe(access)}`);
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(`${JSON.stringify({ token, access_token: token, expires_in: ttl, issued_at: new Date().toISOString() })}\n`);
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      log(`token-service: 500: ${(err as Error).message}`);
      refuse(res, 500, "INTERNAL", "the token service failed");
    }
  });
  server.listen(config.port, () => log(`token-service: listening on :${config.port} for service '${config.service}' as issuer '${config.issuer}'`));
  return server;
}

// `node token-service.js <config.json>`: the container's command.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: token-service.js <config.json>");
    process.exit(2);
  }
  startTokenService(JSON.parse(readFileSync(file, "utf8")) as TokenServiceConfig);
  process.on("SIGTERM", () => process.exit(0));
}
