import { defineExercise } from "../../src/model/exercise.js";
import { agentNotRegistered, agentRegistered, executeExits, F111, F14, subscribed, taskFinished } from "../_shared/expect.js";

const KEY = "/etc/mesos/executor_secret_key";
const S19 = `${F14} §1.9`;
const O_JWT = `${F111} Executor authentication (JWT)`;
const O_AT = "observed:executor-authentication";

/** The agent's key flag: `--executor_secret_key` in 1.4, renamed `--jwt_secret_key` in 1.5. */
const keyFlag = { "1.4": { agent: { MESOS_EXECUTOR_SECRET_KEY: KEY } }, "1.11": { agent: { MESOS_JWT_SECRET_KEY: KEY } } };

/**
 * Reads the newest `foo` sandbox's stdout on the agent (the `env` output of the task) and prints its token line with
 * the decoded JWT payload appended: `MESOS_EXECUTOR_AUTHENTICATION_TOKEN=<jwt> claims <payload JSON>`.
 */
const SHOW_TOKEN = [
  "sh",
  "-c",
  [
    "run=$(ls -td /var/tmp/mesos/slaves/*/frameworks/*/executors/foo/runs/latest | head -n 1)",
    'line=$(grep "^MESOS_EXECUTOR_AUTHENTICATION_TOKEN=" "$run/stdout" | head -n 1)',
    "[ -n \"$line\" ] || { echo \"no MESOS_EXECUTOR_AUTHENTICATION_TOKEN in $run/stdout\"; exit 1; }",
    "p=$(printf %s \"$line\" | cut -d. -f2 | tr '_-' '/+')",
    'while [ $(( ${#p} % 4 )) -ne 0 ]; do p="$p="; done',
    'printf "%s claims %s\\n" "$line" "$(printf %s "$p" | base64 -d)"',
  ].join("; "),
];

const EXAMPLE_TOKEN_LINE =
  "MESOS_EXECUTOR_AUTHENTICATION_TOKEN=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJjaWQiOiI1ZjFkMWMzOS04ZDM3LTRiMGUtOWM1NS0zYzNlOGExZjBiNDIiLCJlaWQiOiJmb28iLCJmaWQiOiIwMWEyYzRmNy0zMDU5LTQxYjYtOTU4ZS1jYzhmMTc4N2I2MGMtMDAwMCJ9.Xq3mH2vVQkY0bN8r1T7wE5uJc9dLfA6sZgPoKiRyUhM" +
  ' claims {"cid":"5f1d1c39-8d37-4b0e-9c55-3c3e8a1f0b42","eid":"foo","fid":"01a2c4f7-3059-41b6-958e-cc8f1787b60c-0000"}';

/** What the sandbox-token exec printed: the token line (slave.cpp:8125-8130) or its claims (slave.cpp:2658-2686). */
const fromSandbox = (id: string, says: string, pattern: string, lines: string) => ({
  id,
  says,
  source: { exec: "sandbox-token" },
  pattern,
  cite: { at: `src/slave/slave.cpp:${lines}`, ref: S19 },
  example: EXAMPLE_TOKEN_LINE,
});

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
      cite: { at: "src/executor/executor.cpp:657", ref: S19, derived: true },
    },
    {
      id: `${action}-challenge`,
      says,
      source: { http: action, part: "headers" as const },
      pattern: `${challenge.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`,
      cite: { at: O_AT, ref: O_JWT },
      example: `WWW-Authenticate: ${challenge}`,
      profiles: ["1.11" as const],
    },
  ];
}

