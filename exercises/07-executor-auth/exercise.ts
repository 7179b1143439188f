import { defineExercise } from "../../src/model/exercise.js";
import {
  agentNotRegistered,
  agentRegistered,
  ATTACKS_SINCE,
  cites,
  executeExits,
  OBSERVED_111,
  FACTS_14,
  subscribed,
  taskFinished,
} from "../_shared/expect.js";
import { forgedUpdate } from "./attack.js";

const KEY = "/etc/mesos/executor_secret_key";
const FACTS_14_EXECUTOR_AUTH = `${FACTS_14} §1.9`;
const OBSERVED_JWT = `${OBSERVED_111} Executor authentication (JWT)`;
const OBSERVED_2026_11_29 = `${OBSERVED_111} Observed 2026-11-29`;
const OBSERVED_LAB_RUNS = `${OBSERVED_111} Observed 2026-11-29, mesos-lab runs`;
const OBSERVED_AT_EXECUTOR_AUTH = "observed:executor-authentication";

/**
 * Reads the newest `foo` sandbox's stdout on the agent (the `env` output of the task) and prints what the task's
 * environment says about the executor: its `MESOS_HTTP_COMMAND_EXECUTOR=` line and, if the task could see a token,
 * the token line with the decoded JWT payload appended: `MESOS_EXECUTOR_AUTHENTICATION_TOKEN=<jwt> claims <payload>`.
 */
const TASK_ENV = [
  "sh",
  "-c",
  [
    "run=$(ls -td /var/tmp/mesos/slaves/*/frameworks/*/executors/foo/runs/latest | head -n 1)",
    '[ -f "$run/stdout" ] || { echo "no sandbox stdout for foo"; exit 1; }',
    'grep "^MESOS_HTTP_COMMAND_EXECUTOR=" "$run/stdout"',
    'grep "^MESOS_EXECUTOR_AUTHENTICATION_TOKEN=" "$run/stdout" | while read -r line; do ' +
      "p=$(printf %s \"$line\" | cut -d. -f2 | tr '_-' '/+'); " +
      'while [ $(( ${#p} % 4 )) -ne 0 ]; do p="$p="; done; ' +
      'printf "%s claims %s\\n" "$line" "$(printf %s "$p" | base64 -d)"; done',
    "true",
  ].join("; "),
];

const EXAMPLE_TOKEN_LINE_14 =
  "MESOS_EXECUTOR_AUTHENTICATION_TOKEN=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJjaWQiOiI1ZjFkMWMzOS04ZDM3LTRiMGUtOWM1NS0zYzNlOGExZjBiNDIiLCJlaWQiOiJmb28iLCJmaWQiOiIwMWEyYzRmNy0zMDU5LTQxYjYtOTU4ZS1jYzhmMTc4N2I2MGMtMDAwMCJ9.Xq3mH2vVQkY0bN8r1T7wE5uJc9dLfA6sZgPoKiRyUhM" +
  ' claims {"cid":"5f1d1c39-8d37-4b0e-9c55-3c3e8a1f0b42","eid":"foo","fid":"01a2c4f7-3059-41b6-958e-cc8f1787b60c-0000"}';

/** As the v0 task on real 1.11 printed it (observed-1.11.md, Observed 2026-11-29, mesos-lab runs), decoded. */
const EXAMPLE_TOKEN_LINE_111 =
  "MESOS_EXECUTOR_AUTHENTICATION_TOKEN=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJjaWQiOiJjNmRjZTE2NC0wYjBiLTRlNjgtODFhYi1hZGQ4ODdjNTVlNDQiLCJlaWQiOiJmb28iLCJmaWQiOiI5MmZjMmJlMS0wNjc4LTQ0MTktYTYwMC05M2JlNTc0OTI0YzYtMDAwMSJ9.yI7_cYxJWNMgylzmmKdB6ajKVUKF-Uk8QLY7Kq-c6-Y" +
  ' claims {"cid":"c6dce164-0b0b-4e68-81ab-add887c55e44","eid":"foo","fid":"92fc2be1-0678-4419-a600-93be574924c6-0001"}';

