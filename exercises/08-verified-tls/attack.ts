import { observedAttack, ROGUE_PORT, rogueAgent } from "../_shared/attacks.js";

const OBSERVED = observedAttack("08");

/**
 * A rogue agent with TLS: the attacker's agent speaks TLS with a certificate of its own CA (the rogue CA). TLS alone
 * (exercise 02) verifies nothing, so the master registers it. With every process verifying its peers against the lab
 * CA, the handshake fails and the rogue never registers.
 */
export const rogueTlsAgent = {
  id: "rogue-tls-agent",
  title: "a rogue agent with a certificate of its own joins the TLS cluster",
  actions: [{ do: "attack" as const, id: "rogue", run: rogueAgent({ tls: true, waitS: 8 }) }],
  works: [
    {
      id: "rogue-registered",
      says: "the master registers the rogue agent: TLS alone checks no certificate",
      source: { log: "master" as const },
      pattern: `Registered agent \\S+ at slave\\(1\\)@\\S+:${ROGUE_PORT} \\(rogue\\)`,
      cite: { at: "src/master/master.cpp:6535", ref: OBSERVED },
      example: `master.cpp:6535] Registered agent 6cea4ba2-d2e5-4464-affb-708d3f705543-S1 at slave(1)@10.213.30.40:${ROGUE_PORT} (rogue) with cpus:2; mem:23127; disk:252899; ports:[31000-32000]`,
    },
    {
      id: "rogue-says-registered",
      says: "the rogue agent says it registered",
      source: { attacker: "rogue" },
      pattern: "Registered with master master@\\S+:5050; given agent ID \\S+",
      cite: { at: "src/slave/slave.cpp:1698", ref: OBSERVED },
    },
  ],
  blocked: [
    {
      id: "master-refuses-certificate",
      says: "the master refuses the rogue's TLS handshake: its certificate does not verify against the lab CA",
      source: { log: "master" as const },
      pattern: "Failed to accept socket: Failed to complete SSL connection for \\S+: error:\\S+:SSL routines::certificate verify failed",
      cite: { at: "3rdparty/libprocess/src/process.cpp:911", ref: OBSERVED },
      example:
        "process.cpp:911] Failed to accept socket: Failed to complete SSL connection for 10.213.30.40:49342: error:0A000086:SSL routines::certificate verify failed",
    },
    {
      id: "rogue-disconnected",
      says: "the rogue agent's link to the master fails: its certificate is not the lab CA's",
      source: { attacker: "rogue" },
      pattern: "Master disconnected! Waiting for a new master to be elected|Failed to link to '\\S+:5050', connect: Failed connect: connection closed",
      cite: { at: "3rdparty/libprocess/src/process.cpp:1480", ref: OBSERVED },
    },
    {
      id: "rogue-not-registered",
      says: "the master never registers it",
      source: { log: "master" as const },
      pattern: `Registered agent \\S+ at slave\\(1\\)@\\S+:${ROGUE_PORT}`,
      negate: true,
      timeoutMs: 1000,
      cite: { at: "src/master/master.cpp:6535", ref: OBSERVED },
      example: `master.cpp:6535] Registered agent 6cea4ba2-d2e5-4464-affb-708d3f705543-S1 at slave(1)@10.213.30.40:${ROGUE_PORT} (rogue) with cpus:2; mem:23127; disk:252899; ports:[31000-32000]`,
    },
  ],
};
