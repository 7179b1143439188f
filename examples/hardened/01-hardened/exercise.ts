import { acl, acls, executeAs, taskAs } from "../../../exercises/_shared/acls.js";
import { agentRegistered, executeExits, OBSERVED_111, subscribed, taskFinished } from "../../../exercises/_shared/expect.js";
import { defineExercise } from "../../../src/model/exercise.js";

/**
 * Every control of the catalogue at once, on Mesos 1.11: what `mesos-lab audit` finds nothing on (README, "Auditing a
 * cluster"; test/real/audit.test.ts). Not part of the catalogue: a lab runs it with `exercisesDir: "examples/hardened"`.
 * Each block names the exercise that teaches it.
 */

const SSL = "/etc/mesos-lab/ssl";
const CREDS = "/etc/credentials/credentials.json";
const CRED = "/etc/credentials/credential.json";
const HTTP_CREDS = "/etc/credentials/http_credentials.json";
const JWT_KEY = "/etc/mesos/executor_secret_key";
const SCHED = "scheduler-principal";
const OPERATOR = "operator-principal";
const ROLE = "analytics";

/** 02 + 08: TLS everywhere, every peer verified against the lab CA, client certificates required (1.10+ names). */
const tls = (name: string) => ({
  LIBPROCESS_SSL_ENABLED: "true",
  LIBPROCESS_SSL_CERT_FILE: `${SSL}/${name}.pem`,
  LIBPROCESS_SSL_KEY_FILE: `${SSL}/${name}-key.pem`,
  LIBPROCESS_SSL_CA_FILE: `${SSL}/ca.pem`,
  LIBPROCESS_SSL_VERIFY_SERVER_CERT: "true",
  LIBPROCESS_SSL_REQUIRE_CLIENT_CERT: "true",
  LIBPROCESS_SSL_HOSTNAME_VALIDATION_SCHEME: "openssl",
  LIBPROCESS_SSL_VERIFY_IPADD: "true",
});

/** 05 + 10: nothing is allowed but what is listed; the operator may read the flags and the state (the audit does). */
const MASTER_ACLS = acls({
  permissive: false,
  register_agents: [acl("agent-principal", { agents: { type: "ANY" } })],
  register_frameworks: [acl(SCHED, { roles: { values: [ROLE] } })],
  run_tasks: [acl(SCHED, { users: { values: ["nobody"] } })],
  view_flags: [acl(OPERATOR, { flags: { type: "ANY" } })],
  view_frameworks: [acl(OPERATOR, { users: { type: "ANY" } })],
  view_tasks: [acl(OPERATOR, { users: { type: "ANY" } })],
  view_executors: [acl(OPERATOR, { users: { type: "ANY" } })],
});

/** 11: only the operator opens sessions in, or attaches to, a task's container. */
const operatorOnly = [acl(OPERATOR, { users: { type: "ANY" } }), { principals: { type: "ANY" }, users: { type: "NONE" } }];
const AGENT_ACLS = acls({
  launch_nested_container_sessions_as_user: operatorOnly,
  launch_nested_container_sessions_under_parent_with_user: operatorOnly,
  attach_containers_output: operatorOnly,
});