const TOKEN_PATTERN = "^MESOS_EXECUTOR_AUTHENTICATION_TOKEN=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+ ";
const CLAIMS_PATTERN = ' claims \\{\\s*"cid":\\s*"[0-9a-f-]{36}",\\s*"eid":\\s*"foo",\\s*"fid":\\s*"[0-9a-f-]{36}-\\d{4,}"\\s*\\}$';

/**
 * A token the agent did not sign: well-formed, HS256, plausible claims, but signed with the key `not-the-agent-key`.
 * It is a constant on purpose — the signature check fails before any claim is looked at.
 */
const FORGED =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJjaWQiOiI1ZjFkMWMzOS04ZDM3LTRiMGUtOWM1NS0zYzNlOGExZjBiNDIiLCJlaWQiOiJmb28iLCJmaWQiOiIwMWEyYzRmNy0zMDU5LTQxYjYtOTU4ZS1jYzhmMTc4N2I2MGMtMDAwMCJ9.gRBF9EGgm5zF11Pgy_O10MnhYOG56Pn1oXk3ni8HIQw";

const SUBSCRIBE = JSON.stringify({
  type: "SUBSCRIBE",
  framework_id: { value: "01a2c4f7-3059-41b6-958e-cc8f1787b60c-0000" },
  executor_id: { value: "foo" },
  subscribe: { unacknowledged_tasks: [], unacknowledged_updates: [] },
});

const subscribeAs = (id: string, bearer?: string) => ({
  do: "http" as const,
  id,
  role: "agent" as const,
  method: "POST" as const,
  path: "/slave(1)/api/v1/executor",
  headers: { "Content-Type": "application/json" },
  body: SUBSCRIBE,
  ...(bearer ? { auth: { bearer } } : {}),
});

/**
 * A refused executor API call: the 401 (1.4: derived from the executor library's error text) and, as observed on 1.11,
 * the Bearer challenge of the mesos-agent-executor realm with what followed it (`error`, if any).
 */
function refused(action: string, what: string, says: string, error: string) {
  const challenge = `Bearer realm="mesos-agent-executor"${error}`;
  return [
    {
      id: `${action}-401`,
      says: `${what} is 401 Unauthorized`,
      source: { http: action, part: "status" as const },
      pattern: "^HTTP/1\\.1 401 Unauthorized$",
      cite: cites({ at: "src/executor/executor.cpp:657", ref: FACTS_14_EXECUTOR_AUTH, derived: true }, { at: OBSERVED_AT_EXECUTOR_AUTH, ref: OBSERVED_JWT }),
    },
    {
      id: `${action}-challenge`,
      says,
      source: { http: action, part: "headers" as const },
      pattern: `${challenge.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`,
      cite: { at: OBSERVED_AT_EXECUTOR_AUTH, ref: OBSERVED_JWT },
      example: `WWW-Authenticate: ${challenge}`,
      since: "1.11", // seen on 1.11; the 1.4 facts do not quote the header
    },
  ];
}

/** The agent logs an HTTP executor's subscription only after it accepted the executor's token. */
const executorSubscribed = {
  id: "executor-subscribed",
  says: "the HTTP executor subscribes with its token",
  source: { log: "agent" as const },
  pattern: "Received Subscribe request for HTTP executor 'foo' of framework \\S+-\\d{4,}",
  cite: cites(
    { at: "src/slave/slave.cpp:3727", ref: FACTS_14_EXECUTOR_AUTH },
    {
      at: "src/slave/slave.cpp:5252",
      ref: OBSERVED_JWT,
      example: "slave.cpp:5252] Received Subscribe request for HTTP executor 'foo' of framework ecedb0cc-3a0f-47db-bcb0-7e34249bd5eb-0000",
    },
  ),
  example: "Received Subscribe request for HTTP executor 'foo' of framework 01a2c4f7-3059-41b6-958e-cc8f1787b60c-0000",
};