export default defineExercise({
  id: "07",
  slug: "executor-auth",
  title: "Executor authentication (JWT)",
  summary: "Give every executor a signed token and make the agent's executor API accept only executors that present one.",
  text: `Agents, frameworks and HTTP endpoints now prove who they are — but the agent's **executor API**
(\`/slave(1)/api/v1/executor\`) still lets any process on the network subscribe as an executor, receive tasks and send
status updates for them. Executor authentication closes that door: the agent signs a **JWT** (HMAC-SHA256 with a
secret key only it reads) for every executor it launches, hands it over in the executor's environment, and — with
\`--authenticate_http_executors\` — refuses HTTP executor calls without a valid token.

Both flags exist only in Mesos builds with SSL support. Mesos 1.5 renamed \`--executor_secret_key\` to
\`--jwt_secret_key\` (the old name is kept as an alias); the harness uses the name of the profile you run.`,
  steps: [
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
      envByProfile: keyFlag,
      files: [{ roles: ["agent"], path: KEY, from: "credentials/executor_secret_key", mode: 0o600 }],
      ready: { agent: false },
      expect: [
        {
          id: "basic-needs-credentials",
          says: "the agent exits: the default 'basic' authenticator has no credentials",
          source: { log: "agent" },
          pattern:
            "EXIT with status 1: Failed to create HTTP authenticator module 'basic': No credentials provided for the default 'basic' HTTP authenticator for realm 'mesos-agent-executor'",
          cite: { at: "src/slave/slave.cpp:358", ref: S19, derived: true },
          example:
            "EXIT with status 1: Failed to create HTTP authenticator module 'basic': No credentials provided for the default 'basic' HTTP authenticator for realm 'mesos-agent-executor'",
        },
        { id: "agent-exit-1", says: "the agent process exits with code 1", source: { exit: "agent" }, pattern: "^1$", cite: { at: "src/slave/slave.cpp:358", ref: S19, derived: true } },
        agentNotRegistered,
      ],
    },
    {
      id: "http-executor",
      title: "JWT only, and an HTTP executor with its token",
      text: `Two changes on the agent. \`MESOS_HTTP_AUTHENTICATORS=jwt\` loads only the JWT authenticator, so no HTTP
credentials are needed (setting \`MESOS_HTTP_CREDENTIALS\` would fix it too). And \`MESOS_HTTP_COMMAND_EXECUTOR=true\`
makes \`mesos-execute --command\` run under an **HTTP** command executor: the default command executor talks to the
agent over libprocess messages, never touches the executor API, and so would prove nothing.

The executor subscribes to \`/slave(1)/api/v1/executor\` with \`Authorization: Bearer
$MESOS_EXECUTOR_AUTHENTICATION_TOKEN\`; the agent logs the subscription only after it accepted the token. The task
runs \`env\`, so its sandbox \`stdout\` on the agent shows the executor's environment, token included. The harness
reads it there and decodes the token's middle part: the claims \`cid\` (container), \`eid\` (executor — the task
name \`foo\` for a command executor) and \`fid\` (framework). A token fits only the one executor it was made for.`,
      hint: "The token is a JWT: three base64url parts joined by dots. The middle one is JSON; decode it with `base64 -d`.",
      solution: "agent: + MESOS_HTTP_AUTHENTICATORS=jwt, + MESOS_HTTP_COMMAND_EXECUTOR=true",
      env: { agent: { MESOS_HTTP_AUTHENTICATORS: "jwt", MESOS_HTTP_COMMAND_EXECUTOR: "true" } },
      actions: [
        { do: "execute", args: ["--name=foo", "--command=env"] },
        { do: "exec", id: "sandbox-token", role: "agent", cmd: SHOW_TOKEN },
      ],
      expect: [
        {
          id: "jwt-realm",
          says: "the agent protects the mesos-agent-executor realm with the jwt authenticator",
          source: { log: "agent" },
          pattern: "Creating default 'jwt' HTTP authenticator for realm 'mesos-agent-executor'",
          cite: { at: "src/common/http.cpp:1047", ref: S19 },
          example: "Creating default 'jwt' HTTP authenticator for realm 'mesos-agent-executor'",
        },
        agentRegistered,
        subscribed,
        {
          id: "executor-subscribed",
          says: "the HTTP executor subscribes with its token",
          source: { log: "agent" },
          pattern: "Received Subscribe request for HTTP executor 'foo' of framework \\S+-\\d{4,}",
          cite: { at: "src/slave/slave.cpp:3727", ref: S19 },
          example: "Received Subscribe request for HTTP executor 'foo' of framework 01a2c4f7-3059-41b6-958e-cc8f1787b60c-0000",
        },
        taskFinished,
        executeExits(0),
        fromSandbox("token", "the executor's environment holds an HS256 JWT in MESOS_EXECUTOR_AUTHENTICATION_TOKEN", "^MESOS_EXECUTOR_AUTHENTICATION_TOKEN=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+ ", "8125-8130"),
        fromSandbox("claims", "its claims name the container (cid), the executor foo (eid) and the framework (fid)", ' claims \\{\\s*"cid":\\s*"[0-9a-f-]{36}",\\s*"eid":\\s*"foo",\\s*"fid":\\s*"[0-9a-f-]{36}-\\d{4,}"\\s*\\}$', "2658-2686"),
      ],
    },
    {
      id: "forged-token",
      title: "Call the executor API without a valid token",
      text: `Now pretend to be an executor. The harness posts a \`SUBSCRIBE\` call to the agent's executor API twice: once
without a token, once with a token that looks right — HS256, claims \`cid\`/\`eid\`/\`fid\` — but is signed with a key
that is not the agent's. Both are refused with \`401 Unauthorized\` before the agent looks at the call; the
\`WWW-Authenticate\` header says why. A token with the right signature but another executor's claims would get
\`403 Forbidden\`.

Try it yourself while \`mesos-lab up 07\` runs: \`curl -i -X POST -H 'Content-Type: application/json' -d
'{"type":"SUBSCRIBE"}' http://127.0.0.1:5051/slave\\(1\\)/api/v1/executor\`.`,
      hint: "The agent logs nothing at INFO for a 401: look at the HTTP answers, not the agent log.",
      solution: "no flag change: the agent from the previous step refuses calls without a token it signed",
      actions: [subscribeAs("no-token"), subscribeAs("forged", FORGED)],
      expect: [
        ...refused("no-token", "SUBSCRIBE without a token", "the agent asks for a Bearer token for the mesos-agent-executor realm", ""),
        ...refused("forged", "SUBSCRIBE with a forged token", "the forged token's signature does not match", ', error="invalid_token", error_description="Invalid JWT: Token signature does not match"'),
      ],
    },
  ],
});
