import type { ExerciseInput } from "../../src/model/exercise.js";

/** Expectations several exercises assert the same way (same line, same citation). */

type Expectation = ExerciseInput["steps"][number]["expect"][number];

export const F14 = "security-facts-1.4.md";
export const F111 = "observed-1.11.md";
/** Mesos 1.11.x read from source (commit 7017e79), marked where a real 1.11.1 run printed the line too. */
export const S111 = "source-1.11.md";

/**
 * `citeFor` for profile 1.11: the line in the 1.11.x branch, the facts file (and section) that names it, and the line
 * as 1.11 prints it when it differs from the expectation's own `example` (log lines carry glog's `file.cpp:line]`).
 */
export const on111 = (at: string, ref: string, example?: string) => ({ "1.11": { at, ref, ...(example === undefined ? {} : { example }) } });

export const agentRegistered: Expectation = {
  id: "registered",
  says: "the agent registers with the master",
  source: { log: "agent" },
  pattern: "Registered with master master@\\S+:5050; given agent ID \\S+-S\\d+",
  cite: { at: "src/slave/slave.cpp:1174", ref: `${F14} §1.0` },
  example: "Registered with master master@10.213.1.3:5050; given agent ID 01a2c4f7-3059-41b6-958e-cc8f1787b60c-S0",
  citeFor: on111(
    "src/slave/slave.cpp:1698",
    `${F111} Insecure baseline`,
    "slave.cpp:1698] Registered with master master@10.213.1.3:5050; given agent ID 01a2c4f7-3059-41b6-958e-cc8f1787b60c-S0",
  ),
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
  citeFor: on111("src/slave/slave.cpp:6712", `${F111} TLS`, "slave.cpp:6712] Master disconnected! Waiting for a new master to be elected"),
};

export const subscribed: Expectation = {
  id: "subscribed",
  says: "mesos-execute subscribes and gets a framework ID",
  source: { execute: "stdout" },
  pattern: "^Subscribed with ID \\S+",
  cite: { at: "src/cli/execute.cpp:651", ref: `${F14} §1.1` },
  example: "Subscribed with ID 01a2c4f7-3059-41b6-958e-cc8f1787b60c-0002",
  citeFor: on111("src/cli/execute.cpp:659", `${S111} §2`),
};

export const taskFinished: Expectation = {
  id: "finished",
  says: "the task finishes",
  source: { execute: "stdout" },
  pattern: "^Received status update TASK_FINISHED for task 'foo'",
  cite: { at: "src/cli/execute.cpp:693", ref: `${F14} §1.1` },
  example: "Received status update TASK_FINISHED for task 'foo'",
  citeFor: on111("src/cli/execute.cpp:702", `${S111} §2`),
};

export const executeExits = (code: 0 | 1): Expectation => ({
  id: `exit-${code}`,
  says: `mesos-execute exits ${code}`,
  source: { exit: "execute" },
  pattern: `^${code}$`,
  cite: code === 0 ? { at: "src/cli/execute.cpp:1215-1218", ref: `${F14} §1.1` } : { at: "src/cli/execute.cpp:666", ref: `${F14} §1.6` },
  citeFor: code === 0 ? on111("src/cli/execute.cpp:1234-1237", `${S111} §2`) : on111("src/cli/execute.cpp:674", `${F111} Framework authentication`),
});
