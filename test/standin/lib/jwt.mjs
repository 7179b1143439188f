// HS256 JWTs as libprocess' JWT class makes and checks them (executor tokens with claims fid/eid/cid).
import crypto from "node:crypto";

const b64u = (b) => Buffer.from(b).toString("base64url");

export function sign(claims, key) {
  const head = b64u(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64u(JSON.stringify(claims));
  const sig = crypto.createHmac("sha256", key).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${sig}`;
}

export class JwtError extends Error {}

/** Returns the claims or throws JwtError with the libprocess error text. */
export function verify(token, key) {
  const parts = String(token).split(".");
  if (parts.length !== 3) throw new JwtError(`Expected 3 components in token, got ${parts.length}`);
  let header;
  let claims;
  try {
    header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
  } catch (e) {
    throw new JwtError(`Failed to parse header: ${e.message}`);
  }
  try {
    claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
  } catch (e) {
    throw new JwtError(`Failed to parse payload: ${e.message}`);
  }
  if (header.typ !== undefined && header.typ !== "JWT") throw new JwtError("Token 'typ' is not 'JWT'");
  if (header.alg !== "HS256") throw new JwtError(header.alg === "none" ? "Token is not signed" : `Unsupported token algorithm: ${header.alg}`);
  const want = crypto.createHmac("sha256", key).update(`${parts[0]}.${parts[1]}`).digest();
  const got = Buffer.from(parts[2], "base64url");
  if (got.length !== want.length || !crypto.timingSafeEqual(got, want)) throw new JwtError("Token signature does not match");
  if (typeof claims.exp === "number" && claims.exp < Date.now() / 1000) throw new JwtError("Token has expired");
  return claims;
}
