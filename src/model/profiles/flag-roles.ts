import type { Role } from "../roles.js";

/**
 * Flags only one Mesos program reads (src/master/flags.cpp, src/slave/flags.cpp; each checked on the 1.4.x and 1.11.x
 * branches: declared by the one and not the other; the agent's MESOS_EXECUTOR_SECRET_KEY is 1.4's name of 1.5+'s
 * MESOS_JWT_SECRET_KEY). In the environment a flag the program does not have is dropped without a word (stout's
 * `FlagsBase::extract` keeps known flags only, docs/facts/security-facts-1.4.md §1.9), so a flag under the wrong
 * [role] does nothing where it is, and its role starts without it: the agent authenticates a realm with no
 * credentials and exits, or the master stays open. Only flags certain to be one program's are listed; the rest (ports,
 * work_dir, the HTTP realms both have) are not checked.
 */
export const FLAG_ROLE: Readonly<Record<string, "master" | "agent">> = {
  MESOS_CREDENTIALS: "master",
  MESOS_AUTHENTICATE_AGENTS: "master",
  MESOS_AUTHENTICATE_FRAMEWORKS: "master",
  MESOS_AUTHENTICATE_HTTP_FRAMEWORKS: "master",
  MESOS_HTTP_FRAMEWORK_AUTHENTICATORS: "master",
  MESOS_AUTHENTICATORS: "master",
  MESOS_ZK: "master",
  MESOS_QUORUM: "master",
  MESOS_REGISTRY: "master",
  MESOS_AGENT_REMOVAL_RATE_LIMIT: "master",
  MESOS_MAX_AGENT_PING_TIMEOUTS: "master",
  MESOS_AGENT_PING_TIMEOUT: "master",
  MESOS_OFFER_TIMEOUT: "master",
  MESOS_WEBUI_DIR: "master",
  MESOS_CREDENTIAL: "agent",
  MESOS_HTTP_CREDENTIALS: "agent",
  MESOS_AUTHENTICATE_HTTP_EXECUTORS: "agent",
  MESOS_AUTHENTICATEE: "agent",
  MESOS_AUTHENTICATION_BACKOFF_FACTOR: "agent",
  MESOS_EXECUTOR_SECRET_KEY: "agent",
  MESOS_JWT_SECRET_KEY: "agent",
  MESOS_HTTP_COMMAND_EXECUTOR: "agent",
  MESOS_EXECUTOR_ENVIRONMENT_VARIABLES: "agent",
  MESOS_EXECUTOR_REGISTRATION_TIMEOUT: "agent",
  MESOS_MASTER: "agent",
  MESOS_LAUNCHER: "agent",
  MESOS_ISOLATION: "agent",
  MESOS_CONTAINERIZERS: "agent",
  MESOS_SWITCH_USER: "agent",
  MESOS_SYSTEMD_ENABLE_SUPPORT: "agent",
  MESOS_RESOURCES: "agent",
  MESOS_ATTRIBUTES: "agent",
  MESOS_IMAGE_PROVIDERS: "agent",
  MESOS_DOCKER_REGISTRY: "agent",
  MESOS_DOCKER_CONFIG: "agent",
};

/** The role that reads `key`, when `role` (master or agent) does not: a flag written under the wrong [role]. */
export function wrongRole(key: string, role: Role): "master" | "agent" | undefined {
  const owner = FLAG_ROLE[key];
  return owner && (role === "master" || role === "agent") && owner !== role ? owner : undefined;
}
