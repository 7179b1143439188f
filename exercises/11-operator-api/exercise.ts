import { defineExercise } from "../../src/model/exercise.js";
import { cites, FACTS_14, cite111, SOURCE_111 } from "../_shared/expect.js";
import { challenged, creating, ok, ok111, SOURCE_111_HTTP } from "../_shared/http.js";

const HTTP_CREDS = "/etc/credentials/http_credentials.json";
/** Nested-container sessions on the agent's operator API (source-1.11.md §8). */
const S8 = `${SOURCE_111} §8`;

type Auth = { principal: string; secret: string };
const operator: Auth = { principal: "operator-principal", secret: "${secret:operator-principal}" };
const viewer: Auth = { principal: "viewer-principal", secret: "${secret:viewer-principal}" };

const post = (id: string, body: object, auth?: Auth) => ({
  do: "http" as const,
  id,
  role: "agent" as const,
  method: "POST" as const,
  path: "/api/v1",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
  ...(auth ? { auth } : {}),
});

const getContainers = (id: string, auth?: Auth) => post(id, { type: "GET_CONTAINERS" }, auth);

/**
 * `LAUNCH_NESTED_CONTAINER_SESSION` into the task's container: a nested container `<task container>.<id>` that runs
 * `id` and streams its output back. `${container:sleeper}` is the container of executor `sleeper` (mesos-execute's
 * command task), which the harness reads from the agent's `/containers` endpoint right before the call.
 */
const session = (id: string, auth?: Auth) =>
  post(
    id,
    {
      type: "LAUNCH_NESTED_CONTAINER_SESSION",
      launch_nested_container_session: { container_id: { parent: { value: "${container:sleeper}" }, value: id }, command: { value: "id" } },
    },
    auth,
  );

/** A task that keeps running: the execute action is done once TASK_RUNNING is printed; the task runs until the step ends. */
const sleeper = { do: "execute" as const, id: "sleeper", args: ["--name=sleeper", "--command=sleep 600"] };

const taskRunning = {
  id: "task-running",
  says: "the task sleeper runs (its container is what the sessions attach to)",
  source: { execute: "stdout" as const },
  pattern: "^Received status update TASK_RUNNING for task 'sleeper'",
  cite: cites({ at: "src/cli/execute.cpp:693", ref: `${FACTS_14} §1.1` }, cite111("src/cli/execute.cpp:702", `${SOURCE_111} §2`)),
  example: "Received status update TASK_RUNNING for task 'sleeper'",
};

/** A task container's ID, as the examples of the lines that name it show it. */
const PARENT = "4bd3fd1a-2f39-4a36-9ba1-04a3d9a0ad2f";

/** `uid=0(root) ` as the session's stdout carries it: base64 in a ProcessIO DATA record of the streamed answer. */
const ROOT_ID_B64 = "dWlkPTAocm9vdCkg";
const RECORD = `{"type":"DATA","data":{"type":"STDOUT","data":"dWlkPTAocm9vdCkgZ2lkPTAocm9vdCkgZ3JvdXBzPTAocm9vdCkK"}}`;

