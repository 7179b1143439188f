import { debugString, type FakeConfig } from "./fake-mesos.js";

/**
 * Two clusters for the audit's tests: the lab's open one (exercise 01: Mesos' defaults, the agent with
 * MESOS_SWITCH_USER=false and the POSIX launcher, plus exercise 12's broad registry credential), and one with every
 * control of exercises 02-12 that an outside probe can see. Flags are what a 1.11.1 master and agent print on /flags
 * (observed-1.11.md, attack 06: `{"flags":{"agent_ping_timeout":"15secs",…,"authenticate_http_readonly":"false",…}}`).
 */

/** Secrets the fakes hold: none may appear in any output of the audit. */
export const REGISTRY_PASSWORD = "ci-registry-pw-9f2e41";
export const REGISTRY_AUTH = Buffer.from(`ci:${REGISTRY_PASSWORD}`).toString("base64");
export const ZK_PASSWORD = "zk-digest-pw-77c1";
export const EXECUTOR_ENV_SECRET = "payroll-db-4f8a2c19";
export const VIEWER_SECRET = "viewer-secret-5d1c0e";

const MASTER_DEFAULTS: Record<string, string> = {
  agent_ping_timeout: "15secs",
  agent_reregister_timeout: "10mins",
  allocation_interval: "1secs",
  allocator: "hierarchical",
  authenticate_agents: "false",
  authenticate_frameworks: "false",
  authenticate_http_frameworks: "false",
  authenticate_http_readonly: "false",
  authenticate_http_readwrite: "false",
  authentication_v0_timeout: "15secs",
  authenticators: "crammd5",
  authorizers: "local",
  framework_sorter: "drf",
  help: "false",
  hostname: "master",
  hostname_lookup: "true",
  http_authenticators: "basic",
  log_auto_initialize: "true",
  logging_level: "INFO",
  max_agent_ping_timeouts: "5",
  port: "5050",
  quiet: "false",
  quorum: "1",
  registry: "in_memory",
  root_submissions: "true",
  version: "false",
  webui_dir: "/usr/local/share/mesos/webui",
  work_dir: "/var/tmp/mesos",
  zk: `zk://mesos:${ZK_PASSWORD}@zk:2181/mesos`,
  zk_session_timeout: "10secs",
};

const AGENT_DEFAULTS: Record<string, string> = {
  appc_simple_discovery_uri_prefix: "http://",
  authenticate_http_executors: "false",
  authenticate_http_readonly: "false",
  authenticate_http_readwrite: "false",
  authenticatee: "crammd5",
  authentication_backoff_factor: "1secs",
  authorizer: "local",
  containerizers: "mesos",
  docker_registry: "http://registry:5000",
  executor_environment_variables: JSON.stringify({ LIBPROCESS_SSL_ENABLED: "1", DB_PASSWORD: EXECUTOR_ENV_SECRET }),
  hostname: "agent",
  http_command_executor: "false",
  image_providers: "docker",
  isolation: "posix/cpu,posix/mem",
  launcher: "posix",
  master: `zk://mesos:${ZK_PASSWORD}@zk:2181/mesos`,
  port: "5051",
  strict: "true",
  switch_user: "false",
  systemd_enable_support: "false",
  work_dir: "/var/tmp/mesos",
};

export const OPEN_MASTER: FakeConfig = { role: "master", transport: "plain", realms: [], flags: MASTER_DEFAULTS };
export const OPEN_AGENT: FakeConfig = {
  role: "agent",
  transport: "plain",
  realms: [],
  flags: {
    ...AGENT_DEFAULTS,
    // how the agent prints a loaded --docker_config (src/slave/slave.cpp:282, src/slave/http.cpp:924)
    docker_config: JSON.stringify({ auths: { "127.0.0.1:5000": { auth: REGISTRY_AUTH }, "registry:5000": { auth: REGISTRY_AUTH } } }),
  },
};

const CREDENTIALS = { "viewer-principal": VIEWER_SECRET, "operator-principal": "operator-secret-1b2c3d" };
const only = (principal: string) => [
  { principals: { values: [principal] }, users: { type: "ANY" } },
  { principals: { type: "ANY" }, users: { type: "NONE" } },
];

/** Exercise 10's least-privilege allow-list, with a view_flags rule so the auditor's principal may read the flags. */
export const SECURED_MASTER_ACLS = {
  permissive: false,
  register_frameworks: [{ principals: { values: ["scheduler-principal"] }, roles: { values: ["analytics"] } }],
  run_tasks: [{ principals: { values: ["scheduler-principal"] }, users: { values: ["nobody"] } }],
  view_flags: [{ principals: { values: ["viewer-principal"] }, flags: { type: "ANY" } }],
  register_agents: [{ principals: { values: ["agent-principal"] }, agents: { type: "ANY" } }],
};

/** Exercise 11's session ACLs, and the flags for the auditor. */
export const SECURED_AGENT_ACLS = {
  launch_nested_container_sessions_as_user: only("operator-principal"),
  launch_nested_container_sessions_under_parent_with_user: only("operator-principal"),
  attach_containers_output: only("operator-principal"),
  view_flags: [{ principals: { values: ["viewer-principal"] }, flags: { type: "ANY" } }],
};

export const SECURED_MASTER: FakeConfig = {
  role: "master",
  transport: "mtls",
  realms: ["readonly", "readwrite", "scheduler"],
  credentials: CREDENTIALS,
  flags: {
    ...MASTER_DEFAULTS,
    acls: debugString(SECURED_MASTER_ACLS),
    authenticate_agents: "true",
    authenticate_frameworks: "true",
    authenticate_http_frameworks: "true",
    authenticate_http_readonly: "true",
    authenticate_http_readwrite: "true",
    credentials: "file:///etc/credentials/credentials.json",
    http_framework_authenticators: "basic",
  },
};

export const SECURED_AGENT: FakeConfig = {
  role: "agent",
  transport: "mtls",
  realms: ["readonly", "readwrite", "executor"],
  credentials: CREDENTIALS,
  flags: {
    ...AGENT_DEFAULTS,
    acls: debugString(SECURED_AGENT_ACLS),
    authenticate_http_executors: "true",
    authenticate_http_readonly: "true",
    authenticate_http_readwrite: "true",
    credential: "file:///etc/credentials/credential.json",
    http_authenticators: "basic,jwt",
    http_credentials: "file:///etc/credentials/http_credentials.json",
    jwt_secret_key: "/etc/mesos/executor_secret_key",
    switch_user: "true",
  },
};

/** What the open cluster must show: probe id → the roles it shows on. */
export const OPEN_FINDINGS: Record<string, Array<"master" | "agent" | "zk">> = {
  "tls-off": ["master", "agent"],
  "agents-unauthenticated": ["master"],
  "http-frameworks-unauthenticated": ["master"],
  "frameworks-unauthenticated": ["master"],
  "acls-absent": ["master"],
  "master-readonly-anonymous": ["master"],
  "master-readwrite-anonymous": ["master"],
  "run-tasks-as-root": ["master"],
  "agent-readonly-anonymous": ["agent"],
  "executor-api-unauthenticated": ["agent"],
  "tasks-run-as-agent-user": ["agent"],
  "agent-operator-api-anonymous": ["agent"],
  "agent-sessions-unrestricted": ["agent"],
  "registry-credential-in-flags": ["agent"],
  "zk-four-letter-words": ["zk"],
};
