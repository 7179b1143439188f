import { cites, FACTS_14, cite111, SOURCE_111 } from "./expect.js";

/** HTTP authentication expectations shared by the exercises on endpoints and the operator API. */

const FACTS_14_HTTP_AUTH = `${FACTS_14} §1.8`;
/** HTTP endpoints in the 1.11.x source. */
export const SOURCE_111_HTTP = `${SOURCE_111} §6`;

/**
 * A 401 from a protected endpoint: the status, and the realm the client is told to authenticate for. `from` reads
 * the answer an attack's command printed (`curl -si`) instead of an HTTP action's.
 */
export function challenged(action: string, realm: string, what: string, from?: { attacker: string }) {
  const source = (part: "status" | "headers") => (from ? { attacker: from.attacker, part } : { http: action, part });
  return [
    {
      id: `${action}-401`,
      says: `${what} without credentials is 401 Unauthorized`,
      source: source("status"),
      pattern: "^HTTP/1\\.1 401 Unauthorized$",
      cite: cites(
        { at: "3rdparty/libprocess/src/authenticator.cpp:89", ref: FACTS_14_HTTP_AUTH },
        cite111("3rdparty/libprocess/src/authenticator.cpp:89", SOURCE_111_HTTP),
      ),
    },
    {
      id: `${action}-realm`,
      says: `the answer names the realm ${realm}`,
      source: source("headers"),
      pattern: `Basic realm="${realm}"`,
      cite: cites(
        { at: "3rdparty/libprocess/src/authenticator.cpp:89", ref: FACTS_14_HTTP_AUTH },
        cite111("3rdparty/libprocess/src/authenticator.cpp:89", SOURCE_111_HTTP),
      ),
      example: `WWW-Authenticate: Basic realm="${realm}"`,
    },
  ];
}

/**
 * 200 from an endpoint. `at111` is where 1.11.x produces (or logs) that answer: the handler's `OK`, or for `/state`
 * the line that logs the status it answered (see ok111).
 */
export const ok = (action: string, what: string, at111: string) => ({
  id: `${action}-200`,
  says: `${what} is 200 OK`,
  source: { http: action, part: "status" as const },
  pattern: "^HTTP/1\\.1 200 OK$",
  cite: cites({ at: "src/common/http.cpp:1166", ref: FACTS_14_HTTP_AUTH }, cite111(at111, SOURCE_111_HTTP)),
});

/** Where Mesos 1.11.x answers 200 (source-1.11.md §6). */
export const ok111 = {
  /** `logResponse`: the master's and the agent's `/state` log `'200 OK'` (observed). */
  state: "src/common/http.cpp:1453",
  masterHealth: "src/master/http.cpp:1542-1545",
  agentHealth: "src/slave/http.cpp:1016-1019",
  /** The master's operator API, GET_HEALTH. */
  masterGetHealth: "src/master/http.cpp:1559-1560",
  /** The agent's operator API, GET_CONTAINERS. */
  agentGetContainers: "src/slave/http.cpp:2845-2849",
} as const;

export const creating = (realm: string, role: "master" | "agent") => ({
  id: `realm-${realm}`,
  says: `the ${role} protects the ${realm} realm with the basic authenticator`,
  source: { log: role },
  pattern: `Creating default 'basic' HTTP authenticator for realm '${realm}'`,
  cite: cites(
    { at: "src/common/http.cpp:1026", ref: FACTS_14_HTTP_AUTH },
    cite111("src/common/http.cpp:1296", `${SOURCE_111} §4`, `http.cpp:1296] Creating default 'basic' HTTP authenticator for realm '${realm}'`),
  ),
  example: `Creating default 'basic' HTTP authenticator for realm '${realm}'`,
});
