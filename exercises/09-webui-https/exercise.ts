import { defineExercise } from "../../src/model/exercise.js";
import { agentRegistered, ATTACKS_SINCE, cites, FACTS_14, cite111, SOURCE_111 } from "../_shared/expect.js";
import { ok111, SOURCE_111_HTTP } from "../_shared/http.js";
import { webuiCredentials } from "./attack.js";

const CREDS = "/etc/credentials/credentials.json";

const CERT = "/etc/mesos-lab/ssl/cert.pem";
const KEY = "/etc/mesos-lab/ssl/key.pem";
const TLS_ENV = { LIBPROCESS_SSL_ENABLED: "true", LIBPROCESS_SSL_CERT_FILE: CERT, LIBPROCESS_SSL_KEY_FILE: KEY };
const S5 = `${FACTS_14} §5`;

const ok = (id: string, what: string, at: string, at111: string, ref = S5) => ({
  id: `${id}-200`,
  says: `${what} answers 200 OK over https, verified with the lab CA`,
  source: { http: id, part: "status" as const },
  pattern: "^HTTP/1\\.1 200 OK$",
  cite: cites({ at, ref }, cite111(at111, SOURCE_111_HTTP)),
});

export default defineExercise({
  id: "09",
  slug: "webui-https",
  title: "The web UI over HTTPS",
  summary: "Serve the master's and agent's web UI and endpoints over HTTPS with certificates of the lab CA.",
  text: `The web UI and the JSON endpoints behind it (\`/master/state\`, the agent's \`/state\`) are served by the same
libprocess server as the cluster traffic — so once TLS is on, they are **only** reachable over \`https://\`.
The workshop left this as a TODO; here the harness checks it with a real TLS handshake that verifies each server's
certificate against the lab CA (\`ssl/ca.pem\`).

To look yourself: \`mesos-lab up 09\` keeps the cluster running and prints the published URLs. Either import
\`ssl/ca.pem\` into your browser's trusted authorities, or accept the warning once; from a terminal,
\`curl --cacert ssl/ca.pem https://localhost:5050/master/state\`. The UI links to agents by their address: with one
certificate per host, a browser asks you to accept each — trusting the lab CA avoids that.`,
  attacks: [webuiCredentials],
  steps: [
    {
      id: "webui-credentials",
      title: "Attack: the operator's password on the wire",
      text: `The master's endpoints (and the web UI, which reads them) ask for credentials: \`MESOS_AUTHENTICATE_HTTP_READONLY=true\`,
as exercise 06 set it. The operator's browser sends \`Authorization: Basic …\` with every request. On the path between
the operator and the master, the attacker's relay records what passes: Basic is base64, not encryption, and the
recording gives the operator's password away.`,
      hint: "Read the attacker's pane: the relay decodes the Authorization header it saw.",
      env: { master: { MESOS_AUTHENTICATE_HTTP_READONLY: "true", MESOS_CREDENTIALS: `file://${CREDS}` } },
      files: [{ roles: ["master"], path: CREDS, from: "credentials/credentials.json" }],
      attack: { id: "webui-credentials", expect: "works" },
      since: ATTACKS_SINCE,
    },
    {
      id: "https",
      title: "Master and agent over HTTPS",
      text: `Master and agent run with TLS and their own lab-CA certificates (SANs: their names, \`localhost\`, 127.0.0.1). The
harness fetches the master's \`/health\` and \`/master/state\` (as \`viewer-principal\`) and the agent's \`/state\` over
https and verifies both certificates.`,
      hint: "With TLS on, plain http:// gets a reset or an empty reply: use https:// and the lab CA (or curl -k).",
      solution: "master and agent: + LIBPROCESS_SSL_ENABLED=true, + LIBPROCESS_SSL_CERT_FILE, + LIBPROCESS_SSL_KEY_FILE",
      env: { master: TLS_ENV, agent: TLS_ENV },
      files: [
        { roles: ["master", "agent"], path: CERT, from: "ssl/{role}.pem", mode: 0o644 },
        { roles: ["master", "agent"], path: KEY, from: "ssl/{role}-key.pem" },
      ],
      actions: [
        { do: "http", id: "master-health", role: "master", path: "/health" },
        {
          do: "http",
          id: "master-state",
          role: "master",
          path: "/master/state",
          auth: { principal: "viewer-principal", secret: "${secret:viewer-principal}" },
        },
        { do: "http", id: "agent-state", role: "agent", path: "/state" },
      ],
      expect: [
        agentRegistered,
        ok("master-health", "the master's /health", "src/master/http.cpp:2082-2085", ok111.masterHealth),
        ok("master-state", "the master's /master/state", "src/common/http.cpp:1166", ok111.state, `${FACTS_14} §1.8`),
        ok("agent-state", "the agent's /state", "src/common/http.cpp:1166", ok111.state, `${FACTS_14} §1.8`),
        {
          id: "master-logs-request",
          says: "the master served /master/state",
          source: { log: "master" },
          pattern: "HTTP GET for /master/state from \\S+",
          cite: cites(
            { at: "src/common/http.cpp:1166", ref: `${FACTS_14} §1.8` },
            cite111(
              "src/common/http.cpp:1436",
              `${SOURCE_111} §6`,
              "http.cpp:1436] HTTP GET for /master/state from 10.213.1.1:52144 with User-Agent='mesos-lab'",
            ),
          ),
          example: "HTTP GET for /master/state from 10.213.1.1:52144 with User-Agent='curl/7.58.0'",
        },
      ],
    },
    {
      id: "webui-credentials-replay",
      title: "Replay: the operator's request, over HTTPS",
      text: `The same operator request through the same relay, now over https. The relay still forwards it, and the
operator gets the state; the recording holds the TLS handshake and then ciphertext, never the Authorization header.

**Two ways around it.** A client that still types \`http://\` sends its header in clear before the TLS master resets
the connection: the relay has recorded it all the same. And \`LIBPROCESS_SSL_SUPPORT_DOWNGRADE=true\` makes the
master answer plain http beside https: keep it off.`,
      hint: "Compare the relay's first bytes with the open cluster's.",
      attack: { id: "webui-credentials", expect: "blocked" },
      since: ATTACKS_SINCE,
    },
  ],
});
