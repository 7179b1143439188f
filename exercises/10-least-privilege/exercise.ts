import { defineExercise } from "../../src/model/exercise.js";
import { acl, acls, authenticatedCluster, authorizer, executeAs, roleRefused, rootTaskRefused, SOURCE_111_ACLS, FACTS_14_ACLS } from "../_shared/acls.js";
import { agentRegistered, cites, executeExits, subscribed, taskFinished } from "../_shared/expect.js";

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

/**
 * `--task` JSON: mesos-execute has no user flag, CommandInfo.user sets the task's user. `agent_id` is a required field
 * of the v1 TaskInfo (include/mesos/v1/mesos.proto:1886 at 1.4, :2266 at 1.11), so stout refuses a JSON without it
 * while it loads the flag; an empty one will do, mesos-execute merges the offer's agent ID into it (execute.cpp:513
 * at 1.4, :521 at 1.11).
 */
const TASK_AS_NOBODY = JSON.stringify({
  name: "foo",
  task_id: { value: "foo" },
  agent_id: { value: "" },
  resources: [
    { name: "cpus", type: "SCALAR", scalar: { value: 0.1 } },
    { name: "mem", type: "SCALAR", scalar: { value: 32 } },
  ],
  command: { value: "id", user: "nobody" },
});

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
  steps: [
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

The ACL decides on the user a task *asks* for. The lab's agent runs with \`MESOS_SWITCH_USER=false\` (it is not
privileged in its container), so the command still runs as the agent's own user — \`id\` prints root. On an agent
with \`--switch_user\` (Mesos' default) the task would also run as \`nobody\`.`,
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
  ],
});
