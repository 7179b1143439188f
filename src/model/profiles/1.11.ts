import mesos14 from "./1.4.js";
import { attackImages, deriveProfile, LAB_REGISTRY_IMAGES, libprocessEnv, mesosEnv } from "./profile.js";

/**
 * Mesos 1.11, the final Apache release and the lab's default: Apache's own image, the catalogue's citations read from
 * the 1.11.x source (docs/facts/source-1.11.md) and seen on a real 1.11.1 cluster (docs/facts/observed-1.11.md), and
 * the real-Mesos suite runs the whole catalogue on it in CI. What it reads is 1.4's, with what changed since.
 */
export default deriveProfile(mesos14, {
  name: "1.11",
  release: "1.11.0",
  // Apache's own image: one image, Mesos on the PATH, no entrypoint. ZooKeeper's official image runs on amd64 and
  // arm64 and, like every ZooKeeper since 3.5, whitelists only the `srvr` four-letter word.
  images: {
    zk: "zookeeper:3.8",
    master: "mesos/mesos-centos:1.11.0",
    agent: "mesos/mesos-centos:1.11.0",
    execute: "mesos/mesos-centos:1.11.0",
    ...LAB_REGISTRY_IMAGES,
    ...attackImages("mesos/mesos-centos:1.11.0"),
  },
  flags: {
    // 1.5 renamed --executor_secret_key to --jwt_secret_key (the old name stays a deprecated alias); 1.10 renamed the
    // certificate checks (verify_cert and require_cert stay legacy aliases) and added hostname validation
    add: [
      ...mesosEnv(["jwt_secret_key", "http_executor_domain_sockets"]),
      ...libprocessEnv(["ssl_verify_server_cert", "ssl_require_client_cert", "ssl_hostname_validation_scheme", "ssl_enable_tls_v1_3"]),
    ],
  },
  acls: {
    // include/mesos/authorizer/acls.proto, 1.11.0: the keys 1.5 to 1.11 added
    objects: {
      drain_agents: "agents",
      deactivate_agents: "agents",
      reactivate_agents: "agents",
      mark_agents_gone: "agents",
      launch_standalone_containers: "users",
      kill_standalone_containers: "users",
      wait_standalone_containers: "users",
      remove_standalone_containers: "users",
      view_standalone_containers: "users",
      modify_resource_provider_configs: "resource_providers",
      mark_resource_providers_gone: "resource_providers",
      view_resource_providers: "resource_providers",
      prune_images: "images",
      resize_volumes: "roles",
      create_block_disks: "roles",
      destroy_block_disks: "roles",
      create_mount_disks: "roles",
      destroy_mount_disks: "roles",
      destroy_raw_disks: "roles",
    },
    // LocalAuthorizer::validate, src/authorizer/local/authorizer.cpp:1727-1900 (1.11.x)
    anyOrNoneOnly: [
      "drain_agents",
      "deactivate_agents",
      "reactivate_agents",
      "launch_standalone_containers",
      "kill_standalone_containers",
      "wait_standalone_containers",
      "remove_standalone_containers",
      "view_standalone_containers",
      "mark_resource_providers_gone",
      "view_resource_providers",
      "modify_resource_provider_configs",
      "prune_images",
    ],
    // AUTHORIZABLE_ENDPOINTS, src/common/authorization.cpp:47-53 (1.11.x)
    authorizablePaths: ["/containers", "/containerizer/debug", "/files/debug", "/logging/toggle", "/metrics/snapshot", "/monitor/statistics"],
    source: "https://github.com/apache/mesos/blob/1.11.0/include/mesos/authorizer/acls.proto",
  },
  facts: ["source-1.11.md", "observed-1.11.md"],
  checked: "checked against real Mesos 1.11.1 in CI",
  real: true,
});
