import { LAB_REGISTRY_IMAGES, libprocessEnv, mesosEnv, type MesosProfile } from "./profile.js";

/**
 * Mesos 1.4, the release of the 2017 workshop (MesosCon): its own images, and the catalogue's citations read from the
 * 1.4.0 source (docs/facts/security-facts-1.4.md). Mesos 1.4 cannot be built or pulled where CI runs, so the catalogue
 * is checked for it against the stand-in only.
 */

/** Security-relevant Mesos flags of 1.4 (src/master/flags.cpp, src/slave/flags.cpp, src/cli/execute.cpp at 1.4.0). */
const MESOS_FLAGS = [
  "acls", "agent_removal_rate_limit", "authenticate_agents", "authenticate_frameworks", "authenticate_http_frameworks",
  "authenticate_http_readonly", "authenticate_http_readwrite", "authenticate_http_executors", "authenticatee", "authenticators",
  "authentication_backoff_factor", "authorizers", "credential", "credentials", "executor_secret_key", "executor_environment_variables",
  "http_authenticators", "http_credentials", "http_framework_authenticators", "hostname", "ip", "port",
  "master", "quorum", "registry", "work_dir", "zk", "launcher", "switch_user", "systemd_enable_support", "containerizers",
  "isolation", "roles", "resources", "attributes", "log_dir", "logging_level", "cluster", "advertise_ip", "advertise_port",
  "zk_session_timeout", "max_agent_ping_timeouts", "agent_ping_timeout", "offer_timeout", "webui_dir",
  "docker", "image_providers", "default_role", "firewall_rules", "modules", "modules_dir", "secret_resolver",
  "authenticate_http", "hostname_lookup", "executor_registration_timeout", "recover", "strict", "version",
];

/** libprocess's own variables and its SSL flags (3rdparty/libprocess/src/process.cpp and openssl.cpp at 1.4.0). */
const LIBPROCESS_FLAGS = [
  "ip", "port", "advertise_ip", "advertise_port", "num_worker_threads",
  "ssl_enabled", "ssl_support_downgrade", "ssl_cert_file", "ssl_key_file", "ssl_verify_cert", "ssl_require_cert", "ssl_verify_ipadd",
  "ssl_verification_depth", "ssl_ca_dir", "ssl_ca_file", "ssl_ciphers", "ssl_ecdh_curves", "ssl_enable_ssl_v3", "ssl_enable_tls_v1_0",
  "ssl_enable_tls_v1_1", "ssl_enable_tls_v1_2",
];

/** ACL action key → its object entity (include/mesos/authorizer/acls.proto, 1.4.0). */
const ACL_OBJECTS: Record<string, string> = {
  register_frameworks: "roles",
  run_tasks: "users",
  reserve_resources: "roles",
  unreserve_resources: "reserver_principals",
  create_volumes: "roles",
  destroy_volumes: "creator_principals",
  teardown_frameworks: "framework_principals",
  update_weights: "roles",
  get_endpoints: "paths",
  get_quotas: "roles",
  update_quotas: "roles",
  view_frameworks: "users",
  view_tasks: "users",
  view_executors: "users",
  access_sandboxes: "users",
  access_mesos_logs: "logs",
  view_flags: "flags",
  launch_nested_containers_as_user: "users",
  launch_nested_containers_under_parent_with_user: "users",
  kill_nested_containers: "users",
  wait_nested_containers: "users",
  launch_nested_container_sessions_as_user: "users",
  launch_nested_container_sessions_under_parent_with_user: "users",
  attach_containers_input: "users",
  attach_containers_output: "users",
  view_containers: "users",
  set_log_level: "level",
  remove_nested_containers: "users",
  register_agents: "agents",
  update_maintenance_schedules: "machines",
  get_maintenance_schedules: "machines",
  start_maintenances: "machines",
  stop_maintenances: "machines",
  get_maintenance_statuses: "machines",
  view_roles: "roles",
};

const mesos14: MesosProfile = {
  name: "1.4",
  release: "1.4.0",
  images: {
    zk: "netflixoss/exhibitor:1.5.2",
    master: "mesosphere/mesos-master:1.4.0-rc5",
    agent: "mesosphere/mesos-slave:1.4.0-rc5",
    execute: "mesosphere/mesos:1.4.0-rc5",
    ...LAB_REGISTRY_IMAGES,
  },
  flags: [...mesosEnv(MESOS_FLAGS), ...libprocessEnv(LIBPROCESS_FLAGS)],
  acls: {
    objects: ACL_OBJECTS,
    // LocalAuthorizer::validate, src/authorizer/local/authorizer.cpp:1394-1466
    anyOrNoneOnly: ["access_mesos_logs", "view_flags", "set_log_level", "register_agents", "update_maintenance_schedules", "get_maintenance_schedules", "start_maintenances", "stop_maintenances", "get_maintenance_statuses"],
    // AUTHORIZABLE_ENDPOINTS, src/common/http.cpp:98-105
    authorizablePaths: ["/containers", "/files/debug", "/files/debug.json", "/logging/toggle", "/metrics/snapshot", "/monitor/statistics", "/monitor/statistics.json"],
    source: "https://github.com/apache/mesos/blob/1.4.0/include/mesos/authorizer/acls.proto",
  },
  // source-1.11.md §8 reads the nested-container sessions at the 1.4.0 tag too
  facts: ["security-facts-1.4.md", "source-1.11.md"],
  checked: "checked against the stand-in only (the workshop's release; Mesos 1.4 is not run in CI)",
  checkedShort: "stand-in only",
  real: false,
};

export default mesos14;
