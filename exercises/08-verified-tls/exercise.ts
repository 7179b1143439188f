import { defineExercise } from "../../src/model/exercise.js";
import { agentRegistered, ATTACKS_SINCE, OBSERVED_111, subscribed, taskFinished } from "../_shared/expect.js";
import { rogueTlsAgent } from "./attack.js";

const DIR = "/etc/mesos-lab/ssl";
const CERT = `${DIR}/cert.pem`;
const KEY = `${DIR}/key.pem`;
const CA = `${DIR}/ca.pem`;
const TLS_ONLY = { LIBPROCESS_SSL_ENABLED: "true", LIBPROCESS_SSL_CERT_FILE: CERT, LIBPROCESS_SSL_KEY_FILE: KEY };
const TLS = { ...TLS_ONLY, LIBPROCESS_SSL_CA_FILE: CA };
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
  attacks: [rogueTlsAgent],
  steps: [
    {
      id: "rogue-tls-agent",
      title: "Attack: a rogue agent with a certificate of its own",
      text: `The cluster speaks TLS as exercise 02 left it: encrypted, nothing verified. The attacker starts an agent of its
own, with TLS and a certificate from **its own** CA (\`ssl/rogue-agent.pem\`, the rogue CA's). The handshake succeeds
(nobody checks whose certificate it is) and the master registers the rogue agent: from here on it is handed tasks
like any other agent.`,
      hint: "Which certificates does the master check? Read its startup lines: `Will not verify server certificates!`.",
      env: { master: TLS_ONLY, agent: { ...TLS_ONLY, MESOS_EXECUTOR_ENVIRONMENT_VARIABLES: JSON.stringify({ ...TLS_ONLY, LIBPROCESS_SSL_ENABLED: "1" }) } },
      files: [
        { roles: ["master", "agent"], path: CERT, from: "ssl/{role}.pem", mode: 0o644 },
        { roles: ["master", "agent"], path: KEY, from: "ssl/{role}-key.pem" },
      ],
      attack: { id: "rogue-tls-agent", expect: "works" },
      since: ATTACKS_SINCE,
    },
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
      id: "rogue-tls-agent-replay",
      title: "Replay: the rogue agent, now that every peer is verified",
      text: `The same rogue agent with its rogue-CA certificate. The master requires client certificates and checks them
against the lab CA (\`LIBPROCESS_SSL_CA_FILE\`): the rogue's handshake fails, its link to the master breaks again and
again (\`Failed to link …\`, \`Master disconnected!\`), and it never registers.

A lab-CA certificate stolen from an agent does not help either: its IP SANs name that agent's address, and
\`LIBPROCESS_SSL_VERIFY_IPADD\` checks them (\`IP address mismatch\`).`,
      hint: "The master checks the agent's certificate chain against LIBPROCESS_SSL_CA_FILE.",
      attack: { id: "rogue-tls-agent", expect: "blocked" },
      since: ATTACKS_SINCE,
    },
  ],
});
