import { defineExercise } from "../../src/model/exercise.js";
import { acl, acls, authenticatedCluster, authorizer, executeAs, roleRefused, rootTaskRefused, FACTS_14_ACLS } from "../_shared/acls.js";
import { agentNotRegistered, agentRegistered, ATTACKS_SINCE, executeExits, SOURCE_111, subscribed, taskFinished } from "../_shared/expect.js";
import { teardownOther } from "./attack.js";

const DENY_REGISTER = acls({ permissive: true, register_frameworks: [acl("scheduler-principal", { roles: { type: "NONE" } })] });
const DENY_TASKS = acls({ permissive: true, run_tasks: [acl("scheduler-principal", { users: { type: "NONE" } })] });
const FRAMEWORKS_ONLY = {
  permissive: false,
  register_frameworks: [acl("scheduler-principal", { roles: { type: "ANY" } })],
  run_tasks: [acl("scheduler-principal", { users: { values: ["root"] } })],
};
const ALLOW_LIST = acls({ ...FRAMEWORKS_ONLY, register_agents: [acl("agent-principal", { agents: { type: "ANY" } })] });

const execute = executeAs("--name=foo", "--command=env");

export default defineExercise({
  id: "05",
  slug: "acls",
  title: "Authorization with ACLs",
  summary: "Deny a framework its role, deny its tasks, see permissive:false lock out the agent, then write the full allow-list.",
  text: `Authentication says **who** a principal is; authorization says **what** it may do. The master's \`local\`
authorizer reads \`MESOS_ACLS\` (inline JSON or \`file://…\`): a list of rules per action, each with a subject
(\`principals\`) and an object (\`roles\`, \`users\`, \`agents\`, …) that is \`{"values": [...]}\`, \`{"type": "ANY"}\` or
\`{"type": "NONE"}\`. The **first** matching rule decides; if none matches, \`permissive\` (default \`true\`) does.

ACLs only mean something for authenticated principals, so this exercise starts from exercises 03 and 04: the master has
\`credentials.json\` and requires HTTP framework authentication, the agent authenticates as \`agent-principal\` and
\`mesos-execute\` as \`scheduler-principal\`.

Mesos silently ignores ACL keys it does not know — a typo such as \`run_task\` authorizes everything. mesos-lab
checks every ACL against the keys of your profile's release before a container starts.`,
  attacks: [teardownOther],
  steps: [
    {
      id: "teardown-other",
      title: "Attack: somebody else tears your framework down",
      text: `The cluster authenticates its agents and frameworks, and has no ACLs. \`scheduler-principal\`'s framework runs
a task. The attacker, without any credential, finds its framework ID in the agent's list of sandboxes
(\`GET /files/debug\`) and posts it to
\`/master/teardown\`: \`200 OK\`. The master removes the framework and kills its task; the framework learns it from
an ERROR event (\`Framework has been removed\`). Authentication said who the frameworks are; nothing said who may
tear them down.`,
      hint: "Read the attacker's pane, then the master log: who asked for the teardown?",
      ...authenticatedCluster(),
      attack: { id: "teardown-other", expect: "works" },
      since: ATTACKS_SINCE,
    },
    {
      id: "deny-register",
      title: "Deny a framework its role",
      text: `The master gets an ACL that lets \`scheduler-principal\` register for **no** role:

\`{"register_frameworks":[{"principals":{"values":["scheduler-principal"]},"roles":{"type":"NONE"}}]}\`

\`mesos-execute\` authenticates fine, but its SUBSCRIBE for role \`*\` is refused: the master answers with an ERROR
event and mesos-execute exits with status 1. From 1.10 on the message reads \`Not authorized to register framework …\`.`,
      hint: "Authentication passed (no 401): look for `Refusing subscription` in the master log and the ERROR event on mesos-execute's stderr.",
      solution:
        "master: + MESOS_ACLS with a register_frameworks rule (principal scheduler-principal, roles NONE); the cluster already authenticates agent and framework",
      ...authenticatedCluster(DENY_REGISTER),
      actions: [execute],
      expect: [
        ...authorizer,
        {
          id: "authorizing-roles",
          says: "the master asks the authorizer about the framework's roles",
          source: { log: "master" },
          pattern: "Authorizing framework principal 'scheduler-principal' to receive offers for roles '\\{ \\* \\}'",
          cite: { at: "src/master/master.cpp:2228", ref: FACTS_14_ACLS },
          example: "Authorizing framework principal 'scheduler-principal' to receive offers for roles '{ * }'",
          until: "1.10", // 1.10 reworded the role authorization
        },
        ...roleRefused,
      ],
    },
    {
      id: "deny-tasks",
      title: "Deny a framework its tasks",
      text: `The ACL now lets \`scheduler-principal\` register but run tasks as **no** user:

\`{"run_tasks":[{"principals":{"values":["scheduler-principal"]},"users":{"type":"NONE"}}]}\`

The user is \`FrameworkInfo.user\` — \`root\` for mesos-execute in the container. mesos-execute subscribes and gets
an offer, but the master answers its launch with \`TASK_ERROR\` and reason \`REASON_TASK_UNAUTHORIZED\`; the task never
reaches the agent. Note that mesos-execute still exits 0: only the status update tells you. (1.10+ words the message
\`Principal '…' no authorized to launch task …\` — Mesos' own typo.)`,
      hint: "Read mesos-execute's status update: state, message, source and reason.",
      solution: "master: MESOS_ACLS = a run_tasks rule (principal scheduler-principal, users NONE) instead of the register_frameworks rule",
      env: { master: { MESOS_ACLS: DENY_TASKS } },
      actions: [execute],
      expect: [
        subscribed,
        {
          id: "authorizing-task",
          says: "the master asks the authorizer about the task",
          source: { log: "master" },
          pattern: "Authorizing framework principal 'scheduler-principal' to launch task foo",
          cite: { at: "src/master/master.cpp:3530", ref: FACTS_14_ACLS },
          example: "Authorizing framework principal 'scheduler-principal' to launch task foo",
          until: "1.5", // asserted for 1.4 only
        },
        {
          id: "master-task-error",
          says: "the master sends TASK_ERROR itself: not authorized to launch as root",
          source: { log: "master" },
          pattern: "Sending status update TASK_ERROR for task foo of framework \\S+ 'Not authorized to launch as user 'root''",
          cite: { at: "src/master/master.cpp:6898", ref: FACTS_14_ACLS },
          example:
            "Sending status update TASK_ERROR for task foo of framework 01a2c4f7-3059-41b6-958e-cc8f1787b60c-0000 'Not authorized to launch as user 'root''",
          until: "1.10",
        },
        ...rootTaskRefused,
      ],
    },
    {
      id: "not-permissive",
      title: "permissive: false locks out the agent",
      text: `Now the ACLs switch to an allow-list: \`"permissive": false\`, with rules that let \`scheduler-principal\`
register for any role and run tasks as \`root\` — and nothing else. Anything no rule allows is denied, and that includes
**agents registering**: the master refuses \`agent-principal\`.

In 1.4 the master tells the agent to shut down and its container stops. Since 1.7 the master only logs the refusal
(with the agent's resources) and the agent keeps retrying.`,
      hint: "Which action does an agent need to be allowed? See the ACLs table: `register_agents`.",
      solution: "master: MESOS_ACLS = permissive false + register_frameworks (roles ANY) + run_tasks (users root) for scheduler-principal",
      env: { master: { MESOS_ACLS: acls(FRAMEWORKS_ONLY) } },
      ready: { agent: false },
      expect: [
        {
          id: "authorizing-agent",
          says: "the master asks the authorizer about the agent's principal",
          source: { log: "master" },
          pattern: "Authorizing agent with principal 'agent-principal'",
          cite: { at: "src/master/master.cpp:3803", ref: FACTS_14_ACLS },
          example: "Authorizing agent with principal 'agent-principal'",
          until: "1.5", // asserted for 1.4 only
        },
        {
          id: "agent-refused",
          says: "the master refuses the agent: not authorized to register",
          source: { log: "master" },
          pattern: "Refusing registration of agent at slave\\(1\\)@\\S+ \\(\\S+\\): Not authorized to register as agent with principal 'agent-principal'",
          cite: { at: "src/master/master.cpp:5762", ref: FACTS_14_ACLS },
          example: "Refusing registration of agent at slave(1)@10.213.1.4:5051 (agent): Not authorized to register as agent with principal 'agent-principal'",
          until: "1.6", // 1.6 authorizes the agent's resources
        },
        {
          id: "agent-shut-down",
          says: "the agent is told to shut down",
          source: { log: "agent" },
          pattern: "Agent asked to shut down by master@\\S+ because 'Not authorized to register as agent with principal 'agent-principal''",
          cite: { at: "src/slave/slave.cpp:885", ref: FACTS_14_ACLS },
          example: "Agent asked to shut down by master@10.213.1.3:5050 because 'Not authorized to register as agent with principal 'agent-principal''",
          until: "1.4.2", // no ShutdownMessage since 1.4.2 and 1.7.0
        },
        {
          id: "agent-refused-111",
          says: "the master refuses the agent: not authorized to register agent providing its resources",
          source: { log: "master" },
          pattern: "Refusing registration of agent at slave\\(1\\)@\\S+ \\(\\S+\\): Not authorized to register agent providing resources '[^']*'",
          cite: { at: "src/master/master.cpp:6322", ref: `${SOURCE_111} §5` },
          example:
            "master.cpp:6322] Refusing registration of agent at slave(1)@10.213.1.4:5051 (agent): Not authorized to register agent providing resources 'cpus:2; mem:23128; disk:252899; ports:[31000-32000]' with principal 'agent-principal'",
          since: "1.6",
        },
        agentNotRegistered,
      ],
    },
    {
      id: "allow-list",
      title: "The complete allow-list",
      text: `Add the rule the agent needs. \`register_agents\` takes an \`agents\` object that may only be \`ANY\` or
\`NONE\` (anything else and the master exits: \`Could not create 'local' authorizer\`), so the rule names the principal:

\`{"register_agents":[{"principals":{"values":["agent-principal"]},"agents":{"type":"ANY"}}]}\`

With that, the agent registers and \`mesos-execute\` subscribes and runs its task as \`root\`. Every other action (and
every other principal) stays denied.`,
      hint: "`register_agents` object type must be ANY or NONE; restrict it with `principals` instead.",
      solution: "master: MESOS_ACLS = the allow-list of the previous step + register_agents (principal agent-principal, agents ANY)",
      env: { master: { MESOS_ACLS: ALLOW_LIST } },
      actions: [execute],
      expect: [...authorizer, agentRegistered, subscribed, taskFinished, executeExits(0)],
    },
    {
      id: "teardown-other-replay",
      title: "Replay: the teardown, under the allow-list",
      text: `The same teardown, now that the allow-list is in place. It has no \`teardown_frameworks\` rule, and
\`"permissive": false\` denies what no rule allows: \`403 Forbidden\`, and the framework stays.

To let the operator tear frameworks down and nobody else, add a rule for \`operator-principal\` **and** authenticate
the read-write realm (\`MESOS_AUTHENTICATE_HTTP_READWRITE=true\`, exercise 06): without it the master never reads
the operator's password, so the operator is anonymous too. Before ACLs, authentication alone would let every principal
with a password tear down everyone's frameworks.`,
      hint: "An ACL that allows no one is checked first; `permissive: false` decides the rest.",
      attack: { id: "teardown-other", expect: "blocked" },
      since: ATTACKS_SINCE,
    },
  ],
});
