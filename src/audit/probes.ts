import type { ExerciseRef, Probe } from "./types.js";

/**
 * The audit's probes, as data: what each sends, what proves the weakness and what proves it closed, the exercise
 * that teaches the fix and the flags that close it. The evaluation of each is in evaluate.ts, keyed by id; the
 * renderers, `--list` and the SARIF rules read this table. Line numbers are the 1.11.x branch's
 * (docs/facts/source-1.11.md names the commit).
 */

/** The lab's exercises as the catalogue titles them (test/audit/probes.test.ts checks them against exercises/). */
export const EXERCISES = {
  "02": { id: "02", title: "Encrypt everything with TLS" },
  "03": { id: "03", title: "Agent authentication (CRAM-MD5)" },
  "04": { id: "04", title: "Framework authentication" },
  "05": { id: "05", title: "Authorization with ACLs" },
  "06": { id: "06", title: "HTTP endpoint authentication" },
  "07": { id: "07", title: "Executor authentication (JWT)" },
  "08": { id: "08", title: "TLS with certificate verification" },
  "09": { id: "09", title: "The web UI over HTTPS" },
  "10": { id: "10", title: "A least-privilege framework principal" },
  "11": { id: "11", title: "Protect the agent's operator API" },
  "12": { id: "12", title: "Scope the agent's registry credentials" },
} as const satisfies Record<string, ExerciseRef>;

/** A route's realm is authenticated before its handler runs; a realm without an authenticator lets everyone through. */
const REALM_FIRST = ["3rdparty/libprocess/src/process.cpp:3791-3816", "3rdparty/libprocess/src/authenticator_manager.cpp:83-88"];
const BASIC_CHALLENGE = "3rdparty/libprocess/src/authenticator.cpp:89";
const MASTER_FLAGS = "src/master/http.cpp:1484-1500";
const AGENT_FLAGS = "src/slave/http.cpp:959-975";
const TLS_ENV = ["LIBPROCESS_SSL_ENABLED=true", "LIBPROCESS_SSL_CERT_FILE=<its certificate>", "LIBPROCESS_SSL_KEY_FILE=<its key>"];

