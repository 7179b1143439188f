// CRAM-MD5 as Cyrus SASL does it: the server sends a challenge, the client answers `<principal> <hex HMAC-MD5>`.
import crypto from "node:crypto";
import os from "node:os";

export function challenge() {
  return `<${crypto.randomInt(1e9)}.${Date.now()}@${os.hostname()}>`;
}

export function respond(principal, secret, chal) {
  return `${principal} ${crypto.createHmac("md5", String(secret)).update(chal).digest("hex")}`;
}

/** Returns { principal } on success or { error } with Cyrus SASL's sasl_errstring (authenticator.cpp:332-333). */
export function check(credentials, chal, response) {
  const i = String(response).lastIndexOf(" ");
  const principal = i < 0 ? String(response) : String(response).slice(0, i);
  const digest = i < 0 ? "" : String(response).slice(i + 1);
  if (!credentials.has(principal)) return { error: "user not found" };
  const want = crypto
    .createHmac("md5", String(credentials.get(principal) ?? ""))
    .update(chal)
    .digest("hex");
  if (want !== digest) return { error: "authentication failure" };
  return { principal };
}
