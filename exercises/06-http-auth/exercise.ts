import { defineExercise } from "../../src/model/exercise.js";
import { ATTACKS_SINCE, OBSERVED_111 } from "../_shared/expect.js";
import { challenged, creating, ok, ok111 } from "../_shared/http.js";
import { anonymousHttp, PAYROLL_SECRET } from "./attack.js";

const CREDS = "/etc/credentials/credentials.json";
const HTTP_CREDS = "/etc/credentials/http_credentials.json";

const viewer = { principal: "viewer-principal", secret: "${secret:viewer-principal}" };
const operator = { principal: "operator-principal", secret: "${secret:operator-principal}" };

export default defineExercise({
  id: "06",
  slug: "http-auth",
  title: "HTTP endpoint authentication",
  summary: "Close the master's and the agent's HTTP endpoints (/state, /flags, the operator API) to anonymous callers.",
  text: `Authenticated agents and frameworks are not enough: the master's and agents' HTTP endpoints still answer anyone.
They show the flags (how the cluster is secured, and which files hold its credentials), serve every task's sandbox
(its stdout and stderr, with whatever secret a task prints), and tear frameworks down. Mesos groups endpoints into **realms**: read-only (\`mesos-master-readonly\`), read-write
(\`mesos-master-readwrite\`), and the same for the agent. Each realm can require HTTP Basic authentication with the
principals of a credentials file. \`/health\` and \`/version\` always stay open so load balancers keep working.

The harness sends the requests itself (a real HTTP client on your machine); you can repeat them with
\`curl -i http://127.0.0.1:5050/master/state\` while \`mesos-lab up 06\` keeps the cluster running.`,
  attacks: [anonymousHttp],
  steps: [
    {
      id: "anonymous",
      title: "Attack: read a task's secret and tear its framework down, anonymously",
      text: `A task is running (\`payroll\`, with \`DB_PASSWORD\` in its environment, which it prints on stdout). From the
attacker's host on the lab network, without any credential:

- \`GET /master/flags\` shows how the cluster is secured: \`"authenticate_http_readonly":"false"\`;
- the agent's sandbox browser (\`/files/debug\` lists the sandboxes, \`/files/read\` reads them) hands out the task's
  stdout: \`DB_PASSWORD=${PAYROLL_SECRET}\`;
- \`POST /master/teardown\` with the framework's ID removes the framework, and the master kills its task.

The steps that follow close these doors one realm at a time; the last step replays the same attack.`,
      hint: "Every endpoint answers: nothing asks who is calling. Read the attacker's pane.",
      attack: { id: "anonymous-http", expect: "works" },
      since: ATTACKS_SINCE,
    },
    {
      id: "master-readonly",
      title: "Protect the master's read-only endpoints",
      text: `The master gets \`MESOS_AUTHENTICATE_HTTP_READONLY=true\` and the credentials file. An anonymous \`GET
/master/state\` is now answered \`401 Unauthorized\` with \`WWW-Authenticate: Basic realm="mesos-master-readonly"\`;
the same request as \`viewer-principal\` gets the state. \`/health\` stays open.`,
      hint: "Without MESOS_CREDENTIALS the master refuses to start: the basic authenticator has no one to check against.",
      solution: "master: + MESOS_AUTHENTICATE_HTTP_READONLY=true, + MESOS_CREDENTIALS=file:///etc/credentials/credentials.json",
      env: { master: { MESOS_AUTHENTICATE_HTTP_READONLY: "true", MESOS_CREDENTIALS: `file://${CREDS}` } },
      files: [{ roles: ["master"], path: CREDS, from: "credentials/credentials.json" }],
      actions: [
        { do: "http", id: "state-anonymous", role: "master", path: "/master/state" },
        { do: "http", id: "state-viewer", role: "master", path: "/master/state", auth: viewer },
        { do: "http", id: "health", role: "master", path: "/health" },
      ],
      expect: [
        creating("mesos-master-readonly", "master"),
        ...challenged("state-anonymous", "mesos-master-readonly", "GET /master/state"),
        ok("state-viewer", "GET /master/state as viewer-principal", ok111.state),
        ok("health", "GET /health without credentials", ok111.masterHealth),
      ],
    },
    {
      id: "master-readwrite",
      title: "Protect the master's read-write endpoints",
      text: `\`MESOS_AUTHENTICATE_HTTP_READWRITE=true\` closes the endpoints that change the cluster — the operator API
\`/api/v1\`, \`/teardown\`, \`/reserve\`, \`/quota\`, … — in the \`mesos-master-readwrite\` realm. An anonymous operator
call is refused; \`operator-principal\` gets its answer.`,
      hint: 'The operator API is POST /api/v1 with a JSON body such as {"type":"GET_HEALTH"}.',
      solution: "master: + MESOS_AUTHENTICATE_HTTP_READWRITE=true",
      env: { master: { MESOS_AUTHENTICATE_HTTP_READWRITE: "true" } },
      actions: [
        {
          do: "http",
          id: "api-anonymous",
          role: "master",
          method: "POST",
          path: "/api/v1",
          headers: { "Content-Type": "application/json" },
          body: '{"type":"GET_HEALTH"}',
        },
        {
          do: "http",
          id: "api-operator",
          role: "master",
          method: "POST",
          path: "/api/v1",
          headers: { "Content-Type": "application/json" },
          body: '{"type":"GET_HEALTH"}',
          auth: operator,
        },
      ],
      expect: [
        creating("mesos-master-readwrite", "master"),
        ...challenged("api-anonymous", "mesos-master-readwrite", "POST /api/v1"),
        ok("api-operator", "POST /api/v1 as operator-principal", ok111.masterGetHealth),
      ],
    },
    {
      id: "agent-readonly",
      title: "The agent has endpoints of its own",
      text: `The agent's \`/state\` was open all along — the master's flags do not protect it. The agent needs its own
\`MESOS_AUTHENTICATE_HTTP_READONLY=true\` and its own credentials, \`MESOS_HTTP_CREDENTIALS\` (it does not read the
master's \`--credentials\`). Its realm is \`mesos-agent-readonly\`.`,
      hint: "The agent reads HTTP principals from --http_credentials, a file in the same JSON format as the master's.",
      solution: "agent: + MESOS_AUTHENTICATE_HTTP_READONLY=true, + MESOS_HTTP_CREDENTIALS=file:///etc/credentials/http_credentials.json",
      env: { agent: { MESOS_AUTHENTICATE_HTTP_READONLY: "true", MESOS_HTTP_CREDENTIALS: `file://${HTTP_CREDS}` } },
      files: [{ roles: ["agent"], path: HTTP_CREDS, from: "credentials/http_credentials.json" }],
      actions: [
        { do: "http", id: "agent-state-anonymous", role: "agent", path: "/state" },
        { do: "http", id: "agent-state-viewer", role: "agent", path: "/state", auth: viewer },
        { do: "http", id: "agent-health", role: "agent", path: "/health" },
      ],
      expect: [
        creating("mesos-agent-readonly", "agent"),
        ...challenged("agent-state-anonymous", "mesos-agent-readonly", "GET agent /state"),
        ok("agent-state-viewer", "GET agent /state as viewer-principal", ok111.state),
        ok("agent-health", "GET agent /health without credentials", ok111.agentHealth),
      ],
    },
    {
      id: "anonymous-replay",
      title: "Replay: the same attack, after the controls",
      text: `The same anonymous requests again: the flags, the sandbox and the teardown are each answered \`401
Unauthorized\` for their realm, and the framework stays.

**A door stays open.** The agent's operator API (\`POST /api/v1\`) is in its *read-write* realm, which this exercise
did not close: an anonymous \`GET_EXECUTORS\` still answers \`200\` with the task's environment, \`DB_PASSWORD\`
included. Exercise 11 closes it.`,
      hint: "Compare the realms in the WWW-Authenticate headers with the flags each step set.",
      attack: { id: "anonymous-http", expect: "blocked" },
      since: ATTACKS_SINCE,
      actions: [
        {
          do: "attack",
          id: "executors",
          http: true,
          run: `curl -si -X POST -H 'Content-Type: application/json' -d '{"type":"GET_EXECUTORS"}' http://\${target.agent}/api/v1`,
        },
      ],
      expect: [
        {
          id: "still-open",
          says: "still open (exercise 11 closes it): the agent's operator API answers an anonymous GET_EXECUTORS with the task's environment",
          source: { attacker: "executors", part: "body" },
          pattern: `"name":"DB_PASSWORD","type":"VALUE","value":"${PAYROLL_SECRET}"`,
          cite: { at: "src/slave/http.cpp:1775", ref: `${OBSERVED_111} Observed 2026-12-06, attack 06` },
        },
      ],
    },
  ],
});
