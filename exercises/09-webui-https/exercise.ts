import { defineExercise } from "../../src/model/exercise.js";
import { agentRegistered, cites, FACTS_14, cite111, SOURCE_111 } from "../_shared/expect.js";
import { ok111, SOURCE_111_HTTP } from "../_shared/http.js";

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
  steps: [
    {
      id: "https",
      title: "Master and agent over HTTPS",
      text: `Master and agent run with TLS and their own lab-CA certificates (SANs: their names, \`localhost\`, 127.0.0.1). The
harness fetches the master's \`/health\` and \`/master/state\` and the agent's \`/state\` over https and verifies both
certificates.`,
      hint: "With TLS on, plain http:// gets a reset or an empty reply: use https:// and the lab CA (or curl -k).",
      solution: "master and agent: + LIBPROCESS_SSL_ENABLED=true, + LIBPROCESS_SSL_CERT_FILE, + LIBPROCESS_SSL_KEY_FILE",
      env: { master: TLS_ENV, agent: TLS_ENV },
      files: [
        { roles: ["master", "agent"], path: CERT, from: "ssl/{role}.pem", mode: 0o644 },
        { roles: ["master", "agent"], path: KEY, from: "ssl/{role}-key.pem" },
      ],
      actions: [
        { do: "http", id: "master-health", role: "master", path: "/health" },
        { do: "http", id: "master-state", role: "master", path: "/master/state" },
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
  ],
});
