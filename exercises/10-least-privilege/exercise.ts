import { defineExercise } from "../../src/model/exercise.js";
import {
  acl,
  acls,
  authenticatedCluster,
  authorizer,
  executeAs,
  roleRefused,
  rootTaskRefused,
  SOURCE_111_ACLS,
  FACTS_14_ACLS,
  taskAs,
} from "../_shared/acls.js";
import { observedAttack } from "../_shared/attacks.js";
import { agentRegistered, ATTACKS_SINCE, cites, executeExits, subscribed, taskFinished } from "../_shared/expect.js";
import { stealCredential } from "./attack.js";

const ROLE = "analytics";
const SCHED = "scheduler-principal";

/** The service account's permissions, nothing more: one role, one user, reservations and volumes in that role only. */
const LEAST_PRIVILEGE = acls({
  permissive: false,
  register_agents: [acl("agent-principal", { agents: { type: "ANY" } })],
  register_frameworks: [acl(SCHED, { roles: { values: [ROLE] } })],
  run_tasks: [acl(SCHED, { users: { values: ["nobody"] } })],
  reserve_resources: [acl(SCHED, { roles: { values: [ROLE] } })],
  unreserve_resources: [acl(SCHED, { reserver_principals: { values: [SCHED] } })],
  create_volumes: [acl(SCHED, { roles: { values: [ROLE] } })],
  destroy_volumes: [acl(SCHED, { creator_principals: { values: [SCHED] } })],
});

const TASK_AS_NOBODY = taskAs("nobody");

