import { randomBytes } from "node:crypto";

export const PRINCIPALS = ["agent-principal", "scheduler-principal", "operator-principal", "viewer-principal", "service-principal"] as const;

/**
 * Accounts of the lab registry's token service (exercise 12, seed 003): the two business lines' pull accounts and the
 * build machine's. Not Mesos principals: they are in no Mesos credentials file.
 */
export const REGISTRY_ACCOUNTS = ["cainiao", "alipay", "ci"] as const;

export interface LabCredentials {
  secrets: Record<string, string>;
  /** HMAC key for executor JWTs (`--executor_secret_key` / `--jwt_secret_key`). */
  executorSecretKey: string;
}

const token = (n: number) => randomBytes(n).toString("base64url").slice(0, n);

export function generateSecrets(names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((p) => [p, token(24)]));
}

export function generateCredentials(): LabCredentials {
  return { secrets: generateSecrets([...PRINCIPALS, ...REGISTRY_ACCOUNTS]), executorSecretKey: randomBytes(32).toString("base64url") };
}

/** Master `--credentials` and agent `--http_credentials` (include/mesos/mesos.proto Credentials). */
export function credentialsJson(c: LabCredentials, principals: readonly string[] = PRINCIPALS): string {
  return `${JSON.stringify({ credentials: principals.map((principal) => ({ principal, secret: c.secrets[principal] })) })}\n`;
}

/** Agent `--credential` (one Credential). */
export function credentialJson(principal: string, secret: string): string {
  return `${JSON.stringify({ principal, secret })}\n`;
}

/** The token service's accounts file: `{ "<account>": "<secret>" }`. */
export function registryAccountsJson(c: LabCredentials): string {
  return `${JSON.stringify(Object.fromEntries(REGISTRY_ACCOUNTS.map((a) => [a, c.secrets[a]])), null, 2)}\n`;
}

/** Docker's `auth`: base64 of `account:secret`, what `docker login` writes to config.json. */
export const dockerAuth = (account: string, secret: string) => Buffer.from(`${account}:${secret}`).toString("base64");

/**
 * A Docker `config.json` with one registry credential, for the agent's `--docker_config`. Mesos picks the entry whose
 * key is the image's registry host:port (src/uri/fetchers/docker.cpp:402-428 at 1.11): the lab registry is
 * `registry:5000` on the lab network and `127.0.0.1:5000` with host networking.
 */
export function dockerConfigJson(account: string, secret: string): string {
  const auth = { auth: dockerAuth(account, secret) };
  return `${JSON.stringify({ auths: { "registry:5000": auth, "127.0.0.1:5000": auth } }, null, 2)}\n`;
}
