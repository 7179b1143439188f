import { readFileSync } from "node:fs";
import path from "node:path";
import type { AuditOptions } from "../audit/run.js";
import type { LabConfig } from "../config/schema.js";

/**
 * How the TUI audits the lab's own cluster at the end of an exercise: as `mesos-lab audit` would be run by hand
 * against it (test/real/audit.test.ts does exactly that), with the lab's CA and the operator's credentials, so that
 * /flags stays readable once an exercise protects it.
 */

/** The principal whose Basic credentials read /flags: the lab's ACLs let the operator view them. */
export const LAB_AUDITOR = "operator-principal";

/** Each request's bound: the cluster is on this machine, and the panel must not keep the attendee waiting. */
export const LAB_AUDIT_TIMEOUT_MS = 1500;

export function labAuditOptions(config: Pick<LabConfig, "root" | "material">, urls: Partial<Record<"master" | "agent", string>>): AuditOptions {
  if (!urls.master) throw new Error("the master is not published on this machine");
  const ssl = path.resolve(config.root, config.material.ssl, "ca.pem");
  const secretsFile = path.resolve(config.root, config.material.credentials, "secrets.json");
  let ca: string;
  let secret: string | undefined;
  try {
    ca = readFileSync(ssl, "utf8");
  } catch {
    throw new Error(`no lab CA at ${ssl} (mesos-lab ssl makes it)`);
  }
  try {
    secret = (JSON.parse(readFileSync(secretsFile, "utf8")) as Record<string, unknown>)[LAB_AUDITOR] as string | undefined;
  } catch {
    // JSON.parse quotes the text it failed on, and that text is secrets
    throw new Error(`${secretsFile} cannot be read as the lab's secrets (mesos-lab ssl --force remakes it)`);
  }
  if (typeof secret !== "string" || !secret) throw new Error(`${secretsFile} has no secret for ${LAB_AUDITOR}`);
  return {
    master: urls.master,
    agents: urls.agent ? [urls.agent] : [],
    credentials: { principal: LAB_AUDITOR, secret },
    tls: { ca },
    timeoutMs: LAB_AUDIT_TIMEOUT_MS,
    active: false,
    failOn: "low",
  };
}