/** The session was answered 200 and streamed the output of `id`, run as root inside the task's container. */
function shell(action: string, who: string) {
  return [
    {
      id: `${action}-200`,
      says: `${who} gets a session: LAUNCH_NESTED_CONTAINER_SESSION is 200 OK`,
      source: { http: action, part: "status" as const },
      pattern: "^HTTP/1\\.1 200 OK$",
      cite: cites({ at: "src/slave/http.cpp:2829", ref: S8, derived: true }, cite111("src/slave/http.cpp:4283", S8)),
    },
    {
      id: `${action}-output`,
      says: `the answer streams the session's stdout: \`uid=0(root) gid=0(root) groups=0(root)\`, a root shell in the task's container (base64 \`${ROOT_ID_B64}…\` in a ProcessIO DATA record)`,
      source: { http: action, part: "body" as const },
      pattern: `^\\{"type":"DATA","data":\\{"type":"STDOUT","data":"${ROOT_ID_B64}`,
      cite: cites({ at: "src/slave/http.cpp:2964-2969", ref: S8, derived: true }, cite111("src/slave/http.cpp:4426-4430", S8, RECORD)),
      example: RECORD,
    },
    {
      id: `${action}-nested`,
      says: "the agent's launcher forks the session's command as a nested container of the task's",
      source: { log: "agent" as const },
      pattern: `Forked child with pid '\\d+' for container '\\S+\\.${action}'`,
      cite: cites(
        { at: "src/slave/containerizer/mesos/launcher.cpp:151", ref: S8, derived: true },
        cite111("src/slave/containerizer/mesos/launcher.cpp:145", S8, `launcher.cpp:145] Forked child with pid '45' for container '${PARENT}.${action}'`),
      ),
      example: `Forked child with pid '45' for container '${PARENT}.${action}'`,
    },
  ];
}

/** 1.11 logs each session call before it authorizes it (1.4.0 logs nothing there). */
const processing = (action: string) => ({
  id: `${action}-processing`,
  says: "the agent logs the session call",
  source: { log: "agent" as const },
  pattern: `Processing LAUNCH_NESTED_CONTAINER_SESSION call for container '\\S+\\.${action}'`,
  cite: { at: "src/slave/http.cpp:4215", ref: S8 },
  example: `http.cpp:4215] Processing LAUNCH_NESTED_CONTAINER_SESSION call for container '${PARENT}.${action}'`,
  since: "1.5", // the agent logs session calls since 1.5
});

/**
 * The attack: from anywhere on the network, list the agent's containers and open a session in the task's, as nobody
 * in particular. It works while the agent's read-write realm is open; with it authenticated the same anonymous calls
 * are 401.
 */
const rootShell = {
  id: "root-shell",
  title: "anyone opens a root shell in a running task",
  // the agent logs an operator call it lets through (with the read-write realm authenticated, an anonymous one is 401)
  noticed: { log: "agent" as const, pattern: "HTTP POST for /api/v1 from (?<from>[0-9.]+):\\d+" },
  actions: [sleeper, getContainers("containers-anonymous"), session("session-anonymous")],
  works: [
    taskRunning,
    ok("containers-anonymous", "an anonymous GET_CONTAINERS", ok111.agentGetContainers),
    {
      id: "containers-list-sleeper",
      says: "the answer lists the task's container, by its executor sleeper",
      source: { http: "containers-anonymous", part: "body" as const },
      pattern: '"executor_id":\\{"value":"sleeper"\\}',
      cite: cites({ at: "src/slave/http.cpp:2073-2077", ref: S8, derived: true }, cite111("src/slave/http.cpp:2845-2849", SOURCE_111_HTTP)),
    },
    processing("session-anonymous"),
    ...shell("session-anonymous", "an anonymous caller"),
  ],
  blocked: [
    taskRunning,
    ...challenged("containers-anonymous", "mesos-agent-readwrite", "an anonymous GET_CONTAINERS"),
    ...challenged("session-anonymous", "mesos-agent-readwrite", "an anonymous LAUNCH_NESTED_CONTAINER_SESSION"),
  ],
};

/** Who may open a session, and read its output. Everyone else: NONE (and `permissive` stays true for the rest). */
const only = (principal: string) => [
  { principals: { values: [principal] }, users: { type: "ANY" } },
  { principals: { type: "ANY" }, users: { type: "NONE" } },
];
const SESSION_ACLS = {
  launch_nested_container_sessions_as_user: only("operator-principal"),
  launch_nested_container_sessions_under_parent_with_user: only("operator-principal"),
  attach_containers_output: only("operator-principal"),
};

