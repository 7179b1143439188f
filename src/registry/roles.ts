import { createHmac } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../catalogue/root.js";
import type { PlacedFile } from "../runtime/types.js";
import type { Role } from "../model/roles.js";
import type { TokenServiceConfig } from "./token-service.js";

/**
 * How the lab registry's two containers are made: the registry (distribution, token authentication) and its token
 * service. Both are infrastructure, the same in every step: the exercise sets only the policy (the grants file) and
 * what the agent holds. Names here are what the registry and the tokens it accepts must agree on.
 */

export const REGISTRY_SERVICE = "mesos-lab-registry";
export const TOKEN_ISSUER = "mesos-lab-token-service";
/** Where the exercise puts the policy: account → repository pattern → actions. */
export const GRANTS_FILE = "/etc/mesos-lab/grants.json";

const CONF = "/etc/mesos-lab";
const PROGRAM = "/opt/mesos-lab/token-service.mjs";

/** The token service has started (its first line). */
export const TOKENS_LISTEN = /^token-service: listening on /;

/** The command after each program (ROLE_PROGRAM): the registry's `serve <config>`, the token service's script. */
export const ROLE_COMMAND: Partial<Record<Role, string[]>> = {
  registry: ["serve", `${CONF}/registry.yml`],
  tokens: [PROGRAM, `${CONF}/token-service.json`],
};

/** The compiled token service, read once: each reconcile copies it again. */
let program: string | undefined;

/** The compiled token service, copied into the container as it is (it imports only Node's built-ins). */
function tokenServiceProgram(): string {
  if (program !== undefined) return program;
  const file = path.join(packageRoot(), "dist", "src", "registry", "token-service.js");
  if (!existsSync(file)) throw new Error(`the token service is not built (${file} is missing): run \`npm run build\``);
  program = readFileSync(file, "utf8");
  return program;
}

/** distribution's configuration: filesystem storage inside the container (it goes with it), tokens from `realm`. */
export function registryConfig(o: { realm: string; secret: string }): string {
  return [
    "version: 0.1",
    "log:",
    "  level: info",
    "  formatter: text",
    "storage:",
    "  filesystem:",
    "    rootdirectory: /var/lib/registry",
    "http:",
    "  addr: :5000",
    `  secret: ${o.secret}`,
    "auth:",
    "  token:",
    `    realm: ${o.realm}`,
    `    service: ${REGISTRY_SERVICE}`,
    `    issuer: ${TOKEN_ISSUER}`,
    `    rootcertbundle: ${CONF}/token-ca.pem`,
    "",
  ].join("\n");
}

/**
 * distribution's `http.secret`, which signs the upload state it hands to clients: from the lab's own key material, so
 * that it is the same in every run of this lab (a run id, printed in every container's name, was guessable) and is no
 * other lab's.
 */
export function registryHttpSecret(read: (name: string) => Buffer): string {
  return createHmac("sha256", read("ssl/token-issuer-key.pem")).update("mesos-lab registry http.secret").digest("hex");
}

/**
 * The files a registry or token-service container gets besides the exercise's: configuration, the CA the registry
 * trusts tokens by, the token service's signing key and certificate, and the accounts it knows (lab material, 0600).
 */
export function registryRoleFiles(role: Role, o: { tokensHost: string; read: (name: string) => Buffer }): PlacedFile[] {
  if (role === "registry")
    return [
      {
        path: `${CONF}/registry.yml`,
        content: registryConfig({ realm: `http://${o.tokensHost}:5001/token`, secret: registryHttpSecret(o.read) }),
        mode: 0o600,
      },
      { path: `${CONF}/token-ca.pem`, content: o.read("ssl/ca.pem"), mode: 0o644 },
    ];
  if (role === "tokens") {
    const config: TokenServiceConfig = {
      port: 5001,
      issuer: TOKEN_ISSUER,
      service: REGISTRY_SERVICE,
      keyFile: `${CONF}/token-issuer-key.pem`,
      certFile: `${CONF}/token-issuer.pem`,
      accountsFile: `${CONF}/accounts.json`,
      grantsFile: GRANTS_FILE,
    };
    return [
      { path: PROGRAM, content: tokenServiceProgram(), mode: 0o644 },
      { path: `${CONF}/token-service.json`, content: `${JSON.stringify(config, null, 2)}\n`, mode: 0o644 },
      { path: config.keyFile, content: o.read("ssl/token-issuer-key.pem"), mode: 0o600 },
      { path: config.certFile, content: o.read("ssl/token-issuer.pem"), mode: 0o644 },
      { path: config.accountsFile, content: o.read("credentials/registry-accounts.json"), mode: 0o600 },
    ];
  }
  return [];
}
