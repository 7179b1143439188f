import { defineExercise } from "../../src/model/exercise.js";
import {
  agentDisconnected,
  agentNotRegistered,
  agentRegistered,
  ATTACKS_SINCE,
  cites,
  executeExits,
  OBSERVED_111,
  FACTS_14,
  cite111,
  SOURCE_111,
  subscribed,
  taskFinished,
} from "../_shared/expect.js";
import { eavesdrop } from "./attack.js";

const CERT = "/etc/mesos-lab/ssl/cert.pem";
const KEY = "/etc/mesos-lab/ssl/key.pem";
/** Each role presents its own leaf of the lab CA (`{role}` → master, agent, scheduler). */
const TLS_FILES = (roles: Array<"master" | "agent" | "execute">) => [
  { roles, path: CERT, from: "ssl/{role}.pem", mode: 0o644 },
  { roles, path: KEY, from: "ssl/{role}-key.pem" },
];
const TLS_ENV = { LIBPROCESS_SSL_ENABLED: "true", LIBPROCESS_SSL_CERT_FILE: CERT, LIBPROCESS_SSL_KEY_FILE: KEY };
/** The executor runs inside the agent's container, so it can use the agent's certificate files. */
const EXECUTOR_TLS_JSON = JSON.stringify({ LIBPROCESS_SSL_ENABLED: "1", LIBPROCESS_SSL_CERT_FILE: CERT, LIBPROCESS_SSL_KEY_FILE: KEY });

const TASK = ["--name=foo", "--command=env"];

const taskFailed = [
  {
    id: "task-failed",
    says: "the task fails",
    source: { execute: "stdout" as const },
    pattern: "^Received status update TASK_FAILED for task 'foo'",
    cite: cites({ at: "src/slave/slave.cpp:6919-6920", ref: `${FACTS_14} §1.4` }, cite111("src/slave/slave.cpp:9781", `${SOURCE_111} §3`)),
    example: "Received status update TASK_FAILED for task 'foo'",
  },
  {
    id: "executor-terminated",
    says: "…because its executor terminated",
    source: { execute: "stdout" as const },
    pattern: "^  message: 'Executor terminated'",
    cite: cites({ at: "src/slave/slave.cpp:6919-6920", ref: `${FACTS_14} §1.4` }, cite111("src/slave/slave.cpp:9812-9813", `${SOURCE_111} §3`)),
    example: "  message: 'Executor terminated'",
  },
  {
    id: "reason",
    says: "the reason is REASON_EXECUTOR_TERMINATED",
    source: { execute: "stdout" as const },
    pattern: "^  reason: REASON_EXECUTOR_TERMINATED",
    cite: cites({ at: "src/slave/slave.cpp:6898", ref: `${FACTS_14} §1.4` }, cite111("src/slave/slave.cpp:9791", `${SOURCE_111} §3`)),
    example: "  reason: REASON_EXECUTOR_TERMINATED",
  },
];

