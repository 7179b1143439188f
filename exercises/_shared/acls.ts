import type { ExerciseInput } from "../../src/model/exercise.js";
import { cites, executeExits, OBSERVED_111, FACTS_14, cite111, SOURCE_111, subscribed, taskFinished } from "./expect.js";

/** ACL helpers and the authorization outcomes (facts §1.7; 1.10+ messages from observed-1.11.md). */

type Expectation = NonNullable<ExerciseInput["steps"][number]["expect"]>[number];
type Step = ExerciseInput["steps"][number];

export const FACTS_14_ACLS = `${FACTS_14} §1.7`;
export const OBSERVED_ACLS = `${OBSERVED_111} Authorization`;
/** Authorization in the 1.11.x source. */
export const SOURCE_111_ACLS = `${SOURCE_111} §5`;

/** `principals` may name principals; the object entity is `{"type": "ANY"|"NONE"}` or `{"values": [...]}`. */
export const acl = (subject: string, object: Record<string, unknown>) => ({ principals: { values: [subject] }, ...object });
export const acls = (x: Record<string, unknown>) => JSON.stringify(x);

const CREDS = "/etc/credentials/credentials.json";
const CRED = "/etc/credentials/credential.json";

/**
 * The authenticated cluster ACLs need (exercises 03 and 04): master credentials + HTTP framework auth, agent
 * credential; with `acls`, the master's MESOS_ACLS.
 */
export const authenticatedCluster = (acls?: string): Pick<Step, "env" | "files"> => ({
  env: {
    master: {
      MESOS_CREDENTIALS: `file://${CREDS}`,
      MESOS_AUTHENTICATE_HTTP_FRAMEWORKS: "true",
      MESOS_HTTP_FRAMEWORK_AUTHENTICATORS: "basic",
      ...(acls === undefined ? {} : { MESOS_ACLS: acls }),
    },
    agent: { MESOS_CREDENTIAL: `file://${CRED}` },
  },
  files: [
    { roles: ["master"], path: CREDS, from: "credentials/credentials.json" },
    { roles: ["agent"], path: CRED, from: "credentials/credential.json" },
  ],
});

/**
 * `--task` JSON for a task that asks for `user`: mesos-execute has no user flag, CommandInfo.user sets the task's user.
 * `agent_id` is a required field of the v1 TaskInfo (include/mesos/v1/mesos.proto:1886 at 1.4, :2266 at 1.11), so
 * stout refuses a JSON without it while it loads the flag; an empty one will do, mesos-execute merges the offer's agent
 * ID into it (execute.cpp:513 at 1.4, :521 at 1.11).
 */
export const taskAs = (user: string, o: { name?: string; command?: string } = {}) =>
  JSON.stringify({
    name: o.name ?? "foo",
    task_id: { value: o.name ?? "foo" },
    agent_id: { value: "" },
    resources: [
      { name: "cpus", type: "SCALAR", scalar: { value: 0.1 } },
      { name: "mem", type: "SCALAR", scalar: { value: 32 } },
    ],
    command: { value: o.command ?? "id", user },
  });

/** mesos-execute authenticated as scheduler-principal. */
export const executeAs = (...args: string[]) => ({
  do: "execute" as const,
  args: [...args, "--principal=scheduler-principal", "--secret=${secret:scheduler-principal}"],
});

/** A master line asserted verbatim (its text is both the pattern and the example); `at111` is where 1.11.x says it. */
export const masterSays = (id: string, says: string, line: string, at: string, at111: string) => ({
  id,
  says,
  source: { log: "master" as const },
  pattern: line,
  cite: cites({ at, ref: FACTS_14_ACLS }, cite111(at111, SOURCE_111_ACLS, `${at111.slice(at111.lastIndexOf("/") + 1)}] ${line}`)),
  example: line,
});

export const authorizer = [
  masterSays(
    "local-authorizer",
    "the master creates the local authorizer",
    "Creating default 'local' authorizer",
    "src/master/main.cpp:457",
    "src/master/main.cpp:466",
  ),
  masterSays("authorization-enabled", "authorization is enabled", "Authorization enabled", "src/master/master.cpp:646", "src/master/master.cpp:639"),
];

