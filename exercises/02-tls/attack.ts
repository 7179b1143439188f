import { observedAttack, SECRET, victim } from "../_shared/attacks.js";

const OBSERVED = observedAttack("02");

/**
 * An eavesdropper on the path between a scheduler and the master: the attacker's relay forwards the scheduler's
 * connections to the master and records what passes. The scheduler's calls carry the task, environment included, so
 * in plain text the recording holds the secret; with TLS it holds TLS records and never the secret.
 */
export const eavesdrop = {
  id: "eavesdrop",
  title: "an eavesdropper on the scheduler's path reads the task's secret",
  actions: [
    { do: "relay" as const, id: "wire", to: "master" as const },
    { ...victim({ name: "payroll" }), via: "relay" as const },
  ],
  works: [
    {
      id: "payroll-through-relay",
      says: "the scheduler's task runs, its calls going through the relay",
      source: { execute: "stdout" as const, action: "payroll" },
      pattern: "^Received status update TASK_FINISHED for task 'payroll'",
      cite: { at: "src/cli/execute.cpp:702", ref: OBSERVED },
      example: "Received status update TASK_FINISHED for task 'payroll'",
    },
    {
      id: "secret-recorded",
      says: "the relay's recording holds the task's secret in clear (the scheduler's ACCEPT call)",
      source: { relay: "wire" },
      pattern: `^\\[c\\d+ client→master\\] .*${SECRET}`,
      cite: { at: "src/scheduler/scheduler.cpp:388-390", ref: OBSERVED },
    },
  ],
  blocked: [
    {
      id: "payroll-through-relay",
      says: "the scheduler's task still runs through the relay: the relay only forwards TLS records",
      source: { execute: "stdout" as const, action: "payroll" },
      pattern: "^Received status update TASK_FINISHED for task 'payroll'",
      cite: { at: "src/cli/execute.cpp:702", ref: OBSERVED },
      example: "Received status update TASK_FINISHED for task 'payroll'",
    },
    {
      id: "tls-recorded",
      says: "the relay records a TLS handshake",
      source: { relay: "wire" },
      pattern: "^\\[c\\d+ client→master\\] first bytes: 16 03 .*\\(TLS handshake record\\)$",
      cite: { at: "3rdparty/libprocess/src/openssl.cpp:645", ref: OBSERVED },
    },
    {
      id: "no-secret-recorded",
      says: "the recording never holds the secret",
      source: { relay: "wire" },
      pattern: SECRET,
      negate: true,
      timeoutMs: 500,
      cite: { at: "3rdparty/libprocess/src/openssl.cpp:645", ref: OBSERVED },
    },
  ],
};