export default defineExercise({
  id: "10",
  slug: "least-privilege",
  title: "A least-privilege framework principal",
  summary: "Give scheduler-principal only what a service account needs — one role, tasks as nobody — and see everything else refused.",
  text: `In DC/OS strict mode every framework (Marathon-on-Marathon, Spark, …) runs as a **service account** that may do
exactly what its service needs. In plain Mesos 1.4 that is an ACL allow-list for the framework's principal:

- \`register_frameworks\`: its own role (here \`${ROLE}\`), not \`*\`;
- \`run_tasks\`: an unprivileged user (\`nobody\`), never \`root\`;
- \`reserve_resources\` / \`create_volumes\` in its role, \`unreserve_resources\` / \`destroy_volumes\` only for what it
  reserved or created itself;
- and, because \`"permissive": false\` denies everything else, \`register_agents\` for the agent.

The cluster is the authenticated one of exercise 05: the principals are proven, not claimed. This exercise checks the
role and user rules with \`mesos-execute\`; the reservation and volume rules are part of the account but
\`mesos-execute\` cannot reserve, so they are not exercised here.`,
  attacks: [stealCredential],
  steps: [
    {
      id: "steal-credential",
      title: "Attack: a framework's task reads the agent's credential",
      text: `The cluster authenticates its agents and frameworks (exercises 03 and 04), without ACLs yet.
\`scheduler-principal\`'s framework runs a task that asks to run as \`nobody\` (\`command.user\` in \`--task\`)
and reads \`/etc/credentials/credential.json\`, the agent's own credential (mode 0600, root's).

The agent runs it as **root** all the same: it switches users only with \`MESOS_SWITCH_USER=true\`, and the lab's
agent, like the workshop's, runs with it off. With the POSIX launcher the task shares the agent's filesystem, so it
reads the credential, principal and secret. Whoever holds it can start an agent of their own that authenticates
(exercise 03's rogue agent, now with a credential).`,
      hint: "Read the attacker's pane: which uid did the task run as, and what did it print?",
      ...authenticatedCluster(),
      attack: { id: "steal-credential", expect: "works" },
      since: ATTACKS_SINCE,
    },
    {
      id: "default-role",
      title: "The default role is refused",
      text: `The master gets the least-privilege ACL. \`mesos-execute\` subscribes with its default role \`*\` — which the
principal is not allowed: the subscription is refused and mesos-execute exits 1. The agent registers: it has its own rule.`,
      hint: "Which role did mesos-execute ask for? Its `--role` flag defaults to `*`.",
      solution: `master: + MESOS_ACLS = the least-privilege allow-list (register_frameworks roles ${ROLE}, run_tasks users nobody, reservations/volumes in ${ROLE}, register_agents for agent-principal)`,
      ...authenticatedCluster(LEAST_PRIVILEGE),
      actions: [executeAs("--name=foo", "--command=id")],
      expect: [...authorizer, agentRegistered, ...roleRefused],
    },
    {
      id: "own-role-as-root",
      title: "Its own role, but as root",
      text: `With \`--role=${ROLE}\` the subscription is accepted and an offer arrives. But the task runs as
\`FrameworkInfo.user\`, which is \`root\` for mesos-execute in the container — and only \`nobody\` is allowed. The master
answers the launch with \`TASK_ERROR\` / \`REASON_TASK_UNAUTHORIZED\`.`,
      hint: "The subscription passed; read the status update of the task.",
      solution: `mesos-execute: + --role=${ROLE}`,
      actions: [executeAs("--name=foo", "--command=id", `--role=${ROLE}`)],
      expect: [subscribed, ...rootTaskRefused],
    },
    {
      id: "as-nobody",
      title: "Its own role, as nobody",
      text: `\`mesos-execute\` has no user flag, so the task is given as \`--task\` JSON with \`command.user: "nobody"\`
(\`CommandInfo.user\` overrides \`FrameworkInfo.user\`). Both rules now match: the task runs and finishes.

The JSON is a whole \`TaskInfo\` message, and protobuf's required fields apply: \`name\`, \`task_id\` and
\`agent_id\`. Without \`agent_id\`, \`mesos-execute\` refuses the flag before it even looks for a master (\`Failed to
load flag 'task': … Missing required fields: agent_id\`) and exits 1. You cannot know the agent before the offer
arrives, so give an empty one — \`"agent_id":{"value":""}\` — and \`mesos-execute\` fills in the agent of the offer it
accepts.

The ACL decides on the user a task *asks* for. The lab's agent runs with \`MESOS_SWITCH_USER=false\` (the workshop's
setting), so the command still runs as the agent's own user — \`id\` prints root. The next step makes the agent switch.`,
      hint: "Set `command.user` in the `--task` JSON; `--task` excludes `--name` and `--command`, and the JSON needs `agent_id` (an empty one is fine).",
      solution: `mesos-execute: --role=${ROLE} --task='{"name":"foo","task_id":{"value":"foo"},"agent_id":{"value":""},"resources":[…],"command":{"value":"id","user":"nobody"}}'`,
      actions: [executeAs(`--task=${TASK_AS_NOBODY}`, `--role=${ROLE}`)],
      expect: [
        subscribed,
        taskFinished,
        executeExits(0),
        {
          id: "no-error",
          says: "the task is not refused",
          source: { execute: "stdout" },
          pattern: "^Received status update TASK_ERROR for task 'foo'",
          negate: true,
          timeoutMs: 1000,
          cite: cites({ at: "src/master/master.cpp:4701-4719", ref: FACTS_14_ACLS }, { at: "src/master/master.cpp:4882-4890", ref: SOURCE_111_ACLS }),
          example: "Received status update TASK_ERROR for task 'foo'",
        },
      ],
    },
    {
      id: "switch-user",
      title: "Run tasks as the user they ask for",
      text: `The agent gets \`MESOS_SWITCH_USER=true\`: it runs each task as its \`command.user\` (or the framework's user).
The agent runs as root in its container, so it can. The task of the previous step runs again: the agent creates its
sandbox for user \`nobody\`, and \`id\` would now print \`uid=65534(nobody)\`.`,
      hint: "The agent only switches users with --switch_user; the ACL only decides which users a task may ask for.",
      solution: "agent: MESOS_SWITCH_USER=false → true",
      env: { agent: { MESOS_SWITCH_USER: "true" } },
      actions: [executeAs(`--task=${TASK_AS_NOBODY}`, `--role=${ROLE}`)],
      expect: [
        taskFinished,
        {
          id: "sandbox-for-nobody",
          says: "the agent creates the task's sandbox for user nobody",
          source: { log: "agent" },
          pattern: "Creating sandbox '\\S+/executors/foo/runs/\\S+' for user 'nobody'",
          cite: { at: "src/slave/paths.cpp:832", ref: observedAttack("10") },
          example:
            "paths.cpp:832] Creating sandbox '/var/tmp/mesos/slaves/68110f21-dcbd-4a0d-b4ad-b6ed502f69cb-S1/frameworks/68110f21-dcbd-4a0d-b4ad-b6ed502f69cb-0003/executors/foo/runs/2d29ac56-430e-4c87-9893-9be3145ad7da' for user 'nobody'",
        },
      ],
      since: ATTACKS_SINCE,
    },
    {
      id: "steal-credential-replay",
      title: "Replay: the task that read the credential, as nobody",
      text: `The same task, on an agent that switches users: it runs as \`nobody\`, and \`cat\` is refused the credential
(\`Permission denied\`). A task that asks for no user would still run as the framework's user, root, which is why the
ACL of this exercise (tasks only as \`nobody\`) belongs with \`MESOS_SWITCH_USER\`.`,
      hint: "Read the task's stderr in the attacker's pane.",
      attack: { id: "steal-credential", expect: "blocked" },
      since: ATTACKS_SINCE,
    },
  ],
});
