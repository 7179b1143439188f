// libprocess HTTP authentication per realm: `basic` against a credentials file, `jwt` against the executor secret
// key, or both (combined). A 401 has an empty body and the realm's WWW-Authenticate challenge(s).
import { JwtError, verify } from "./jwt.mjs";

export class HttpAuth {
  constructor({ credentials = new Map(), jwtKey = null } = {}) {
    this.credentials = credentials;
    this.jwtKey = jwtKey;
    this.realms = new Map();
  }

  enable(realm, authenticators) {
    this.realms.set(realm, authenticators);
  }

  enabled(realm) {
    return this.realms.has(realm);
  }

  /** Resolves { principal } (null when the realm is open) or { challenge } for a 401. */
  authenticate(req, realm) {
    const names = this.realms.get(realm);
    if (!names) return { principal: null };
    const header = String(req.headers.authorization ?? "");
    const [scheme, value = ""] = header.split(/\s+/, 2);
    const challenges = [];
    for (const name of names) {
      if (name === "basic") {
        if (/^basic$/i.test(scheme)) {
          const dec = Buffer.from(value, "base64").toString("utf8");
          const i = dec.indexOf(":");
          const p = i < 0 ? dec : dec.slice(0, i);
          const s = i < 0 ? "" : dec.slice(i + 1);
          if (this.credentials.has(p) && this.credentials.get(p) === s) return { principal: { value: p } };
        }
        challenges.push(`Basic realm="${realm}"`);
      } else if (name === "jwt") {
        if (/^bearer$/i.test(scheme)) {
          try {
            const claims = verify(value, this.jwtKey ?? "");
            return { principal: { claims } };
          } catch (e) {
            if (!(e instanceof JwtError)) throw e;
            challenges.push(`Bearer realm="${realm}", error="invalid_token", error_description="Invalid JWT: ${e.message}"`);
            continue;
          }
        }
        challenges.push(`Bearer realm="${realm}"`);
      }
    }
    return { challenge: challenges.join(",") };
  }

  /** Checks `realm`; on failure answers 401 itself and returns undefined. */
  guard(req, res, realm) {
    const r = this.authenticate(req, realm);
    if (r.challenge !== undefined) {
      res.writeHead(401, { "WWW-Authenticate": r.challenge, "Content-Length": 0 });
      res.end();
      return undefined;
    }
    return r;
  }
}

/** The principal string the local authorizer sees: a basic principal's value; JWT principals have none. */
export const principalValue = (p) => p?.value ?? undefined;
