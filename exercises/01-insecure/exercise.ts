import { defineExercise } from "../../src/model/exercise.js";
import {
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
import { rootTask } from "./attack.js";

export default defineExercise({
  id: "01",
  slug: "insecure",
  title: "The default configuration (insecure)",
  summary: "Start ZooKeeper, a master and an agent with Mesos' defaults and run a task with mesos-execute.",
  text: `Mesos starts **open**: no encryption, no authentication, no authorization. Anyone who can reach port 5050 can
register an agent, subscribe a framework and launch tasks as root. Every later exercise closes one of these doors.

This is the workshop's exercise 0: exhibitor/ZooKeeper, \`mesos-master\` and \`mesos-agent\`, then
\`mesos-execute --name=foo --command=env\`. Unlike the original scripts, mesos-lab starts them on a network of their
own and waits for each to be ready, so nothing else on your machine is touched.`,
  attacks: [rootTask],
  steps: [
    {
      id: "cluster",
      title: "Start the cluster",
      text: `The harness starts ZooKeeper, then the master (\`MESOS_ZK\`, \`MESOS_QUORUM=1\`, \`MESOS_REGISTRY=in_memory\`) and the
agent (\`MESOS_MASTER=zk://zk:2181/mesos\`). Watch the master say it lets *unauthenticated* agents in, and the agent
register.`,
      hint: "The agent finds the master through ZooKeeper: if it never registers, check that zk is up (`ruok` → `imok`).",
      expect: [
        {
          id: "elected",
          says: "the master is elected leader",
          source: { log: "master" },
          pattern: "Elected as the leading master!",
          cite: cites(
            { at: "src/master/master.cpp:2163", ref: `${FACTS_14} §1.0` },
            cite111("src/master/master.cpp:2176", `${OBSERVED_111} Observed 2026-11-29`, "master.cpp:2176] Elected as the leading master!"),
          ),
          example: "Elected as the leading master!",
        },
        {
          id: "agents-open",
          says: "the master lets unauthenticated agents register",
          source: { log: "master" },
          pattern: "Master allowing unauthenticated agents to register",
          cite: cites(
            { at: "src/master/master.cpp:510", ref: `${FACTS_14} §1.5` },
            cite111("src/master/master.cpp:510", `${SOURCE_111} §1`, "master.cpp:510] Master allowing unauthenticated agents to register"),
          ),
          example: "Master allowing unauthenticated agents to register",
        },
        agentRegistered,
      ],
    },
    {
      id: "run-task",
      title: "Run a task with mesos-execute",
      text: `\`mesos-execute\` subscribes to the master as a v1 HTTP framework, waits for an offer and launches one task,
\`foo\`, running \`env\`. Nobody asked who it is.`,
      hint: "mesos-execute prints its progress on stdout; its library logs go to stderr.",
      actions: [{ do: "execute", args: ["--name=foo", "--command=env"] }],
      expect: [
        subscribed,
        {
          id: "submitted",
          says: "the task is submitted to the agent",
          source: { execute: "stdout" },
          pattern: "^Submitted task 'foo' to agent '\\S+-S\\d+'",
          cite: cites({ at: "src/cli/execute.cpp:603", ref: `${FACTS_14} §1.1` }, cite111("src/cli/execute.cpp:611", `${SOURCE_111} §2`)),
          example: "Submitted task 'foo' to agent '01a2c4f7-3059-41b6-958e-cc8f1787b60c-S0'",
        },
        {
          id: "running",
          says: "the task runs",
          source: { execute: "stdout" },
          pattern: "^Received status update TASK_RUNNING for task 'foo'",
          cite: cites({ at: "src/cli/execute.cpp:693", ref: `${FACTS_14} §1.1` }, cite111("src/cli/execute.cpp:702", `${SOURCE_111} §2`)),
          example: "Received status update TASK_RUNNING for task 'foo'",
        },
        taskFinished,
        {
          id: "exit-status",
          says: "the command exited with status 0",
          source: { execute: "stdout" },
          pattern: "^  message: 'Command exited with status 0'",
          cite: cites({ at: "src/launcher/executor.cpp:922", ref: `${FACTS_14} §1.1` }, cite111("src/launcher/executor.cpp:1038", `${SOURCE_111} §3`)),
          example: "  message: 'Command exited with status 0'",
        },
        {
          id: "no-failure",
          says: "no task fails",
          source: { execute: "stdout" },
          pattern: "TASK_(FAILED|ERROR|LOST)",
          negate: true,
          timeoutMs: 1000,
          cite: cites({ at: "src/cli/execute.cpp:693", ref: `${FACTS_14} §1.1` }, cite111("src/cli/execute.cpp:702", `${SOURCE_111} §2`)),
          example: "Received status update TASK_FAILED for task 'foo'",
        },
        { ...executeExits(0), id: "exit-code" },
      ],
    },
    {
      id: "root-task",
      title: "Attack: an anonymous framework's task runs as root inside the agent",
      text: `Now as an attacker would: a framework nobody knows (\`mesos-execute\` from the attacker's side) runs a task that
prints who it runs as and what process 1 of its container is. The agent runs it as **root** (\`MESOS_SWITCH_USER=false\`)
and, with the POSIX launcher, **inside the agent's own container**: process 1 there is \`mesos-agent\`, so the task
can read the agent's files, its environment and, in later exercises, its credential and TLS key. Then the attacker
reads the task's output through the agent's sandbox browser (\`/files/debug\`, \`/files/read\`), again without a
credential.

Every door this used is closed by a later exercise:

- anyone may register a framework and run tasks: framework authentication (04) and ACLs (05, 10);
- anyone may read the endpoints and sandboxes, or tear frameworks down: HTTP authentication (06);
- anyone may join as an agent and be handed tasks: agent authentication (03), verified TLS (08);
- anyone on the path reads the traffic: TLS (02, 09);
- anyone may open a shell in a running task: the operator API (11);
- tasks run as root beside the agent's secrets: a least-privilege user (10).`,
      hint: "Read the attacker's pane: the sandbox's stdout came back without any credential.",
      attack: { id: "root-task", expect: "works" },
      since: ATTACKS_SINCE,
    },
  ],
});
