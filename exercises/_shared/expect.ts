import type { ExerciseInput } from "../../src/model/exercise.js";

/** Expectations several exercises assert the same way (same line, same citation). */

type Expectation = ExerciseInput["steps"][number]["expect"][number];

export const F14 = "security-facts-1.4.md";
export const F111 = "observed-1.11.md";

export const agentRegistered: Expectation = {
  id: "registered",
  says: "the agent registers with the master",
  source: { log: "agent" },
  pattern: "Registered with master master@\\S+:5050; given agent ID \\S+-S\\d+",
  cite: { at: "src/slave/slave.cpp:1174", ref: `${F14} §1.0` },
  example: "Registered with master master@10.213.1.3:5050; given agent ID 01a2c4f7-3059-41b6-958e-cc8f1787b60c-S0",
};

export const agentNotRegistered: Expectation = { ...agentRegistered, id: "not-registered", says: "the agent does not register", pattern: "Registered with master", negate: true };

/** The agent lost its link to the master (TLS refused it): it waits for a new election, again and again. */
export const agentDisconnected: Expectation = {
  id: "disconnected",
  says: "the agent is disconnected from the master",
  source: { log: "agent" },
  pattern: "Master disconnected! Waiting for a new master to be elected",
  cite: { at: "src/slave/slave.cpp:5017", ref: `${F14} §1.2`, derived: true },
  example: "Master disconnected! Waiting for a new master to be elected",
};

export const subscribed: Expectation = {
  id: "subscribed",
  says: "mesos-execute subscribes and gets a framework ID",
  source: { execute: "stdout" },
  pattern: "^Subscribed with ID \\S+",
  cite: { at: "src/cli/execute.cpp:651", ref: `${F14} §1.1` },
  example: "Subscribed with ID 01a2c4f7-3059-41b6-958e-cc8f1787b60c-0002",
};

export const taskFinished: Expectation = {
  id: "finished",
  says: "the task finishes",
  source: { execute: "stdout" },
  pattern: "^Received status update TASK_FINISHED for task 'foo'",
  cite: { at: "src/cli/execute.cpp:693", ref: `${F14} §1.1` },
  example: "Received status update TASK_FINISHED for task 'foo'",
};

export const executeExits = (code: 0 | 1): Expectation => ({
  id: `exit-${code}`,
  says: `mesos-execute exits ${code}`,
  source: { exit: "execute" },
  pattern: `^${code}$`,
  cite: code === 0 ? { at: "src/cli/execute.cpp:1215-1218", ref: `${F14} §1.1` } : { at: "src/cli/execute.cpp:666", ref: `${F14} §1.6` },
});