export const PROBES: readonly Probe[] = [
  {
    id: "tls-off",
    title: "the port speaks plain HTTP only: everything on it (tasks, secrets, passwords) crosses the network in clear",
    severity: "high",
    roles: ["master", "agent"],
    mode: "read-only",
    exercise: EXERCISES["02"],
    flags: TLS_ENV.map((v) => `master, agent, schedulers, executors: ${v}`),
    sends: ["GET http://<target>/version", "GET https://<target>/version (a TLS handshake, no client certificate)"],
    finding: "plain http:// answers and the TLS handshake on the same port fails",
    absent: "the TLS handshake succeeds, or is refused with a TLS alert (a port that requires client certificates)",
    cite: ["3rdparty/libprocess/src/openssl.cpp:100-104", "src/version/version.cpp:73"],
  },
  {
    id: "tls-downgrade",
    title: "TLS is on, but plain HTTP is answered on the same port (LIBPROCESS_SSL_SUPPORT_DOWNGRADE)",
    severity: "high",
    roles: ["master", "agent"],
    mode: "read-only",
    exercise: EXERCISES["02"],
    flags: ["master, agent: LIBPROCESS_SSL_SUPPORT_DOWNGRADE unset or false (exercise 09's replay says why)"],
    sends: ["GET http://<target>/version", "GET https://<target>/version"],
    finding: "both http:// and https:// answer on the same port",
    absent: "plain http:// is refused (the connection is reset) while TLS is on",
    cite: ["3rdparty/libprocess/src/openssl.cpp:106-111"],
  },
  {
    id: "tls-client-cert-not-required",
    title: "TLS accepts peers without a certificate: a rogue agent or scheduler joins with any certificate, or none",
    severity: "medium",
    roles: ["master", "agent"],
    mode: "read-only",
    exercise: EXERCISES["08"],
    flags: [
      "master, agent, schedulers, executors: LIBPROCESS_SSL_REQUIRE_CLIENT_CERT=true, LIBPROCESS_SSL_VERIFY_SERVER_CERT=true, LIBPROCESS_SSL_CA_FILE=<the cluster's CA> (1.4-1.9: LIBPROCESS_SSL_REQUIRE_CERT, LIBPROCESS_SSL_VERIFY_CERT)",
    ],
    sends: ["GET https://<target>/version with no client certificate"],
    finding: "the TLS handshake without a client certificate succeeds and /version answers",
    absent: "the handshake is refused (a TLS alert, or the connection closed right after it)",
    cite: ["3rdparty/libprocess/src/openssl.cpp:604-607"],
  },
  // The web UI is served by the same libprocess server as the cluster traffic (exercise 09): TLS on the port is HTTPS
  // for the web UI too, and a plain-http port that asks for Basic credentials sends the operator's password in clear.
  {
    id: "basic-auth-over-http",
    title: "the port asks for HTTP Basic credentials over plain HTTP: an operator's password crosses the network in clear",
    severity: "high",
    roles: ["master", "agent"],
    mode: "read-only",
    exercise: EXERCISES["09"],
    flags: TLS_ENV.map((v) => `master, agent: ${v}`),
    sends: ["GET http://<target>/version", "the anonymous requests of the other probes"],
    finding: "plain http:// answers and an anonymous request is challenged with `WWW-Authenticate: Basic realm=…`",
    absent: "plain http:// is refused, or nothing on the port asks for Basic credentials",
    cite: [BASIC_CHALLENGE, "3rdparty/libprocess/src/authenticator.cpp:84-89"],
  },
  {
    id: "agents-unauthenticated",
    title: "any machine can join as an agent and be handed tasks, their secrets included",
    severity: "high",
    roles: ["master"],
    mode: "read-only",
    exercise: EXERCISES["03"],
    flags: ["master: --authenticate_agents=true, --credentials=file:///<credentials.json>", "agent: --credential=file:///<credential.json>"],
    sends: ["GET /master/flags (anonymous, then with --principal if it is 401)"],
    finding: 'flag authenticate_agents is "false"',
    absent: 'flag authenticate_agents is "true"',
    cite: [MASTER_FLAGS, "src/master/master.cpp:507-511"],
  },
  {
    id: "http-frameworks-unauthenticated",
    title: "any HTTP framework subscribes without a secret, under any principal it claims",
    severity: "high",
    roles: ["master"],
    mode: "read-only",
    exercise: EXERCISES["04"],
    flags: ["master: --authenticate_http_frameworks=true, --http_framework_authenticators=basic, --credentials=file:///<credentials.json>"],
    sends: ["GET /api/v1/scheduler (anonymous; a GET is refused 405 before anything is read)", "GET /master/flags"],
    finding: 'GET /api/v1/scheduler is answered without a challenge (405), or flag authenticate_http_frameworks is "false"',
    absent: 'GET /api/v1/scheduler is 401 with `WWW-Authenticate: … realm="mesos-master-scheduler"`',
    cite: ["src/master/master.cpp:922-929", "src/master/http.cpp:499-501", "src/master/master.cpp:619-634", ...REALM_FIRST],
  },
  {
    id: "frameworks-unauthenticated",
    title: "driver-based (v0) frameworks register without authenticating",
    severity: "medium",
    roles: ["master"],
    mode: "read-only",
    exercise: EXERCISES["04"],
    flags: ["master: --authenticate_frameworks=true, --credentials=file:///<credentials.json>"],
    sends: ["GET /master/flags"],
    finding: 'flag authenticate_frameworks is "false"',
    absent: 'flag authenticate_frameworks is "true"',
    cite: [MASTER_FLAGS, "src/master/master.cpp:501-505"],
  },
  {
    id: "acls-absent",
    title: "no authorization: every caller may do everything its authentication lets it reach (tear down any framework, run tasks as any user)",
    severity: "high",
    roles: ["master"],
    mode: "read-only",
    exercise: EXERCISES["05"],
    flags: ['master: --acls=<JSON with "permissive": false and one rule per action the principals need>'],
    sends: ["GET /master/flags"],
    finding: 'flag acls is not set and flag authorizers is "local" (the master then creates no authorizer)',
    absent: "flag acls is set, or another authorizer is configured; or /master/flags is 403 (an authorizer refused VIEW_FLAGS)",
    cite: ["src/master/main.cpp:459-469", "src/master/http.cpp:1444-1445"],
  },
  {
    id: "acls-permissive",
    title: 'ACLs are permissive: whatever no rule names is allowed, for anyone (`"permissive"` defaults to true)',
    severity: "medium",
    roles: ["master"],
    mode: "read-only",
    exercise: EXERCISES["05"],
    flags: ['master: --acls with "permissive": false'],
    sends: ["GET /master/flags"],
    finding: "flag acls does not say `permissive: false`",
    absent: "flag acls says `permissive: false`",
    cite: ["include/mesos/authorizer/acls.proto:647", "src/authorizer/acls.cpp:25-28", "src/authorizer/local/authorizer.cpp:453-465"],
  },
  {
    id: "acls-grant-any",
    title: "an ACL rule lets ANY principal, anonymous callers included, act on ANY object",
    severity: "medium",
    roles: ["master"],
    mode: "read-only",
    exercise: EXERCISES["05"],
    flags: ["master: --acls rules that name their principals (principals.values), and end in `principals ANY → NONE` where a default is needed"],
    sends: ["GET /master/flags"],
    finding: "a rule in flag acls has `principals { type: ANY }` and its object `type: ANY`",
    absent: "no such rule",
    cite: ["src/authorizer/local/authorizer.cpp:78-180", "src/authorizer/local/authorizer.cpp:191-197"],
  },
  {
    id: "master-readonly-anonymous",
    title: "the master's read-only endpoints answer anonymous callers: its flags, state and frameworks",
    severity: "high",
    roles: ["master"],
    mode: "read-only",
    exercise: EXERCISES["06"],
    flags: ["master: --authenticate_http_readonly=true, --credentials=file:///<credentials.json>"],
    sends: ["GET /master/flags, GET /master/state, GET /master/frameworks (anonymous)"],
    finding: "any of them is 200 OK without credentials",
    absent: 'each is 401 with `WWW-Authenticate: Basic realm="mesos-master-readonly"`',
    cite: ["src/master/http.cpp:1451", BASIC_CHALLENGE, "src/master/master.cpp:597-606"],
  },
  {
    id: "master-readwrite-anonymous",
    title: "the master's read-write endpoints (teardown, the operator API) accept anonymous callers",
    severity: "high",
    roles: ["master"],
    mode: "read-only",
    exercise: EXERCISES["06"],
    flags: ["master: --authenticate_http_readwrite=true, --credentials=file:///<credentials.json>"],
    sends: ["GET /api/v1 (anonymous; a GET is refused 405 before anything is read)"],
    finding: "GET /api/v1 is answered without a challenge (405 Method Not Allowed)",
    absent: 'GET /api/v1 is 401 with `WWW-Authenticate: Basic realm="mesos-master-readwrite"`',
    cite: ["src/master/master.cpp:911-921", "src/master/http.cpp:230-232", "src/master/master.cpp:608-617", ...REALM_FIRST],
  },
  {
    id: "agent-readonly-anonymous",
    title: "the agent's read-only endpoints answer anonymous callers: its flags, state and the tasks' sandboxes (/files)",
    severity: "high",
    roles: ["agent"],
    mode: "read-only",
    exercise: EXERCISES["06"],
    flags: ["agent: --authenticate_http_readonly=true, --http_credentials=file:///<http_credentials.json>"],
    sends: ["GET /flags, GET /state, GET /files/debug (anonymous)"],
    finding: "any of them is 200 OK without credentials",
    absent: 'each is 401 with `WWW-Authenticate: Basic realm="mesos-agent-readonly"`',
    cite: ["src/slave/slave.cpp:876-894", "src/files/files.cpp:225-240", BASIC_CHALLENGE],
  },
  {
    id: "executor-api-unauthenticated",
    title: "the agent's executor API takes calls from anyone: a forged status update speaks for any task's executor",
    severity: "high",
    roles: ["agent"],
    mode: "read-only",
    exercise: EXERCISES["07"],
    flags: ["agent: --jwt_secret_key=<key file> (before 1.5: --executor_secret_key), --authenticate_http_executors=true, --http_authenticators=jwt"],
    sends: ["GET /slave(1)/api/v1/executor (anonymous; a GET is refused 405 before anything is read)", "GET /flags"],
    finding: 'GET /slave(1)/api/v1/executor is answered without a challenge (405), or flag authenticate_http_executors is "false"',
    absent: 'GET /slave(1)/api/v1/executor is 401 with `WWW-Authenticate: Bearer realm="mesos-agent-executor"`',
    cite: ["src/slave/slave.cpp:854-861", "src/slave/http.cpp:741-743", "3rdparty/libprocess/src/jwt_authenticator.cpp:65-69", ...REALM_FIRST],
  },
  {
    id: "tasks-run-as-agent-user",
    title: "tasks run as the agent's own user (root on most agents), beside the agent's credential and keys",
    severity: "high",
    roles: ["agent"],
    mode: "read-only",
    exercise: EXERCISES["10"],
    flags: ["agent: --switch_user=true (its default), with the master's run_tasks ACL naming unprivileged users"],
    sends: ["GET /flags"],
    finding: 'flag switch_user is "false"',
    absent: 'flag switch_user is "true"',
    cite: [AGENT_FLAGS, "src/slave/flags.cpp:378-389", "src/slave/slave.cpp:10331"],
  },
  {
    id: "run-tasks-as-root",
    title: "the master lets frameworks run tasks as root",
    severity: "medium",
    roles: ["master"],
    mode: "read-only",
    exercise: EXERCISES["10"],
    flags: ['master: --acls with "permissive": false and run_tasks rules whose users are unprivileged (e.g. nobody), never root or ANY'],
    sends: ["GET /master/flags", "GET /master/frameworks (which users the running frameworks registered as)"],
    finding: "no authorizer, or the local authorizer's rules (evaluated as Mesos does) allow run_tasks as user root for some principal",
    absent: "the rules allow root to no principal, anonymous included",
    cite: ["src/authorizer/local/authorizer.cpp:78-180", "src/authorizer/local/authorizer.cpp:453-465", "src/master/main.cpp:459-469"],
  },
  {
    id: "agent-operator-api-anonymous",
    title: "the agent's operator API answers anonymous calls: anyone can open a root session in a running task",
    severity: "high",
    roles: ["agent"],
    mode: "read-only",
    exercise: EXERCISES["11"],
    flags: ["agent: --authenticate_http_readwrite=true, --http_credentials=file:///<http_credentials.json>"],
    sends: ['POST /api/v1 {"type":"GET_CONTAINERS"} (anonymous; a read-only call: it lists containers)'],
    finding: "GET_CONTAINERS is 200 OK without credentials",
    absent: 'it is 401 with `WWW-Authenticate: Basic realm="mesos-agent-readwrite"`',
    cite: ["src/slave/slave.cpp:777-787", "src/slave/http.cpp:2845-2849", BASIC_CHALLENGE],
  },
  {
    id: "agent-sessions-unrestricted",
    title: "any principal the agent authenticates may open a session in any task (no session ACLs on the agent)",
    severity: "medium",
    roles: ["agent"],
    mode: "read-only",
    exercise: EXERCISES["11"],
    flags: [
      "agent: --acls with launch_nested_container_sessions_as_user, launch_nested_container_sessions_under_parent_with_user and attach_containers_output for the operators only, then principals ANY → users NONE",
    ],
    sends: ["GET /flags"],
    finding: "the agent has no authorizer, or its rules (evaluated as Mesos does) let an arbitrary principal launch a session",
    absent: "its rules refuse a session to a principal they do not name",
    cite: ["src/slave/main.cpp:626-657", "src/authorizer/local/authorizer.cpp:78-180", "src/slave/http.cpp:3360"],
  },
  {
    id: "registry-credential-in-flags",
    title: "the agent holds a registry credential in --docker_config, which its /flags answers (base64 user:password)",
    severity: "medium",
    roles: ["agent"],
    mode: "read-only",
    exercise: EXERCISES["12"],
    flags: [
      "agent: --docker_config holding only the narrowest credential its tasks need (one namespace's account)",
      "agent: --authenticate_http_readonly=true (exercise 06), so /flags is not anonymous",
    ],
    sends: ["GET /flags"],
    finding: "flag docker_config has `auths` entries with credentials (shown here only as the registries they are for)",
    absent: "flag docker_config is not set, or holds no credential",
    cite: ["src/slave/http.cpp:924", "src/slave/flags.cpp:996"],
  },
  {
    id: "zk-four-letter-words",
    title: "ZooKeeper answers four-letter words (srvr) to anyone: its version, mode and client counts",
    severity: "info",
    roles: ["zk"],
    mode: "read-only",
    exercise: null,
    flags: ["ZooKeeper: 4lw.commands.whitelist= (empty) or a firewall; no exercise of the lab covers ZooKeeper"],
    sends: ["srvr (a read-only four-letter word) on a TCP connection"],
    finding: "the answer starts `Zookeeper version:`",
    absent: "`srvr is not executed because it is not in the whitelist.`, or the connection closes unanswered",
    cite: ["docs/facts/observed-1.11.md (Observed 2026-11-29: srvr answered, ruok refused by the default whitelist)"],
  },
];

export const probeById = (id: string): Probe => {
  const p = PROBES.find((x) => x.id === id);
  if (!p) throw new Error(`no audit probe ${id}`);
  return p;
};

/**
 * Why `--active` runs nothing yet. Every control an active probe would prove (04's SUBSCRIBE, 06's teardown, 07's
 * forged UPDATE, 11's session) already shows on a read-only GET to the same route: libprocess authenticates a route's
 * realm before its handler runs (process.cpp:3791-3816), and each handler refuses a GET with 405 before it reads
 * anything (master/http.cpp:230-232 and :499-501, slave/http.cpp:379-381 and :741-743). An anonymous SUBSCRIBE on an
 * open cluster would register a framework (offers, the master's completed frameworks, its log): a change to the
 * cluster for no evidence the GET does not give.
 */
export const ACTIVE_PROBES_NOTE =
  "there are none yet: the controls an active probe would prove (SUBSCRIBE, teardown, executor UPDATE, sessions) already show as a 401 challenge on a read-only request to the same route (a GET, or the agent's GET_CONTAINERS)";
