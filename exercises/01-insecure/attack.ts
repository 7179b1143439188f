import { observedAttack, readSandbox } from "../_shared/attacks.js";

const OBSERVED = observedAttack("01");

/**
 * The baseline attack: nobody is asked who they are. An anonymous framework runs a task, the task runs as root
 * inside the agent's own container (MESOS_SWITCH_USER=false, the POSIX launcher: no isolation of its own), and the
 * attacker reads what it printed through the agent's sandbox browser. No control of exercise 01 closes it; the
 * later exercises close its doors one by one.
 */
export const rootTask = {
  id: "root-task",
  title: "an anonymous framework runs a task as root inside the agent",
  noticed: { log: "agent" as const, pattern: "HTTP GET for /files/read\\?\\S*executors%2Fintruder\\S* from (?<from>[0-9.]+):\\d+" },
  actions: [
    { do: "execute" as const, id: "intruder", args: ["--name=intruder", "--command=id; tr '\\0' ' ' < /proc/1/cmdline; echo"] },
    readSandbox("loot", "intruder"),
  ],
  works: [
    {
      id: "intruder-finished",
      says: "the anonymous framework's task runs and finishes",
      source: { execute: "stdout" as const, action: "intruder" },
      pattern: "^Received status update TASK_FINISHED for task 'intruder'",
      cite: { at: "src/cli/execute.cpp:702", ref: OBSERVED },
      example: "Received status update TASK_FINISHED for task 'intruder'",
    },
    {
      id: "runs-as-root",
      says: "it ran as root, beside the agent (process 1 of its container is mesos-agent), and anyone reads its output",
      source: { attacker: "loot", part: "body" as const },
      pattern: '"data":"uid=0\\(root\\) gid=0\\(root\\) groups=0\\(root\\)\\\\nmesos-agent',
      cite: { at: "src/slave/slave.cpp:10331", ref: OBSERVED },
    },
  ],
};