/** SUBSCRIBE for role * refused by register_frameworks: master line, ERROR event, exit 1, no framework ID. */
export const roleRefused: Expectation[] = [
  {
    id: "refused",
    says: "the master refuses the subscription: not authorized to use role *",
    source: { log: "master" },
    pattern: "Refusing subscription of framework 'mesos-execute instance': Not authorized to use roles '\\{ \\* \\}'",
    cite: { at: "src/master/master.cpp:2670", ref: FACTS_14_ACLS },
    example: "Refusing subscription of framework 'mesos-execute instance': Not authorized to use roles '{ * }'",
    until: "1.10", // 1.10 reworded the authorization errors
  },
  {
    id: "refused-111",
    says: "the master refuses the subscription: not authorized to register with role *",
    source: { log: "master" },
    pattern: "Refusing subscription of framework 'mesos-execute instance': Not authorized to register framework +with roles \\{ \\* \\}",
    cite: { at: "src/master/master.cpp:2747", ref: OBSERVED_ACLS },
    example: "master.cpp:2747] Refusing subscription of framework 'mesos-execute instance': Not authorized to register framework  with roles { * }",
    since: "1.10",
  },
  {
    id: "error-event",
    says: "mesos-execute receives the ERROR event and exits",
    source: { execute: "stderr" },
    pattern: "EXIT with status 1: Received an ERROR event: Not authorized to use roles '\\{ \\* \\}'",
    cite: { at: "src/cli/execute.cpp:666", ref: FACTS_14_ACLS },
    example: "EXIT with status 1: Received an ERROR event: Not authorized to use roles '{ * }'",
    until: "1.10",
  },
  {
    id: "error-event-111",
    says: "mesos-execute receives the ERROR event and exits",
    source: { execute: "stderr" },
    pattern: "EXIT with status 1: Received an ERROR event: Not authorized to register framework +with roles \\{ \\* \\}",
    cite: { at: "src/cli/execute.cpp:674", ref: OBSERVED_ACLS },
    example: "execute.cpp:674] EXIT with status 1: Received an ERROR event: Not authorized to register framework  with roles { * }",
    since: "1.10",
  },
  executeExits(1),
  { ...subscribed, id: "not-subscribed", says: "mesos-execute never subscribes", negate: true, timeoutMs: 1000 },
];

/** A launch refused by run_tasks (user root): TASK_ERROR with REASON_TASK_UNAUTHORIZED, exit 0, never finished. */
export const rootTaskRefused: Expectation[] = [
  {
    id: "task-error",
    says: "mesos-execute gets TASK_ERROR for foo",
    source: { execute: "stdout" },
    pattern: "^Received status update TASK_ERROR for task 'foo'",
    cite: cites({ at: "src/master/master.cpp:4701-4719", ref: FACTS_14_ACLS }, cite111("src/master/master.cpp:4882-4890", SOURCE_111_ACLS)),
    example: "Received status update TASK_ERROR for task 'foo'",
  },
  {
    id: "message",
    says: "the message: not authorized to launch as user root",
    source: { execute: "stdout" },
    pattern: "^  message: 'Not authorized to launch as user 'root''",
    cite: { at: "src/master/master.cpp:4701-4719", ref: FACTS_14_ACLS },
    example: "  message: 'Not authorized to launch as user 'root''",
    until: "1.10",
  },
  {
    id: "message-111",
    says: "the message: the principal is not authorized to launch foo as root",
    source: { execute: "stdout" },
    pattern: "^  message: 'Principal 'scheduler-principal' no authorized to launch task foo of framework \\S+ under user 'root''",
    cite: { at: "src/master/master.cpp:4521-4523", ref: SOURCE_111_ACLS },
    example:
      "  message: 'Principal 'scheduler-principal' no authorized to launch task foo of framework 01a2c4f7-3059-41b6-958e-cc8f1787b60c-0000 under user 'root''",
    since: "1.10",
  },
  {
    id: "reason",
    says: "the reason is REASON_TASK_UNAUTHORIZED",
    source: { execute: "stdout" },
    pattern: "^  reason: REASON_TASK_UNAUTHORIZED",
    cite: cites({ at: "src/master/master.cpp:4701-4719", ref: FACTS_14_ACLS }, cite111("src/master/master.cpp:4882-4890", SOURCE_111_ACLS)),
    example: "  reason: REASON_TASK_UNAUTHORIZED",
  },
  executeExits(0),
  { ...taskFinished, id: "not-finished", says: "the task never runs", negate: true, timeoutMs: 1000 },
];
