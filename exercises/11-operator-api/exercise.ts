import { defineExercise } from "../../src/model/exercise.js";
import { challenged, creating, ok, ok111 } from "../_shared/http.js";

const HTTP_CREDS = "/etc/credentials/http_credentials.json";
const call = (id: string, type: string, auth?: { principal: string; secret: string }) => ({
  do: "http" as const,
  id,
  role: "agent" as const,
  method: "POST" as const,
  path: "/api/v1",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ type }),
  ...(auth ? { auth } : {}),
});
const operator = { principal: "operator-principal", secret: "${secret:operator-principal}" };

/** What nested-container sessions need, shown to attendees; not applied by the harness (see the exercise text). */
const SESSION_ACLS = JSON.stringify(
  {
    launch_nested_container_sessions_as_user: [
      { principals: { values: ["operator-principal"] }, users: { type: "ANY" } },
      { principals: { type: "ANY" }, users: { type: "NONE" } },
    ],
    attach_containers_input: [
      { principals: { values: ["operator-principal"] }, users: { type: "ANY" } },
      { principals: { type: "ANY" }, users: { type: "NONE" } },
    ],
    attach_containers_output: [
      { principals: { values: ["operator-principal"] }, users: { type: "ANY" } },
      { principals: { type: "ANY" }, users: { type: "NONE" } },
    ],
  },
  null,
  2,
);

export default defineExercise({
  id: "11",
  slug: "operator-api",
  title: "Protect the agent's operator API",
  summary: "Close the agent's /api/v1 — the API behind `task exec` shells such as MesosTerm — to anonymous callers.",
  text: `The agent's v1 operator API (\`POST /api/v1\`) lists every container, reads their files, and — with
\`LAUNCH_NESTED_CONTAINER_SESSION\` plus \`ATTACH_CONTAINER_INPUT/OUTPUT\` — opens an interactive shell **inside a
running task's container**. That is how tools such as MesosTerm give you a terminal in a task: convenient for an
operator, and a remote shell for anyone else who reaches port 5051.

Two layers protect it: HTTP authentication on the agent's read-write realm (\`mesos-agent-readwrite\`, this exercise's
steps), and authorization of the calls themselves with ACLs per principal:

\`\`\`json
${SESSION_ACLS}
\`\`\`

**What the harness does not assert.** Nested-container sessions are built for the Mesos containerizer with the Linux
launcher (namespaces and cgroups for the nested container). The lab runs agents with the posix launcher so that they
start on any laptop without \`--privileged\`, and this session could not be verified on that setup — so the "one principal
gets a shell, the other gets 403" part is shown here as the ACLs above, not run. To try it on a Linux host that allows
privileged containers: set \`privilegedAgent: true\` in lab.config.ts, give the agent \`MESOS_LAUNCHER=linux\`,
\`MESOS_ISOLATION=filesystem/linux,cgroups/cpu,cgroups/mem\` and the ACLs above (\`MESOS_ACLS\` on the agent), run a
long task (\`mesos-execute --command="sleep 600"\`), find its container ID with \`GET_CONTAINERS\`, and send
\`LAUNCH_NESTED_CONTAINER_SESSION\` with \`container_id.parent\` set to it — as \`operator-principal\` it streams the
session, as \`viewer-principal\` it is \`403 Forbidden\`.`,
  steps: [
    {
      id: "open",
      title: "Anyone may call the operator API",
      text: `With the defaults, an anonymous \`GET_CONTAINERS\` call to the agent is answered: every container, its executor and
framework, to whoever asks.`,
      hint: "The agent's /api/v1 is in the mesos-agent-readwrite realm, which is not authenticated by default.",
      actions: [call("containers-anonymous", "GET_CONTAINERS")],
      expect: [ok("containers-anonymous", "an anonymous GET_CONTAINERS", ok111.agentGetContainers)],
    },
    {
      id: "readwrite-auth",
      title: "Authenticate the agent's read-write realm",
      text: `The agent gets \`MESOS_AUTHENTICATE_HTTP_READWRITE=true\` and its own \`MESOS_HTTP_CREDENTIALS\`. The anonymous call is
now \`401 Unauthorized\` for realm \`mesos-agent-readwrite\`; \`operator-principal\` still gets its answer.`,
      hint: "The agent reads HTTP principals from --http_credentials, not from the master's --credentials.",
      solution: "agent: + MESOS_AUTHENTICATE_HTTP_READWRITE=true, + MESOS_HTTP_CREDENTIALS=file:///etc/credentials/http_credentials.json",
      env: { agent: { MESOS_AUTHENTICATE_HTTP_READWRITE: "true", MESOS_HTTP_CREDENTIALS: `file://${HTTP_CREDS}` } },
      files: [{ roles: ["agent"], path: HTTP_CREDS, from: "credentials/http_credentials.json" }],
      actions: [call("containers-anonymous", "GET_CONTAINERS"), call("containers-operator", "GET_CONTAINERS", operator)],
      expect: [
        creating("mesos-agent-readwrite", "agent"),
        ...challenged("containers-anonymous", "mesos-agent-readwrite", "an anonymous GET_CONTAINERS"),
        ok("containers-operator", "GET_CONTAINERS as operator-principal", ok111.agentGetContainers),
      ],
    },
  ],
});
