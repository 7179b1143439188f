import { observedAttack } from "../_shared/attacks.js";

const OBSERVED = observedAttack("04");

/**
 * A framework claims a principal it has no secret for. Without framework authentication the master takes the claim
 * as it is: the framework runs its task and is listed under that principal (and ACLs, exercise 05, would trust it).
 * With HTTP framework authentication the claim needs the secret: SUBSCRIBE is 401.
 */
export const claimedPrincipal = {
  id: "claimed-principal",
  title: "a framework claims scheduler-principal without its secret",
  actions: [
    { do: "execute" as const, id: "impostor", args: ["--name=impostor", "--command=true", "--principal=scheduler-principal"] },
    { do: "attack" as const, id: "frameworks", http: true, run: "curl -si http://${target.master}/master/frameworks" },
  ],
  works: [
    {
      id: "impostor-finished",
      says: "the impostor's task runs",
      source: { execute: "stdout" as const, action: "impostor" },
      pattern: "^Received status update TASK_FINISHED for task 'impostor'",
      cite: { at: "src/cli/execute.cpp:702", ref: OBSERVED },
      example: "Received status update TASK_FINISHED for task 'impostor'",
    },
    {
      id: "listed-as-principal",
      says: "the master lists the impostor under the principal it claimed",
      source: { attacker: "frameworks", part: "body" as const },
      pattern: '"name":"mesos-execute instance".*"principal":"scheduler-principal"',
      cite: { at: "src/master/readonly_handler.cpp:166-167", ref: OBSERVED },
    },
  ],
  blocked: [
    {
      id: "impostor-401",
      says: "the impostor's SUBSCRIBE is 401 Unauthorized: it has no secret",
      source: { execute: "stderr" as const, action: "impostor" },
      pattern: "EXIT with status 1: Received an ERROR event: Received unexpected '401 Unauthorized' \\(\\) for SUBSCRIBE",
      cite: { at: "src/cli/execute.cpp:674", ref: OBSERVED },
      example: "execute.cpp:674] EXIT with status 1: Received an ERROR event: Received unexpected '401 Unauthorized' () for SUBSCRIBE",
    },
  ],
};
