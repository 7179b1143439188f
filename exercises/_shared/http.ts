import { F14 } from "./expect.js";

/** HTTP authentication expectations shared by the exercises on endpoints and the operator API. */

const S18 = `${F14} §1.8`;

/** A 401 from a protected endpoint: the status, and the realm the client is told to authenticate for. */
export function challenged(action: string, realm: string, what: string) {
  return [
    {
      id: `${action}-401`,
      says: `${what} without credentials is 401 Unauthorized`,
      source: { http: action, part: "status" as const },
      pattern: "^HTTP/1\\.1 401 Unauthorized$",
      cite: { at: "3rdparty/libprocess/src/authenticator.cpp:89", ref: S18 },
    },
    {
      id: `${action}-realm`,
      says: `the answer names the realm ${realm}`,
      source: { http: action, part: "headers" as const },
      pattern: `Basic realm="${realm}"`,
      cite: { at: "3rdparty/libprocess/src/authenticator.cpp:89", ref: S18 },
      example: `WWW-Authenticate: Basic realm="${realm}"`,
    },
  ];
}

export const ok = (action: string, what: string) => ({
  id: `${action}-200`,
  says: `${what} is 200 OK`,
  source: { http: action, part: "status" as const },
  pattern: "^HTTP/1\\.1 200 OK$",
  cite: { at: "src/common/http.cpp:1166", ref: S18 },
});

export const creating = (realm: string, role: "master" | "agent") => ({
  id: `realm-${realm}`,
  says: `the ${role} protects the ${realm} realm with the basic authenticator`,
  source: { log: role },
  pattern: `Creating default 'basic' HTTP authenticator for realm '${realm}'`,
  cite: { at: "src/common/http.cpp:1026", ref: S18 },
  example: `Creating default 'basic' HTTP authenticator for realm '${realm}'`,
});

