import { observedAttack } from "../_shared/attacks.js";

const OBSERVED = observedAttack("09");

/**
 * The operator's credentials in clear: the master's endpoints (the web UI's data) ask for HTTP Basic credentials, and
 * an operator's browser sends them with every request. On the path, the attacker's relay records the requests, and
 * Basic is base64, not encryption. Over HTTPS the relay records TLS records only.
 */
export const webuiCredentials = {
  id: "webui-credentials",
  title: "the operator's password crosses the network in clear",
  actions: [
    { do: "relay" as const, id: "wire", to: "master" as const },
    {
      do: "http" as const,
      id: "operator",
      role: "master" as const,
      path: "/master/state",
      auth: { principal: "operator-principal", secret: "${secret:operator-principal}" },
      via: "relay" as const,
    },
  ],
  works: [
    {
      id: "operator-served",
      says: "the operator gets the master's state, through the relay",
      source: { http: "operator", part: "status" as const },
      pattern: "^HTTP/1\\.1 200 OK$",
      cite: { at: "src/common/http.cpp:1453", ref: OBSERVED },
    },
    {
      id: "password-recorded",
      says: "the relay's recording holds the operator's Authorization header, and with it the password",
      source: { relay: "wire" },
      pattern: "^\\[c\\d+ client→master\\] decoded Basic credentials: operator-principal:\\S+",
      cite: { at: "3rdparty/libprocess/src/authenticator.cpp:84-89", ref: OBSERVED },
    },
  ],
  blocked: [
    {
      id: "operator-served",
      says: "the operator still gets the master's state, over https, through the relay",
      source: { http: "operator", part: "status" as const },
      pattern: "^HTTP/1\\.1 200 OK$",
      cite: { at: "src/common/http.cpp:1453", ref: OBSERVED },
    },
    {
      id: "tls-recorded",
      says: "the relay records a TLS handshake",
      source: { relay: "wire" },
      pattern: "^\\[c\\d+ client→master\\] first bytes: 16 03 .*\\(TLS handshake record\\)$",
      cite: { at: "3rdparty/libprocess/src/openssl.cpp:106-111", ref: OBSERVED },
    },
    {
      id: "no-password-recorded",
      says: "the recording never holds the Authorization header",
      source: { relay: "wire" },
      pattern: "Authorization: Basic",
      negate: true,
      timeoutMs: 500,
      cite: { at: "3rdparty/libprocess/src/openssl.cpp:106-111", ref: OBSERVED },
    },
  ],
};