export default defineExercise({
  id: "07",
  slug: "executor-auth",
  title: "Executor authentication (JWT)",
  summary: "Give every executor a signed token, make the agent's executor API accept only executors that present one, and see where the token lives.",
  text: `Agents, frameworks and HTTP endpoints now prove who they are — but the agent's **executor API**
(\`/slave(1)/api/v1/executor\`) still lets any process on the network subscribe as an executor, receive tasks and send
status updates for them. Executor authentication closes that door: the agent signs a **JWT** (HMAC-SHA256 with a
secret key only it reads) for every executor it launches, hands it over in the executor's environment as
\`MESOS_EXECUTOR_AUTHENTICATION_TOKEN\`, and — with \`--authenticate_http_executors\` — refuses HTTP executor calls
without a valid token.

A token in an environment variable is a secret next to the task it serves: the executor and its task usually run as
the same user in the same container. This chapter follows the token: who reads it, who erases it, and who can still
see it.

Both flags exist only in Mesos builds with SSL support. Mesos 1.5 renamed \`--executor_secret_key\` to
\`--jwt_secret_key\` (the old name is kept as an alias); the harness uses the name of the profile you run.`,
  attacks: [forgedUpdate],
  steps: [
    {
      id: "forged-update",
      title: "Attack: speak for another task's executor",
      text: `A task \`victim\` runs. The agent's executor API (\`/slave(1)/api/v1/executor\`) takes its executors' status
updates, and nothing asks who is calling. The attacker finds the victim's framework ID in the agent's list of sandboxes
and posts an \`UPDATE\` as executor \`victim\`: \`TASK_KILLED\`, with a message of its own. \`202 Accepted\`: the agent
forwards it to the master, and the victim's scheduler is told its task was killed. (mesos-execute then exits, and its
framework's teardown really kills the task; a scheduler that stays would keep believing the lie while the task runs
on.)`,
      hint: "Read the victim's mesos-execute output: whose message is on its TASK_KILLED?",
      attack: { id: "forged-update", expect: "works" },
      since: ATTACKS_SINCE,
    },
    {
      id: "enforce-gotcha",
      title: "Give executors a token, and enforce it",
      text: `The agent gets a secret key file (\`${KEY}\`, mode 0600) and \`MESOS_EXECUTOR_SECRET_KEY\` pointing at it
(\`MESOS_JWT_SECRET_KEY\` since 1.5). With a key, the agent signs a token for every executor it launches and puts it
in the executor's environment as \`MESOS_EXECUTOR_AUTHENTICATION_TOKEN\` — it logs nothing about it.

A token alone enforces nothing. \`MESOS_AUTHENTICATE_HTTP_EXECUTORS=true\` makes the agent check tokens on its
executor API. The documentation says the default JWT authenticator is loaded — but without
\`--http_authenticators\` the agent loads **\`basic,jwt\`** for the \`mesos-agent-executor\` realm, and \`basic\`
needs \`--http_credentials\`, which this agent does not have. It exits with status 1 right at startup and never
registers.`,
      hint: "Read the agent's last line: which authenticator could not be created, and what does it need?",
      solution:
        "agent: + MESOS_EXECUTOR_SECRET_KEY=/etc/mesos/executor_secret_key (1.11: MESOS_JWT_SECRET_KEY; the file mode 0600), + MESOS_AUTHENTICATE_HTTP_EXECUTORS=true — which fails on its own: see the next step",
      env: { agent: { MESOS_AUTHENTICATE_HTTP_EXECUTORS: "true" } },
      // the agent's key flag: `--executor_secret_key` in 1.4, renamed `--jwt_secret_key` in 1.5
      envByRelease: [
        { until: "1.5", env: { agent: { MESOS_EXECUTOR_SECRET_KEY: KEY } } },
        { since: "1.5", env: { agent: { MESOS_JWT_SECRET_KEY: KEY } } },
      ],
      files: [{ roles: ["agent"], path: KEY, from: "credentials/executor_secret_key", mode: 0o600 }],
      ready: { agent: false },
      expect: [
        {
          id: "basic-needs-credentials",
          says: "the agent exits: the default 'basic' authenticator has no credentials",
          source: { log: "agent" },
          pattern:
            "EXIT with status 1: Failed to create HTTP authenticator module 'basic': No credentials provided for the default 'basic' HTTP authenticator for realm 'mesos-agent-executor'",
          cite: cites(
            { at: "src/slave/slave.cpp:358", ref: FACTS_14_EXECUTOR_AUTH, derived: true },
            {
              at: "src/slave/slave.cpp:387",
              ref: OBSERVED_JWT,
              example:
                "slave.cpp:387] EXIT with status 1: Failed to create HTTP authenticator module 'basic': No credentials provided for the default 'basic' HTTP authenticator for realm 'mesos-agent-executor'",
            },
          ),
          example:
            "EXIT with status 1: Failed to create HTTP authenticator module 'basic': No credentials provided for the default 'basic' HTTP authenticator for realm 'mesos-agent-executor'",
        },
        {
          id: "agent-exit-1",
          says: "the agent process exits with code 1",
          source: { exit: "agent" },
          pattern: "^1$",
          cite: cites({ at: "src/slave/slave.cpp:358", ref: FACTS_14_EXECUTOR_AUTH, derived: true }, { at: "src/slave/slave.cpp:387", ref: OBSERVED_JWT }),
        },
        agentNotRegistered,
      ],
    },
    {
      id: "http-executor",
      title: "An HTTP executor uses its token — and hides it from its task",
      text: `Two changes on the agent. \`MESOS_HTTP_AUTHENTICATORS=jwt\` loads only the JWT authenticator, so no HTTP
credentials are needed (setting \`MESOS_HTTP_CREDENTIALS\` would fix it too). And \`MESOS_HTTP_COMMAND_EXECUTOR=true\`
makes \`mesos-execute --command\` run under an **HTTP** command executor, one built on the v1 executor library.

**Where the token lives.** The agent signs the token when it launches the executor and puts it into the executor's
environment (\`src/slave/slave.cpp:11500-11503\` in 1.11). The v1 executor library reads it once at startup and
subscribes to \`/slave(1)/api/v1/executor\` with \`Authorization: Bearer <token>\`. The agent authenticates the call
before its handler runs, so its log line \`Received Subscribe request for HTTP executor 'foo'\` means the token was
accepted.

**Why the task cannot see it.** Right after reading the token, the library erases it from its own environment
(\`src/executor/executor.cpp:288-295\`, "so that it is not visible to other processes in the same PID namespace"). It
overwrites the value before it unsets the variable, so even \`/proc/<executor pid>/environ\` lists only
\`MESOS_EXECUTOR_AUTHENTICATION_TOKEN=\` followed by NUL bytes. The command executor then starts the task with its
own, now token-free, environment. The task runs \`env\`; the harness reads its sandbox \`stdout\` on the agent:
\`MESOS_HTTP_COMMAND_EXECUTOR=1\` is there, the token is not.

**Where else it is.** Not everywhere is wiped. While the container runs, the agent keeps the launch information,
environment included, in \`/var/run/mesos/containers/<container id>/launch_info\` (root only, mode 0600; removed with
the container), and the executor's parent process, \`mesos-containerizer launch\`, carries the same in its
\`MESOS_CONTAINERIZER_LAUNCH_INFO\` variable. In this lab every process runs as root (\`MESOS_SWITCH_USER=false\`), and a
task that walks up to its executor's parent can read the token in that process's \`/proc/<pid>/environ\`. The erase
keeps the token out of the task's own environment, not out of reach of everything the task's user may read.

**Mesos 1.4** did not erase anything yet (the change came in 1.6): under the 1.4 profile the task of the HTTP
executor prints the token like the v0 task of the next step.`,
      hint: "The agent logs the executor's subscription only after it accepted the token. Then look at what the task printed: which MESOS_ variables made it into its environment?",
      solution: "agent: + MESOS_HTTP_AUTHENTICATORS=jwt, + MESOS_HTTP_COMMAND_EXECUTOR=true",
      env: { agent: { MESOS_HTTP_AUTHENTICATORS: "jwt", MESOS_HTTP_COMMAND_EXECUTOR: "true" } },
      actions: [
        { do: "execute", args: ["--name=foo", "--command=env"] },
        { do: "exec", id: "task-env", role: "agent", cmd: TASK_ENV },
      ],
      expect: [
        {
          id: "jwt-realm",
          says: "the agent protects the mesos-agent-executor realm with the jwt authenticator",
          source: { log: "agent" },
          pattern: "Creating default 'jwt' HTTP authenticator for realm 'mesos-agent-executor'",
          cite: cites(
            { at: "src/common/http.cpp:1047", ref: FACTS_14_EXECUTOR_AUTH },
            {
              at: "src/common/http.cpp:1317",
              ref: OBSERVED_LAB_RUNS,
              example: "http.cpp:1317] Creating default 'jwt' HTTP authenticator for realm 'mesos-agent-executor'",
            },
          ),
          example: "Creating default 'jwt' HTTP authenticator for realm 'mesos-agent-executor'",
        },
        agentRegistered,
        subscribed,
        executorSubscribed,
        taskFinished,
        executeExits(0),
        {
          id: "http-command-executor",
          says: "the task ran under the HTTP command executor (MESOS_HTTP_COMMAND_EXECUTOR=1 in its environment)",
          source: { exec: "task-env" },
          pattern: "^MESOS_HTTP_COMMAND_EXECUTOR=1$",
          cite: cites({ at: "src/slave/slave.cpp:8102", ref: FACTS_14_EXECUTOR_AUTH }, { at: "src/slave/slave.cpp:11467", ref: OBSERVED_LAB_RUNS }),
          example: "MESOS_HTTP_COMMAND_EXECUTOR=1",
        },
        {
          id: "no-token",
          says: "the task's environment has no MESOS_EXECUTOR_AUTHENTICATION_TOKEN: the executor library erased it",
          source: { exec: "task-env" },
          pattern: "^MESOS_EXECUTOR_AUTHENTICATION_TOKEN=",
          negate: true,
          timeoutMs: 1000,
          cite: { at: "src/executor/executor.cpp:288-295", ref: OBSERVED_2026_11_29 },
          example: EXAMPLE_TOKEN_LINE_111,
          since: "1.6", // the executor library erases the token since 1.6
        },
        {
          id: "token-14",
          says: "1.4: the task still sees the token in its environment (the 1.4 executor library does not erase it)",
          source: { exec: "task-env" },
          pattern: TOKEN_PATTERN,
          cite: { at: "src/slave/slave.cpp:8125-8130", ref: FACTS_14_EXECUTOR_AUTH, derived: true },
          example: EXAMPLE_TOKEN_LINE_14,
          until: "1.6",
        },
      ],
    },
    {
      id: "v0-executor",
      title: "The v0 command executor leaves the token to its task",
      text: `Now \`MESOS_HTTP_COMMAND_EXECUTOR\` goes away and \`mesos-execute --command\` runs under the default, **v0**
command executor again. It is built on the old executor driver: it registers with the agent over libprocess messages
(the agent logs \`Got registration for executor 'foo'\`), never calls the executor API and never reads the token. The
agent signs a token for it all the same — it does so for every executor while it has a key — and nobody erases it.

The task inherits the executor's environment, token included: its \`env\` output shows
\`MESOS_EXECUTOR_AUTHENTICATION_TOKEN=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…\`. The harness decodes the middle part
of the JWT: the claims \`cid\` (the container — the name of the sandbox's run directory), \`eid\` (the executor, the
task name \`foo\` for a command executor) and \`fid\` (the framework). The agent checks them on every executor API
call: the same token with another framework's ID in the call is answered \`403 Forbidden\` (\`… does not contain an
'fid' claim with the framework ID …\`). But for as long as this executor runs, whoever reads the task's environment
can speak for the executor: a \`MESSAGE\` call with the token copied from a running task's environment was answered
\`202 Accepted\`, and the agent passed the message on to the framework. Once the executor and its framework are
gone, the token gets \`400 Framework cannot be found\`.

Lesson: prefer executors built on the v1 library, like the HTTP command executor of the previous step, and treat a
task's environment — and a token in it — as readable by everyone who can read the task's processes.`,
      hint: "Compare the agent log with the previous step: how did the executor register this time, and what did the task print?",
      solution: "agent: - MESOS_HTTP_COMMAND_EXECUTOR (the v0 command executor is the default)",
      env: { agent: { MESOS_HTTP_COMMAND_EXECUTOR: null } },
      actions: [
        { do: "execute", args: ["--name=foo", "--command=env"] },
        { do: "exec", id: "task-env", role: "agent", cmd: TASK_ENV },
      ],
      expect: [
        agentRegistered,
        {
          id: "v0-registered",
          says: "the v0 command executor registers over libprocess messages",
          source: { log: "agent" },
          pattern: "Got registration for executor 'foo' of framework \\S+-\\d{4,} from executor\\(1\\)@\\S+",
          cite: cites(
            { at: "src/slave/slave.cpp:3935", ref: `${FACTS_14} §1.1` },
            {
              at: "src/slave/slave.cpp:5488",
              ref: OBSERVED_LAB_RUNS,
              example:
                "slave.cpp:5488] Got registration for executor 'foo' of framework 92fc2be1-0678-4419-a600-93be574924c6-0001 from executor(1)@10.213.118.4:36017",
            },
          ),
          example: "Got registration for executor 'foo' of framework 01a2c4f7-3059-41b6-958e-cc8f1787b60c-0000 from executor(1)@10.213.1.4:40123",
        },
        {
          ...executorSubscribed,
          id: "no-executor-api",
          says: "it never subscribes on the executor API",
          pattern: "Received Subscribe request for HTTP executor 'foo'",
          negate: true,
          timeoutMs: 1000,
        },
        taskFinished,
        executeExits(0),
        {
          id: "token",
          says: "the task's environment holds the executor's HS256 JWT in MESOS_EXECUTOR_AUTHENTICATION_TOKEN",
          source: { exec: "task-env" },
          pattern: TOKEN_PATTERN,
          cite: cites(
            { at: "src/slave/slave.cpp:8125-8130", ref: FACTS_14_EXECUTOR_AUTH },
            { at: "src/slave/slave.cpp:11500-11503", ref: OBSERVED_2026_11_29, example: EXAMPLE_TOKEN_LINE_111 },
          ),
          example: EXAMPLE_TOKEN_LINE_14,
        },
        {
          id: "claims",
          says: "its claims name the container (cid), the executor foo (eid) and the framework (fid)",
          source: { exec: "task-env" },
          pattern: CLAIMS_PATTERN,
          cite: cites(
            { at: "src/slave/slave.cpp:2658-2686", ref: FACTS_14_EXECUTOR_AUTH },
            { at: "src/slave/slave.cpp:3701-3716", ref: OBSERVED_LAB_RUNS, example: EXAMPLE_TOKEN_LINE_111 },
          ),
          example: EXAMPLE_TOKEN_LINE_14,
        },
      ],
    },
    {
      id: "forged-token",
      title: "Call the executor API without a valid token",
      text: `The attacker's forged \`UPDATE\` again, now that the agent checks executor tokens: \`401 Unauthorized\`, with a
Bearer challenge, and the victim's task is not reported killed. Then the harness posts a \`SUBSCRIBE\` to the executor
API twice: once without a token, once with a token that looks right — HS256, claims \`cid\`/\`eid\`/\`fid\` — but is
signed with a key that is not the agent's. Both are refused with \`401 Unauthorized\` before the agent looks at the
call; the \`WWW-Authenticate\` header says why. A token with the right signature but another executor's claims would
get \`403 Forbidden\`.

Try it yourself while \`mesos-lab up 07\` runs: \`curl -i -X POST -H 'Content-Type: application/json' -d
'{"type":"SUBSCRIBE"}' http://127.0.0.1:5051/slave\\(1\\)/api/v1/executor\`.`,
      hint: "The agent logs nothing at INFO for a 401: look at the HTTP answers, not the agent log.",
      solution: "no flag change: the agent from the previous step refuses calls without a token it signed",
      attack: { id: "forged-update", expect: "blocked" },
      since: ATTACKS_SINCE,
      actions: [subscribeAs("no-token"), subscribeAs("forged", FORGED)],
      expect: [
        ...refused("no-token", "SUBSCRIBE without a token", "the agent asks for a Bearer token for the mesos-agent-executor realm", ""),
        ...refused(
          "forged",
          "SUBSCRIBE with a forged token",
          "the forged token's signature does not match",
          ', error="invalid_token", error_description="Invalid JWT: Token signature does not match"',
        ),
      ],
    },
  ],
});
