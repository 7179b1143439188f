import { EXERCISES } from "./probes.js";
import type { NotVisible } from "./types.js";

/**
 * The exercises' controls an outside probe cannot see, and why. The audit talks to the addresses it is given (master
 * and agent ports, ZooKeeper) as a client with no certificate of the cluster's: what a process checks when it is the
 * client, what it keeps on its disk, and who a credential is for are not on those ports. The report names these, so
 * a clean audit is not read as proof of them.
 */
export const NOT_VISIBLE: readonly NotVisible[] = [
  {
    exercise: EXERCISES["02"],
    control: "TLS on the schedulers and the executors (their LIBPROCESS_SSL_* environment, the agent's --executor_environment_variables)",
    reason:
      "schedulers and executors listen on ports of their own that nobody names to the audit; the master's and agents' ports are probed, and a plain-text scheduler or executor only shows in its own failures",
  },
  {
    exercise: EXERCISES["03"],
    control: "the agent's own credential (--credential) and who can read its file",
    reason:
      "an agent authenticates to the master as a client: nothing on its port shows it. The master's --authenticate_agents is seen in /master/flags, when the audit may read them",
  },
  {
    exercise: EXERCISES["07"],
    control: "where the executor's token ends up (the v0 command executor hands it to the task's environment)",
    reason: "it is inside the agent's processes and sandboxes; the audit sees only whether the executor API asks for a token",
  },
  {
    exercise: EXERCISES["08"],
    control:
      "verification of the master's certificate by agents and schedulers (LIBPROCESS_SSL_VERIFY_SERVER_CERT, LIBPROCESS_SSL_HOSTNAME_VALIDATION_SCHEME, LIBPROCESS_SSL_VERIFY_IPADD), and which CA a process trusts",
    reason:
      "those are checks a process makes when it is the client; from outside only the server side shows (whether a handshake without a client certificate is refused)",
  },
  {
    exercise: EXERCISES["10"],
    control: "the other rules of the service account (reserve_resources, create_volumes, … in its role) and the users that exist on the agents",
    reason:
      "the audit judges run_tasks as root and --switch_user; whether a rule set is least-privilege for a given service is the operator's knowledge, not the cluster's",
  },
  {
    exercise: EXERCISES["12"],
    control: "a registry credential scoped to one namespace instead of a broad one",
    reason:
      "the scope of an account is the registry's token service's policy; /flags shows only that the agent holds a credential and for which registries (the audit reports that, registry-credential-in-flags, after the control as before it)",
  },
];
