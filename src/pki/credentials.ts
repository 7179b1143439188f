import { randomBytes } from "node:crypto";

export const PRINCIPALS = ["agent-principal", "scheduler-principal", "operator-principal", "viewer-principal", "service-principal"] as const;

export interface LabCredentials {
  secrets: Record<string, string>;
  /** HMAC key for executor JWTs (`--executor_secret_key` / `--jwt_secret_key`). */
  executorSecretKey: string;
}

const token = (n: number) => randomBytes(n).toString("base64url").slice(0, n);

export function generateCredentials(): LabCredentials {
  return { secrets: Object.fromEntries(PRINCIPALS.map((p) => [p, token(24)])), executorSecretKey: randomBytes(32).toString("base64url") };
}

/** Master `--credentials` and agent `--http_credentials` (include/mesos/mesos.proto Credentials). */
export function credentialsJson(c: LabCredentials, principals: readonly string[] = PRINCIPALS): string {
  return JSON.stringify({ credentials: principals.map((principal) => ({ principal, secret: c.secrets[principal] })) }) + "\n";
}

/** Agent `--credential` (one Credential). */
export function credentialJson(principal: string, secret: string): string {
  return JSON.stringify({ principal, secret }) + "\n";
}
