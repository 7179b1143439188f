import { observedAttack, ROGUE_PORT, roguesLoot, rogueAgent, SECRET, victim } from "../_shared/attacks.js";

const OBSERVED = observedAttack("03");

/**
 * A rogue agent joins: the attacker starts Mesos' own agent on its host, with no credential. On the open cluster the
 * master registers it and offers its resources to every framework, so the next task, environment and secret
 * included, runs on the attacker's machine. With agent authentication the master refuses it (Mesos 1.11 logs the
 * refusal at WARNING, master.cpp:6239) and the task runs on the lab's own agent.
 */
export const rogueAgentJoins = {
  id: "rogue-agent",
  title: "a rogue agent joins the cluster and is handed a task with its secret",
  actions: [{ do: "attack" as const, id: "rogue", run: rogueAgent({ waitS: 3 }) }, victim({ name: "payroll" }), roguesLoot("loot", "payroll")],
  works: [
    {
      id: "rogue-registered",
      says: "the master registers the rogue agent, which nobody vouched for",
      source: { log: "master" as const },
      pattern: `Registered agent \\S+ at slave\\(1\\)@\\S+:${ROGUE_PORT} \\(rogue\\)`,
      cite: { at: "src/master/master.cpp:6535", ref: OBSERVED },
      example: `master.cpp:6535] Registered agent dbf53e9e-ebef-44ed-9f51-cca04cb2361a-S0 at slave(1)@10.213.35.40:${ROGUE_PORT} (rogue) with cpus:2; mem:23127; disk:252899; ports:[31000-32000]`,
    },
    {
      id: "secret-on-rogue",
      says: "the task ran on the rogue agent: its secret is in the attacker's sandbox",
      source: { attacker: "loot" },
      pattern: `^DB_PASSWORD=${SECRET}$`,
      cite: { at: "src/slave/slave.cpp:3181", ref: OBSERVED },
    },
  ],
  blocked: [
    {
      id: "rogue-tries",
      says: "the rogue agent tries to register without a credential",
      source: { attacker: "rogue" },
      pattern: "No credentials provided\\. Attempting to register without authentication",
      cite: { at: "src/slave/slave.cpp:1527", ref: OBSERVED },
    },
    {
      id: "rogue-refused",
      says: "the master refuses the rogue agent: it is not authenticated",
      source: { log: "master" as const },
      pattern: `Refusing registration of agent at slave\\(1\\)@\\S+:${ROGUE_PORT} because it is not authenticated`,
      cite: { at: "src/master/master.cpp:6239", ref: OBSERVED },
      example: `master.cpp:6239] Refusing registration of agent at slave(1)@10.213.35.40:${ROGUE_PORT} because it is not authenticated`,
    },
    {
      id: "payroll-finished",
      says: "the task runs on the lab's own agent",
      source: { execute: "stdout" as const, action: "payroll" },
      pattern: "^Received status update TASK_FINISHED for task 'payroll'",
      cite: { at: "src/cli/execute.cpp:702", ref: OBSERVED },
      example: "Received status update TASK_FINISHED for task 'payroll'",
    },
    {
      id: "nothing-on-rogue",
      says: "nothing reached the rogue agent",
      source: { attacker: "loot" },
      pattern: "^DB_PASSWORD=",
      negate: true,
      timeoutMs: 500,
      cite: { at: "src/master/master.cpp:6239", ref: OBSERVED },
    },
  ],
};