export default defineExercise({
  id: "01",
  slug: "hardened",
  title: "Every control at once",
  summary: "The controls of exercises 02-11 together on one cluster, and a task that still runs on it.",
  since: "1.10",
  text: `Each exercise of the catalogue starts from Mesos' defaults and closes one hole. This cluster closes all of them:
TLS with verified peers and client certificates (02, 08), authenticated agents and frameworks (03, 04), a
least-privilege allow-list (05, 10), every HTTP realm of master and agent behind credentials (06, 09, 11), executor
tokens checked by the agent (07), tasks run as the user they ask for (10), and sessions in a task only for the
operator (11). \`mesos-lab audit\` finds nothing on it.

One thing only shows when the controls meet. An agent that switches users runs each **executor** as its task's user,
here \`nobody\`, and the executor reads the TLS key the agent hands it (\`--executor_environment_variables\`). With the
agent's own key, root's and mode 0600, the executor dies at once: \`Could not load key file … Permission denied\`, and
the task fails. A key the executor can read, the task can read too (the POSIX launcher shares the agent's
filesystem), so the executor gets a certificate of its own (\`ssl/executor.pem\`, for the agent's address), not the
agent's.`,
  steps: [
    {
      id: "hardened",
      title: "Every control, and a task as nobody",
      text: `The master, the agent and \`mesos-execute\` start with every control on. \`scheduler-principal\` registers in
its role \`${ROLE}\` and runs a task as \`nobody\` under the HTTP command executor, whose token the agent checks.`,
      hint: "Compare the flags of each role with the exercise that teaches them (the comments of this file name them).",
      env: {
        master: {
          ...tls("master"),
          MESOS_AUTHENTICATE_AGENTS: "true",
          MESOS_AUTHENTICATE_FRAMEWORKS: "true",
          MESOS_CREDENTIALS: `file://${CREDS}`,
          MESOS_AUTHENTICATE_HTTP_FRAMEWORKS: "true",
          MESOS_HTTP_FRAMEWORK_AUTHENTICATORS: "basic",
          MESOS_AUTHENTICATE_HTTP_READONLY: "true",
          MESOS_AUTHENTICATE_HTTP_READWRITE: "true",
          MESOS_ACLS: MASTER_ACLS,
        },
        agent: {
          ...tls("agent"),
          MESOS_EXECUTOR_ENVIRONMENT_VARIABLES: JSON.stringify({ ...tls("executor"), LIBPROCESS_SSL_ENABLED: "1" }),
          MESOS_CREDENTIAL: `file://${CRED}`,
          MESOS_AUTHENTICATE_HTTP_READONLY: "true",
          MESOS_AUTHENTICATE_HTTP_READWRITE: "true",
          MESOS_HTTP_CREDENTIALS: `file://${HTTP_CREDS}`,
          // 07: with no --http_authenticators, an agent that authenticates executors loads basic and jwt
          // (src/slave/slave.cpp:335-345 at 1.11), so operators and executors each have theirs
          MESOS_AUTHENTICATE_HTTP_EXECUTORS: "true",
          MESOS_JWT_SECRET_KEY: JWT_KEY,
          MESOS_HTTP_COMMAND_EXECUTOR: "true",
          MESOS_SWITCH_USER: "true",
          MESOS_ACLS: AGENT_ACLS,
        },
        execute: tls("scheduler"),
      },
      files: [
        { roles: ["master"], path: `${SSL}/master.pem`, from: "ssl/master.pem", mode: 0o644 },
        { roles: ["master"], path: `${SSL}/master-key.pem`, from: "ssl/master-key.pem" },
        { roles: ["agent"], path: `${SSL}/agent.pem`, from: "ssl/agent.pem", mode: 0o644 },
        { roles: ["agent"], path: `${SSL}/agent-key.pem`, from: "ssl/agent-key.pem" },
        // the executor runs as the task's user: its key is readable by it, and is not the agent's
        { roles: ["agent"], path: `${SSL}/executor.pem`, from: "ssl/executor.pem", mode: 0o644 },
        { roles: ["agent"], path: `${SSL}/executor-key.pem`, from: "ssl/executor-key.pem", mode: 0o644 },
        { roles: ["execute"], path: `${SSL}/scheduler.pem`, from: "ssl/scheduler.pem", mode: 0o644 },
        { roles: ["execute"], path: `${SSL}/scheduler-key.pem`, from: "ssl/scheduler-key.pem" },
        { roles: ["master", "agent", "execute"], path: `${SSL}/ca.pem`, from: "ssl/ca.pem", mode: 0o644 },
        { roles: ["master"], path: CREDS, from: "credentials/credentials.json" },
        { roles: ["agent"], path: CRED, from: "credentials/credential.json" },
        { roles: ["agent"], path: HTTP_CREDS, from: "credentials/http_credentials.json" },
        { roles: ["agent"], path: JWT_KEY, from: "credentials/executor_secret_key" },
      ],
      // 10: mesos-execute has no user flag; the task asks for nobody in its --task JSON
      actions: [executeAs(`--task=${taskAs("nobody")}`, `--role=${ROLE}`)],
      expect: [
        agentRegistered,
        subscribed,
        taskFinished,
        executeExits(0),
        {
          id: "sandbox-for-nobody",
          says: "the agent creates the task's sandbox for user nobody",
          source: { log: "agent" },
          pattern: "Creating sandbox '\\S+/executors/foo/runs/\\S+' for user 'nobody'",
          cite: { at: "src/slave/paths.cpp:832", ref: `${OBSERVED_111} Observed 2026-12-07, every control at once` },
          example:
            "paths.cpp:832] Creating sandbox '/var/tmp/mesos/slaves/f04252e6-4594-4c72-9679-39e091565c3d-S0/frameworks/f04252e6-4594-4c72-9679-39e091565c3d-0000/executors/foo/runs/82af1c84-5943-4c81-bff8-857138fb5fea' for user 'nobody'",
        },
      ],
    },
  ],
});
