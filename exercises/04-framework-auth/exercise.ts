import { defineExercise } from "../../src/model/exercise.js";
import { ATTACKS_SINCE, cites, executeExits, OBSERVED_111, FACTS_14, cite111, SOURCE_111, subscribed, taskFinished as finished } from "../_shared/expect.js";
import { claimedPrincipal } from "./attack.js";

const CREDS = "/etc/credentials/credentials.json";

export default defineExercise({
  id: "04",
  slug: "framework-auth",
  title: "Framework authentication",
  summary: "Require schedulers to authenticate, see mesos-execute refused with 401, then give it a principal and secret.",
  text: `A framework that can subscribe can launch tasks on every agent. Framework authentication makes a scheduler prove
its principal before it subscribes.

\`mesos-execute\` — like every modern framework — talks to the master through the **v1 HTTP scheduler API**. The
workshop's \`MESOS_AUTHENTICATE_FRAMEWORKS\` only gates the old driver (libprocess, CRAM-MD5) frameworks; the HTTP API
is gated by \`MESOS_AUTHENTICATE_HTTP_FRAMEWORKS\` with an HTTP authenticator (\`basic\`). This exercise shows both.`,
  attacks: [claimedPrincipal],
  steps: [
    {
      id: "claimed-principal",
      title: "Attack: claim a principal without its secret",
      text: `A framework says who it is in its \`FrameworkInfo.principal\`. The attacker's framework claims
\`scheduler-principal\` (\`mesos-execute --principal=scheduler-principal\`, no secret). Nothing checks the claim: the
task runs, and the master lists the framework under that principal. Everything that trusts principals (ACLs, quotas,
reservations, the audit trail) trusts the claim.`,
      hint: "Read the attacker's pane: whose principal does /master/frameworks show?",
      attack: { id: "claimed-principal", expect: "works" },
      since: ATTACKS_SINCE,
    },
    {
      id: "driver-only",
      title: "MESOS_AUTHENTICATE_FRAMEWORKS alone",
      text: `The master loads \`credentials.json\` and requires **driver** frameworks to authenticate. Watch its startup lines:
it still allows HTTP frameworks without authentication — and \`mesos-execute\`, which has no credentials, runs its task.`,
      hint: "Read the master's startup lines: one of them says HTTP frameworks may register without authentication.",
      solution: "master: + MESOS_AUTHENTICATE_FRAMEWORKS=true, + MESOS_CREDENTIALS=file:///etc/credentials/credentials.json",
      env: { master: { MESOS_AUTHENTICATE_FRAMEWORKS: "true", MESOS_CREDENTIALS: `file://${CREDS}` } },
      files: [{ roles: ["master"], path: CREDS, from: "credentials/credentials.json" }],
      actions: [{ do: "execute", args: ["--name=foo", "--command=env"] }],
      expect: [
        {
          id: "driver-frameworks",
          says: "the master requires driver frameworks to authenticate",
          source: { log: "master" },
          pattern: "Master only allowing authenticated frameworks to register",
          cite: cites(
            { at: "src/master/master.cpp:494", ref: `${FACTS_14} §1.5` },
            cite111("src/master/master.cpp:502", `${SOURCE_111} §4`, "master.cpp:502] Master only allowing authenticated frameworks to register"),
          ),
          example: "Master only allowing authenticated frameworks to register",
        },
        {
          id: "http-open",
          says: "…but HTTP frameworks still register without authentication",
          source: { log: "master" },
          pattern: "Master allowing HTTP frameworks to register without authentication",
          cite: cites(
            { at: "src/master/master.cpp:524", ref: `${FACTS_14} §1.5` },
            cite111("src/master/master.cpp:517", `${SOURCE_111} §4`, "master.cpp:517] Master allowing HTTP frameworks to register without authentication"),
          ),
          example: "Master allowing HTTP frameworks to register without authentication",
        },
        subscribed,
        finished,
      ],
    },
    {
      id: "require-http",
      title: "Require HTTP framework authentication",
      text: `Now the master also sets \`MESOS_AUTHENTICATE_HTTP_FRAMEWORKS=true\` with the \`basic\` HTTP authenticator for the
scheduler realm. \`mesos-execute\` still sends no credentials: the master answers its SUBSCRIBE with \`401 Unauthorized\`
(an empty body, hence \`()\`), and mesos-execute exits with status 1.`,
      hint: "`MESOS_AUTHENTICATE_HTTP_FRAMEWORKS` needs `MESOS_HTTP_FRAMEWORK_AUTHENTICATORS=basic` and the credentials file.",
      solution: "master: + MESOS_AUTHENTICATE_HTTP_FRAMEWORKS=true, + MESOS_HTTP_FRAMEWORK_AUTHENTICATORS=basic",
      env: { master: { MESOS_AUTHENTICATE_HTTP_FRAMEWORKS: "true", MESOS_HTTP_FRAMEWORK_AUTHENTICATORS: "basic" } },
      actions: [{ do: "execute", args: ["--name=foo", "--command=env"] }],
      expect: [
        {
          id: "realm",
          says: "the master creates the basic authenticator for the scheduler realm",
          source: { log: "master" },
          pattern: "Creating default 'basic' HTTP authenticator for realm 'mesos-master-scheduler'",
          cite: cites(
            { at: "src/common/http.cpp:1026", ref: `${FACTS_14} §1.6` },
            cite111(
              "src/common/http.cpp:1296",
              `${SOURCE_111} §4`,
              "http.cpp:1296] Creating default 'basic' HTTP authenticator for realm 'mesos-master-scheduler'",
            ),
          ),
          example: "Creating default 'basic' HTTP authenticator for realm 'mesos-master-scheduler'",
        },
        {
          id: "http-required",
          says: "the master only lets authenticated HTTP frameworks register",
          source: { log: "master" },
          pattern: "Master only allowing authenticated HTTP frameworks to register",
          cite: cites(
            { at: "src/master/master.cpp:521", ref: `${FACTS_14} §1.5` },
            cite111("src/master/master.cpp:514", `${SOURCE_111} §4`, "master.cpp:514] Master only allowing authenticated HTTP frameworks to register"),
          ),
          example: "Master only allowing authenticated HTTP frameworks to register",
        },
        {
          id: "unauthorized",
          says: "SUBSCRIBE is answered 401 Unauthorized and mesos-execute exits",
          source: { execute: "stderr" },
          pattern: "EXIT with status 1: Received an ERROR event: Received unexpected '401 Unauthorized' \\(\\) for SUBSCRIBE",
          cite: cites(
            { at: "src/cli/execute.cpp:666", ref: `${FACTS_14} §1.6` },
            cite111(
              "src/cli/execute.cpp:674",
              `${OBSERVED_111} Framework authentication`,
              "execute.cpp:674] EXIT with status 1: Received an ERROR event: Received unexpected '401 Unauthorized' () for SUBSCRIBE",
            ),
          ),
          example: "EXIT with status 1: Received an ERROR event: Received unexpected '401 Unauthorized' () for SUBSCRIBE",
        },
        executeExits(1),
        { ...subscribed, id: "not-subscribed", says: "mesos-execute does not subscribe", negate: true },
      ],
    },
    {
      id: "with-principal",
      title: "mesos-execute authenticates",
      text: `\`mesos-execute --principal=scheduler-principal --secret=…\` sends \`Authorization: Basic …\` with every call and
sets \`FrameworkInfo.principal\`. The master accepts it and the task runs as before.`,
      hint: "The principal and secret must be an entry of the master's credentials.json.",
      solution: "mesos-execute: + --principal=scheduler-principal --secret=<its secret from credentials/secrets.json>",
      actions: [{ do: "execute", args: ["--name=foo", "--command=env", "--principal=scheduler-principal", "--secret=${secret:scheduler-principal}"] }],
      expect: [subscribed, finished, executeExits(0)],
    },
    {
      id: "claimed-principal-replay",
      title: "Replay: the claim without a secret",
      text: `The same impostor, now that the master requires HTTP framework authentication. Its SUBSCRIBE carries no
credential: \`401 Unauthorized\` for the realm \`mesos-master-scheduler\`, and mesos-execute exits 1. A valid credential
of *another* principal that claims \`scheduler-principal\` is refused too (\`400\`: the authenticated principal does not
match the one in \`FrameworkInfo\`).`,
      hint: "mesos-execute's stderr says what the master answered.",
      attack: { id: "claimed-principal", expect: "blocked" },
      since: ATTACKS_SINCE,
    },
  ],
});
