import type { Citation, ExerciseInput } from "../../src/model/exercise.js";

/** Expectations several exercises assert the same way (same line, same citation). */

type Expectation = NonNullable<ExerciseInput["steps"][number]["expect"]>[number];
type ReleaseCitation = Citation & { example?: string };

/** Mesos 1.4.0 read from source (docs/facts/security-facts-1.4.md). */
export const FACTS_14 = "security-facts-1.4.md";
/** What a real Mesos 1.11.1 printed and answered (docs/facts/observed-1.11.md). */
export const OBSERVED_111 = "observed-1.11.md";
/** Mesos 1.11.x read from source (commit 7017e79), marked where a real 1.11.1 run printed the line too. */
export const SOURCE_111 = "source-1.11.md";

/**
 * The release from which on a fact is cited at its line in the 1.11.x branch: the catalogue's citations come from the
 * 1.4.0 source (security-facts-1.4.md) and from 1.11.x (source-1.11.md, observed-1.11.md), and a release after 1.4
 * is nearer to 1.11's lines than to 1.4.0's.
 */
export const CITED_FROM_111 = "1.5";

/**
 * Attack steps run from the releases cited at their 1.11.x lines: the attacks were observed on real Mesos 1.11.1, and
 * the 1.4 facts (read from source) do not cover what they send.
 */
export const ATTACKS_SINCE = CITED_FROM_111;

/** A fact cited at its 1.4.0 line before CITED_FROM_111, and at its 1.11.x line (`cite111`) from then on. */
export const cites = (c14: ReleaseCitation, c111: ReleaseCitation) => [
  { ...c14, until: CITED_FROM_111 },
  { ...c111, since: CITED_FROM_111 },
];

/**
 * A citation of the 1.11.x branch: the line, the facts file (and section) that names it, and the line as 1.11 prints
 * it when it differs from the expectation's own `example` (log lines carry glog's `file.cpp:line]`).
 */
export const cite111 = (at: string, ref: string, example?: string): ReleaseCitation => ({ at, ref, ...(example === undefined ? {} : { example }) });

export const agentRegistered: Expectation = {
  id: "registered",
  says: "the agent registers with the master",
  source: { log: "agent" },
  pattern: "Registered with master master@\\S+:5050; given agent ID \\S+-S\\d+",
  cite: cites(
    { at: "src/slave/slave.cpp:1174", ref: `${FACTS_14} §1.0` },
    cite111(
      "src/slave/slave.cpp:1698",
      `${OBSERVED_111} Insecure baseline`,
      "slave.cpp:1698] Registered with master master@10.213.1.3:5050; given agent ID 01a2c4f7-3059-41b6-958e-cc8f1787b60c-S0",
    ),
  ),
  example: "Registered with master master@10.213.1.3:5050; given agent ID 01a2c4f7-3059-41b6-958e-cc8f1787b60c-S0",
};

export const agentNotRegistered: Expectation = {
  ...agentRegistered,
  id: "not-registered",
  says: "the agent does not register",
  pattern: "Registered with master",
  negate: true,
};

/** The agent lost its link to the master (TLS refused it): it waits for a new election, again and again. */
export const agentDisconnected: Expectation = {
  id: "disconnected",
  says: "the agent is disconnected from the master",
  source: { log: "agent" },
  pattern: "Master disconnected! Waiting for a new master to be elected",
  cite: cites(
    { at: "src/slave/slave.cpp:5017", ref: `${FACTS_14} §1.2`, derived: true },
    cite111("src/slave/slave.cpp:6712", `${OBSERVED_111} TLS`, "slave.cpp:6712] Master disconnected! Waiting for a new master to be elected"),
  ),
  example: "Master disconnected! Waiting for a new master to be elected",
};

export const subscribed: Expectation = {
  id: "subscribed",
  says: "mesos-execute subscribes and gets a framework ID",
  source: { execute: "stdout" },
  pattern: "^Subscribed with ID \\S+",
  cite: cites({ at: "src/cli/execute.cpp:651", ref: `${FACTS_14} §1.1` }, cite111("src/cli/execute.cpp:659", `${SOURCE_111} §2`)),
  example: "Subscribed with ID 01a2c4f7-3059-41b6-958e-cc8f1787b60c-0002",
};

export const taskFinished: Expectation = {
  id: "finished",
  says: "the task finishes",
  source: { execute: "stdout" },
  pattern: "^Received status update TASK_FINISHED for task 'foo'",
  cite: cites({ at: "src/cli/execute.cpp:693", ref: `${FACTS_14} §1.1` }, cite111("src/cli/execute.cpp:702", `${SOURCE_111} §2`)),
  example: "Received status update TASK_FINISHED for task 'foo'",
};

export const executeExits = (code: 0 | 1): Expectation => ({
  id: `exit-${code}`,
  says: `mesos-execute exits ${code}`,
  source: { exit: "execute" },
  pattern: `^${code}$`,
  cite:
    code === 0
      ? cites({ at: "src/cli/execute.cpp:1215-1218", ref: `${FACTS_14} §1.1` }, cite111("src/cli/execute.cpp:1234-1237", `${SOURCE_111} §2`))
      : cites({ at: "src/cli/execute.cpp:666", ref: `${FACTS_14} §1.6` }, cite111("src/cli/execute.cpp:674", `${OBSERVED_111} Framework authentication`)),
});