export default defineExercise({
  id: "11",
  slug: "operator-api",
  title: "Protect the agent's operator API",
  summary: "Whoever reaches an agent's /api/v1 gets a root shell in any running task: close it with authentication, then decide who with ACLs.",
  text: `The agent's v1 operator API (\`POST /api/v1\`) lists every container, reads their files and, with
\`LAUNCH_NESTED_CONTAINER_SESSION\`, starts a command **inside a running task's container** and streams its output
back: the API behind \`mesos task exec\`-style shells and web terminals such as MesosTerm. For an operator that is
\`docker exec\`; for anyone else who reaches port 5051 it is a remote shell, as root when the task runs as root.

Each step starts a task that keeps running (\`mesos-execute --command="sleep 600"\`), and the harness opens sessions
into it that run \`id\`: the call names the task's container as the parent (\`container_id.parent\`, read from the
agent's \`/containers\` endpoint) and a new ID for the session's nested container. The answer is a stream of ProcessIO
records; the session's stdout is in their \`data\` field, base64-encoded (\`dWlkPTAocm9vdCkg\` is \`uid=0(root) \`).

Two layers protect it: HTTP authentication of the agent's read-write realm (\`mesos-agent-readwrite\`), which says who
is calling, and ACLs on the agent, which say who may do what. Authentication alone lets **every** principal in the
agent's credentials file open a shell.

**How the agent runs here.** Sessions are nested containers of the Mesos containerizer. The agent runs with the lab's
defaults, Mesos' POSIX launcher (\`MESOS_LAUNCHER=posix\`) in an unprivileged container: no added capability, no cgroup
mount, so this exercise runs on cgroup-v2 hosts and rootless engines too. The launcher forks the session's command
beside the task, in the task's filesystem and namespaces (it has none of its own), and runs it as the task's user:
root. Production agents usually run the Linux launcher, which gives the session a cgroup of its own; the door is the
same, since the agent answers the call before any launcher runs.`,
  attacks: [rootShell],
  steps: [
    {
      id: "open",
      title: "Anyone may open a shell in a running task",
      text: `With the defaults the read-write realm is not authenticated. An anonymous \`GET_CONTAINERS\` lists the task's
container, and an anonymous \`LAUNCH_NESTED_CONTAINER_SESSION\` with that container as the parent runs \`id\` in it: the
answer streams \`uid=0(root) gid=0(root) groups=0(root)\`. Nobody was asked who they are.`,
      hint: "The agent's /api/v1 is in the mesos-agent-readwrite realm, which is not authenticated by default.",
      attack: { id: "root-shell", expect: "works" },
    },
    {
      id: "readwrite-auth",
      title: "Authenticate the agent's read-write realm",
      text: `The agent gets \`MESOS_AUTHENTICATE_HTTP_READWRITE=true\` and its own \`MESOS_HTTP_CREDENTIALS\`. The anonymous calls
are now \`401 Unauthorized\` for realm \`mesos-agent-readwrite\`. But authentication only says who is calling:
\`viewer-principal\`, a principal meant to look, still gets a root shell in the task.`,
      hint: "The agent reads HTTP principals from --http_credentials, not from the master's --credentials. Authentication alone authorizes nothing: without ACLs every authenticated principal may do everything.",
      solution: "agent: + MESOS_AUTHENTICATE_HTTP_READWRITE=true, + MESOS_HTTP_CREDENTIALS=file:///etc/credentials/http_credentials.json",
      env: { agent: { MESOS_AUTHENTICATE_HTTP_READWRITE: "true", MESOS_HTTP_CREDENTIALS: `file://${HTTP_CREDS}` } },
      files: [{ roles: ["agent"], path: HTTP_CREDS, from: "credentials/http_credentials.json" }],
      actions: [
        sleeper,
        getContainers("containers-anonymous"),
        getContainers("containers-operator", operator),
        session("session-anonymous"),
        session("session-viewer", viewer),
      ],
      expect: [
        creating("mesos-agent-readwrite", "agent"),
        taskRunning,
        ...challenged("containers-anonymous", "mesos-agent-readwrite", "an anonymous GET_CONTAINERS"),
        ok("containers-operator", "GET_CONTAINERS as operator-principal", ok111.agentGetContainers),
        ...challenged("session-anonymous", "mesos-agent-readwrite", "an anonymous LAUNCH_NESTED_CONTAINER_SESSION"),
        ...shell("session-viewer", "viewer-principal"),
      ],
    },
    {
      id: "session-acls",
      title: "Only the operator may open a session",
      text: `ACLs on the agent (\`MESOS_ACLS\`) name who may launch nested-container sessions and read their output, and
refuse everyone else with \`users: NONE\`:

\`\`\`json
${JSON.stringify(SESSION_ACLS, null, 2)}
\`\`\`

A session needs all three: \`launch_nested_container_sessions_as_user\` judges the user the session runs as (here none
is asked for, so \`ANY\`), \`..._under_parent_with_user\` the user of the task it enters, and \`attach_containers_output\`
the stream of its output (a principal allowed to launch but not to attach gets \`403\` too, after its container was
started and destroyed). \`operator-principal\` still gets its shell; \`viewer-principal\` gets \`403 Forbidden\`, and
the agent never starts a container for it. The other entries of \`acls.proto\` (\`launch_nested_containers_*\`,
\`attach_containers_input\`, \`kill_nested_containers\`, …) guard the rest of the nested-container API the same way.`,
      hint: "Without a matching entry the local authorizer allows (permissive defaults to true): each ACL needs the operator's entry first, then one that gives every other principal users NONE.",
      solution:
        "agent: + MESOS_ACLS with launch_nested_container_sessions_as_user, launch_nested_container_sessions_under_parent_with_user and attach_containers_output for operator-principal only",
      env: { agent: { MESOS_ACLS: JSON.stringify(SESSION_ACLS) } },
      actions: [sleeper, session("session-operator", operator), session("session-viewer", viewer)],
      expect: [
        taskRunning,
        processing("session-operator"),
        ...shell("session-operator", "operator-principal"),
        processing("session-viewer"),
        {
          id: "session-viewer-403",
          says: "viewer-principal's session is 403 Forbidden",
          source: { http: "session-viewer", part: "status" },
          pattern: "^HTTP/1\\.1 403 Forbidden$",
          cite: cites({ at: "src/slave/http.cpp:2343", ref: S8, derived: true }, cite111("src/slave/http.cpp:3360", S8)),
        },
        {
          id: "session-viewer-not-launched",
          says: "no container is started for viewer-principal's session (authorization comes first)",
          source: { log: "agent" },
          pattern: "Forked child with pid '\\d+' for container '\\S+\\.session-viewer'",
          negate: true,
          cite: cites(
            { at: "src/slave/containerizer/mesos/launcher.cpp:151", ref: S8, derived: true },
            cite111(
              "src/slave/containerizer/mesos/launcher.cpp:145",
              S8,
              `launcher.cpp:145] Forked child with pid '45' for container '${PARENT}.session-viewer'`,
            ),
          ),
          example: `Forked child with pid '45' for container '${PARENT}.session-viewer'`,
        },
      ],
    },
    {
      id: "root-shell-replay",
      title: "Replay: the anonymous shell, after the controls",
      text: `The attack of the first step again, from anywhere on the network and without credentials: \`GET_CONTAINERS\`
and \`LAUNCH_NESTED_CONTAINER_SESSION\` are both \`401 Unauthorized\` for the realm \`mesos-agent-readwrite\`, and no
session starts. The ACLs of the previous step keep the authenticated principals other than the operator out.`,
      hint: "Which realm does the challenge name? It is the agent's read-write realm, not its read-only one.",
      attack: { id: "root-shell", expect: "blocked" },
    },
  ],
});
