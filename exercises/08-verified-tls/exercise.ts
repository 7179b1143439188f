import { defineExercise } from "../../src/model/exercise.js";
import { agentDisconnected, agentNotRegistered, agentRegistered, OBSERVED_111, subscribed, taskFinished } from "../_shared/expect.js";

const DIR = "/etc/mesos-lab/ssl";
const CERT = `${DIR}/cert.pem`;
const KEY = `${DIR}/key.pem`;
const CA = `${DIR}/ca.pem`;
const TLS = { LIBPROCESS_SSL_ENABLED: "true", LIBPROCESS_SSL_CERT_FILE: CERT, LIBPROCESS_SSL_KEY_FILE: KEY, LIBPROCESS_SSL_CA_FILE: CA };
/** 1.4 names; 1.10 renamed them and added hostname validation (facts §2, observed-1.11.md). */
const VERIFY_14 = { LIBPROCESS_SSL_VERIFY_CERT: "true", LIBPROCESS_SSL_REQUIRE_CERT: "true", LIBPROCESS_SSL_VERIFY_IPADD: "true" };
const VERIFY_111 = {
  LIBPROCESS_SSL_VERIFY_SERVER_CERT: "true",
  LIBPROCESS_SSL_REQUIRE_CLIENT_CERT: "true",
  LIBPROCESS_SSL_HOSTNAME_VALIDATION_SCHEME: "openssl",
  LIBPROCESS_SSL_VERIFY_IPADD: "true",
};
const EXECUTOR_ENV = (v: Record<string, string>) => JSON.stringify({ ...TLS, LIBPROCESS_SSL_ENABLED: "1", ...v });

const roles = ["master", "agent", "execute"] as const;
const forAll = (v: Record<string, string>) => Object.fromEntries(roles.map((r) => [r, v]));

export default defineExercise({
  id: "08",
  slug: "verified-tls",
  title: "TLS with certificate verification",
  summary: "Make every Mesos process verify its peers' certificates against the lab CA, and see a rogue certificate refused.",
  text: `Exercise 02 encrypted the traffic but verified nothing: anyone with *a* certificate — any self-signed one — could
join as an agent or a scheduler. Here every process gets the lab CA (\`LIBPROCESS_SSL_CA_FILE\`), verifies the
certificate of the peer it connects to, and requires one from peers that connect to it (mutual TLS).

Mesos peers address each other by **IP** (the master's address comes from ZooKeeper), so the certificates must name
those addresses: the harness runs the cluster on fixed addresses and issues each role a lab-CA certificate with them
as IP SANs. In 1.4 the flags are \`LIBPROCESS_SSL_VERIFY_CERT\` and \`LIBPROCESS_SSL_REQUIRE_CERT\`; 1.10 renamed them
(\`…_VERIFY_SERVER_CERT\`, \`…_REQUIRE_CLIENT_CERT\`) and added hostname validation (\`…_VERIFY_IPADD\` for IP SANs).`,
  steps: [
    {
      id: "verify",
      title: "Verify every peer against the lab CA",
      text: `Master, agent and \`mesos-execute\` get TLS, the lab CA and verification; the agent hands the same to its executors
(\`MESOS_EXECUTOR_ENVIRONMENT_VARIABLES\`). Everything still works — because every certificate comes from the lab CA.`,
      hint: "Every process needs the CA file; the executor gets its variables from the agent flag.",
      solution:
        "all roles: + LIBPROCESS_SSL_CA_FILE, + LIBPROCESS_SSL_VERIFY_CERT=true, + LIBPROCESS_SSL_REQUIRE_CERT=true (1.11: the renamed flags + VERIFY_IPADD)",
      env: forAll(TLS),
      envByRelease: [
        { until: "1.10", env: { ...forAll(VERIFY_14), agent: { ...TLS, ...VERIFY_14, MESOS_EXECUTOR_ENVIRONMENT_VARIABLES: EXECUTOR_ENV(VERIFY_14) } } },
        { since: "1.10", env: { ...forAll(VERIFY_111), agent: { ...TLS, ...VERIFY_111, MESOS_EXECUTOR_ENVIRONMENT_VARIABLES: EXECUTOR_ENV(VERIFY_111) } } },
      ],
      files: [
        { roles: [...roles], path: CERT, from: "ssl/{role}.pem", mode: 0o644 },
        { roles: [...roles], path: KEY, from: "ssl/{role}-key.pem" },
        { roles: [...roles], path: CA, from: "ssl/ca.pem", mode: 0o644 },
      ],
      actions: [{ do: "execute", args: ["--name=foo", "--command=env"] }],
      expect: [
        {
          id: "requires-client-certs",
          says: "the master requires client certificates",
          source: { log: "master" },
          pattern: "Will require client certificates for incoming TLS connections\\.",
          cite: { at: "3rdparty/libprocess/src/openssl.cpp:604", ref: `${OBSERVED_111} TLS with certificate verification` },
          example: "openssl.cpp:604] Will require client certificates for incoming TLS connections.",
          since: "1.10", // with the flags 1.10 renamed
        },
        agentRegistered,
        subscribed,
        taskFinished,
      ],
    },
    {
      id: "rogue-agent",
      title: "An agent with a certificate from another CA",
      text: `The agent now presents a certificate issued by a **rogue** CA (\`ssl/rogue-agent.pem\`) — what an attacker's
machine would have. The master refuses the handshake: the agent is disconnected again and again and never registers.`,
      hint: "The master checks the agent's certificate chain against LIBPROCESS_SSL_CA_FILE.",
      solution: "agent: the certificate files now come from the rogue CA (nothing to fix: this is the attack being refused)",
      files: [
        { roles: ["agent"], path: CERT, from: "ssl/rogue-agent.pem", mode: 0o644 },
        { roles: ["agent"], path: KEY, from: "ssl/rogue-agent-key.pem" },
      ],
      ready: { agent: false },
      expect: [agentDisconnected, agentNotRegistered],
    },
  ],
});