export default defineExercise({
  id: "02",
  slug: "tls",
  title: "Encrypt everything with TLS",
  summary: "Turn on libprocess TLS on the master, the agent, the scheduler and — the part everyone forgets — the executor.",
  text: `Every Mesos component talks libprocess (HTTP underneath) to the others: in plain text, secrets included. TLS is
switched on **per process** with environment variables read by libprocess, not with Mesos flags:
\`LIBPROCESS_SSL_ENABLED\`, \`LIBPROCESS_SSL_CERT_FILE\` and \`LIBPROCESS_SSL_KEY_FILE\`.

A process with TLS on only accepts TLS connections, so the cluster must be switched over completely — master, agents,
schedulers **and executors**, which the agent starts with an environment of its own. The harness gives each role a
certificate of the lab CA (\`ssl/ca.pem\`); this exercise does not verify them yet — that is exercise 08.`,
  attacks: [eavesdrop],
  steps: [
    {
      id: "eavesdrop",
      title: "Attack: an eavesdropper on the scheduler's path",
      text: `The attacker puts a relay on the path between a scheduler and the master: it forwards every byte both ways and
records what it sees, as a tap on a switch or a router would. The scheduler (\`mesos-execute\`, sent to the relay's
address) runs a task with \`DB_PASSWORD\` in its environment. Its calls to the master — the task with its
environment among them — cross the relay in plain text, and the recording holds the secret.`,
      hint: "Read the attacker's pane: each line is readable text the relay saw pass, client→master or master→client.",
      attack: { id: "eavesdrop", expect: "works" },
      since: ATTACKS_SINCE,
    },
    {
      id: "master-tls",
      title: "TLS on the master only",
      text: `The master now speaks only TLS. The agent still finds it through ZooKeeper (which is not TLS), but its plain-text
connection is cut by the master: the agent is disconnected again and again and never registers. The harness's own
probes switch to https for the master.`,
      hint: "The agent log shows `Master disconnected!` after every attempt: the master hangs up on plain text.",
      solution: "master: + LIBPROCESS_SSL_ENABLED=true, + LIBPROCESS_SSL_CERT_FILE, + LIBPROCESS_SSL_KEY_FILE",
      env: { master: TLS_ENV },
      files: TLS_FILES(["master"]),
      expect: [
        agentDisconnected,
        {
          id: "accept-failed",
          says: "the master hangs up on the plain-text connection",
          source: { log: "master" },
          pattern: "Failed to accept socket: Failed accept: connection error: ",
          cite: { at: "3rdparty/libprocess/src/process.cpp:1068", ref: `${FACTS_14} §1.2`, derived: true },
          example: "Failed to accept socket: Failed accept: connection error: error:1407609C:SSL routines:SSL23_GET_CLIENT_HELLO:http request",
          until: "1.10", // 1.10's libprocess says `Failed to complete SSL connection` instead
        },
        agentNotRegistered,
      ],
    },
    {
      id: "agent-tls",
      title: "TLS on the agent",
      text: "The agent gets the same three variables with its own certificate. It connects over TLS and registers.",
      hint: "The agent needs LIBPROCESS_SSL_ENABLED and its own certificate and key files.",
      solution: "agent: + LIBPROCESS_SSL_ENABLED=true, + LIBPROCESS_SSL_CERT_FILE, + LIBPROCESS_SSL_KEY_FILE",
      env: { agent: TLS_ENV },
      files: TLS_FILES(["agent"]),
      expect: [agentRegistered],
    },
    {
      id: "scheduler-plain",
      title: "A plain-text scheduler",
      text: `\`mesos-execute\` still speaks plain HTTP. Its SUBSCRIBE is cut off by the TLS master, it re-detects the master
and tries again, many times a second. It never subscribes: Mesos 1.4's \`mesos-execute\` retries forever and the harness
stops it; the 1.11.1 scheduler library has even been seen to abort after a few seconds of this (\`Assertion 'isSome()'
failed\` in \`Option<process::http::URL>::get()\`), a race between its retries.`,
      hint: "The scheduler picks https only when LIBPROCESS_SSL_ENABLED is set in its own environment.",
      actions: [{ do: "execute", args: TASK, timeoutMs: 8000 }],
      expect: [
        {
          id: "subscribe-failed",
          says: "SUBSCRIBE fails: the connection is reset",
          source: { execute: "stderr" },
          pattern: "Request for call type SUBSCRIBE failed: Connection reset by peer",
          cite: cites(
            { at: "src/scheduler/scheduler.cpp:534", ref: `${FACTS_14} §1.3` },
            cite111(
              "src/scheduler/scheduler.cpp:643",
              `${OBSERVED_111} TLS`,
              "scheduler.cpp:643] Request for call type SUBSCRIBE failed: Connection reset by peer",
            ),
          ),
          example: "Request for call type SUBSCRIBE failed: Connection reset by peer",
        },
        { ...subscribed, id: "not-subscribed", says: "mesos-execute does not subscribe", negate: true },
      ],
    },
    {
      id: "executor-plain",
      title: "TLS scheduler, plain executor",
      text: `\`mesos-execute\` gets TLS and its own certificate: it subscribes and launches the task. But the agent starts the
command executor with an environment built from scratch — **without** the agent's \`LIBPROCESS_SSL_*\` variables. The
executor's plain-text connection to the TLS agent fails, it exits, and the task fails: \`Executor terminated\`.
Note that \`mesos-execute\` still exits 0: it exits 0 after any terminal task state.`,
      hint: "Who starts the executor, and which environment does it get?",
      solution: "execute: + LIBPROCESS_SSL_ENABLED=true, + LIBPROCESS_SSL_CERT_FILE, + LIBPROCESS_SSL_KEY_FILE",
      env: { execute: TLS_ENV },
      files: TLS_FILES(["execute"]),
      actions: [{ do: "execute", args: TASK }],
      expect: [subscribed, ...taskFailed, executeExits(0)],
    },
    {
      id: "executor-env",
      title: "Hand the executor its TLS environment (the workshop's fix)",
      text: `The workshop's fix: pass the variables with the task, \`mesos-execute --env='{"LIBPROCESS_SSL_ENABLED":"1",…}'\`.
The agent copies a command task's environment into its executor, so the executor speaks TLS — using the agent's
certificate files, since it runs in the agent's container. The task finishes.`,
      hint: "mesos-execute --env takes a JSON object of strings.",
      solution: `mesos-execute: + --env='${EXECUTOR_TLS_JSON}'`,
      actions: [{ do: "execute", args: [...TASK, `--env=${EXECUTOR_TLS_JSON}`] }],
      expect: [subscribed, taskFinished, { ...taskFailed[0]!, id: "no-failure", says: "the task does not fail", negate: true }],
    },
    {
      id: "agent-executor-env",
      title: "The cleaner fix: the agent hands every executor TLS",
      text: `Every framework would have to know the agent's certificate paths for \`--env\` to work — and \`--env\` is not
allowed with task groups at all. The agent can instead give every executor these variables:
\`MESOS_EXECUTOR_ENVIRONMENT_VARIABLES\` (a JSON object). \`mesos-execute\` goes back to a plain \`--command\`.`,
      hint: "docs/ssl.md: executors must be able to access the SSL environment variables — the agent flag does it for all.",
      solution: `agent: + MESOS_EXECUTOR_ENVIRONMENT_VARIABLES='${EXECUTOR_TLS_JSON}'`,
      env: { agent: { MESOS_EXECUTOR_ENVIRONMENT_VARIABLES: EXECUTOR_TLS_JSON } },
      actions: [{ do: "execute", args: TASK }],
      expect: [
        subscribed,
        taskFinished,
        {
          id: "executor-exited-0",
          says: "the agent sees the executor exit with status 0",
          source: { log: "agent" },
          pattern: "Executor 'foo' of framework \\S+ exited with status 0",
          cite: { at: "src/slave/slave.cpp:7107", ref: `${OBSERVED_111} TLS` },
          example: "slave.cpp:7107] Executor 'foo' of framework de1fdee6-…-0000 exited with status 0",
          since: "1.11", // seen on 1.11; the 1.4 facts do not quote it
        },
      ],
    },
    {
      id: "eavesdrop-replay",
      title: "Replay: the same eavesdropper, with TLS everywhere",
      text: `The same relay and the same scheduler, now that every process speaks TLS. The relay still forwards every
byte, so the task runs; but what it records is TLS records: the handshake (\`16 03 …\`), then ciphertext. The secret
is not in it.

**Not the whole story.** libprocess' default ciphers start with \`AES128-SHA\`, a static-RSA key exchange without
forward secrecy: whoever later gets the master's private key can decrypt a recording made today. And nothing here
checks *whose* certificate the master presents: a relay that terminates TLS with any certificate of its own reads
everything. Exercise 08 makes every process verify its peers.`,
      hint: "Compare the relay's first bytes in this step with the open cluster's.",
      attack: { id: "eavesdrop", expect: "blocked" },
      since: ATTACKS_SINCE,
    },
  ],
});
