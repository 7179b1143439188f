// CRAM-MD5 as Cyrus SASL does it: the server sends a challenge, the client answers `<principal> <hex HMAC-MD5>`.
import crypto from "node:crypto";
import os from "node:os";

export function challenge() {
  return `<${crypto.randomInt(1e9)}.${Date.now()}@${os.hostname()}>`;
}

export function respond(principal, secret, chal) {
  return `${principal} ${crypto.createHmac("md5", String(secret)).update(chal).digest("hex")}`;
}

/** Returns { principal } on success or { error } with the Cyrus SASL error text. */
export function check(credentials, chal, response) {
  const i = String(response).lastIndexOf(" ");
  const principal = i < 0 ? String(response) : String(response).slice(0, i);
  const digest = i < 0 ? "" : String(response).slice(i + 1);
  if (!credentials.has(principal)) return { error: "SASL(-13): user not found: unable to canonify user and get auxprops" };
  const want = crypto.createHmac("md5", String(credentials.get(principal) ?? "")).update(chal).digest("hex");
  if (want !== digest) return { error: "SASL(-13): authentication failure: incorrect digest response" };
  return { principal };
}
