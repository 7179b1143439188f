import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { issueLeaf, createCa } from "./certs.js";
import {
  credentialJson,
  credentialsJson,
  dockerAuth,
  dockerConfigJson,
  generateCredentials,
  generateSecrets,
  PRINCIPALS,
  REGISTRY_ACCOUNTS,
  registryAccountsJson,
  type LabCredentials,
} from "./credentials.js";
import { ensureDir, readIfExists, writeAtomic } from "./files.js";
import type { Pem } from "./keys.js";

/**
 * The lab's PKI and secrets, in ssl/ and credentials/ next to lab.config.ts: a CA, a leaf per role, the workshop's
 * single cert.pem/key.pem, a rogue CA (for the verification exercise), and the Mesos credential files.
 * Idempotent: what exists is kept; `force` regenerates all. Keys and secrets are 0600, folders 0700.
 */

/**
 * `executor`: the TLS identity an agent hands its executors (--executor_environment_variables). An agent that switches
 * users runs each executor as its task's user, so the executor's key must be readable by that user, and therefore by
 * the task: a leaf of its own, for the agents' addresses, keeps the agent's own key root's (examples/hardened).
 */
export type LeafRole = "master" | "agent" | "scheduler" | "zk" | "executor";
const ROLES: LeafRole[] = ["master", "agent", "scheduler", "zk", "executor"];

function sans(role: LeafRole): { dnsNames: string[]; ips: string[] } {
  const dns = [role, "localhost", `mesos-lab-${role}`];
  if (role === "scheduler") dns.push("execute");
  if (role === "agent") for (let i = 2; i <= 5; i++) dns.push(`agent-${i}`);
  // an executor speaks from its agent's address
  if (role === "executor") dns.push("agent", "agent-2", "agent-3", "agent-4", "agent-5");
  return { dnsNames: dns, ips: ["127.0.0.1"] };
}

function allSans(): { dnsNames: string[]; ips: string[] } {
  const dns = new Set<string>();
  for (const r of ROLES) sans(r).dnsNames.forEach((d) => dns.add(d));
  return { dnsNames: [...dns], ips: ["127.0.0.1"] };
}

export interface LabMaterial {
  readonly sslDir: string;
  readonly credentialsDir: string;
  readonly caPem: string;
  read(name: string): Buffer;
  secretOf(principal: string): string;
  secrets(): string[];
  issueForNetwork(ips: Partial<Record<LeafRole, string>> & { agents?: string[] }): Promise<Map<string, Buffer>>;
}

export async function ensureLabMaterial(opts: { sslDir: string; credentialsDir: string; force?: boolean }): Promise<LabMaterial> {
  const { sslDir, credentialsDir } = opts;
  ensureDir(sslDir);
  ensureDir(credentialsDir);
  const ssl = (n: string) => path.join(sslDir, n);
  const cred = (n: string) => path.join(credentialsDir, n);
  const have = (f: string) => !opts.force && existsSync(f);

  const pair = (certFile: string, keyFile: string, make: () => Pem, regenerate = false): Pem => {
    if (!regenerate && have(certFile) && have(keyFile)) return { certPem: readFileSync(certFile, "utf8"), keyPem: readFileSync(keyFile, "utf8") };
    const p = make();
    writeAtomic(keyFile, p.keyPem, 0o600);
    writeAtomic(certFile, p.certPem, 0o644);
    return p;
  };

  const caFresh = !have(ssl("ca.pem")) || !have(ssl("ca-key.pem"));
  const ca = pair(ssl("ca.pem"), ssl("ca-key.pem"), () => createCa("mesos-lab CA"));
  // leaves from an older CA would not verify: a new CA means new leaves
  const leaves = new Map<string, Pem>();
  for (const role of ROLES)
    leaves.set(
      role,
      pair(ssl(`${role}.pem`), ssl(`${role}-key.pem`), () => issueLeaf(ca, { commonName: role, ...sans(role) }), caFresh),
    );
  leaves.set(
    "cert",
    pair(ssl("cert.pem"), ssl("key.pem"), () => issueLeaf(ca, { commonName: "mesos-lab", ...allSans() }), caFresh),
  );
  // the lab registry's token service signs with this; the registry trusts the lab CA that issued it
  pair(
    ssl("token-issuer.pem"),
    ssl("token-issuer-key.pem"),
    () => issueLeaf(ca, { commonName: "mesos-lab token issuer", dnsNames: ["tokens"], ips: [] }),
    caFresh,
  );
  const rogue = pair(ssl("rogue-ca.pem"), ssl("rogue-ca-key.pem"), () => createCa("rogue CA"));
  const rogueFresh = !have(ssl("rogue-agent.pem"));
  leaves.set(
    "rogue-agent",
    pair(ssl("rogue-agent.pem"), ssl("rogue-agent-key.pem"), () => issueLeaf(rogue, { commonName: "agent", ...sans("agent") }), rogueFresh),
  );
  // A network's leaves certify the lab's own keys for that network's addresses: an RSA key takes 0.1-0.4 s to make,
  // 8 of them for every network, while a signature takes milliseconds. A lab's identities are its keys, not its subnets.
  const keyOf = (leaf: string) => leaves.get(leaf)!.keyPem;

  let creds: LabCredentials;
  let accountsAdded = false;
  const secretsFile = cred("secrets.json");
  if (have(secretsFile) && have(cred("executor_secret_key"))) {
    creds = {
      secrets: JSON.parse(readFileSync(secretsFile, "utf8")) as Record<string, string>,
      executorSecretKey: readFileSync(cred("executor_secret_key"), "utf8").trim(),
    };
    // material made before the lab registry existed has no registry accounts: add them, keep the rest
    const missing = REGISTRY_ACCOUNTS.filter((a) => creds.secrets[a] === undefined);
    if (missing.length) {
      creds.secrets = { ...creds.secrets, ...generateSecrets(missing) };
      writeAtomic(secretsFile, `${JSON.stringify(creds.secrets, null, 2)}\n`, 0o600);
      accountsAdded = true;
    }
  } else {
    creds = generateCredentials();
    writeAtomic(secretsFile, `${JSON.stringify(creds.secrets, null, 2)}\n`, 0o600);
    writeAtomic(cred("executor_secret_key"), creds.executorSecretKey, 0o600);
  }
  const writeIfMissing = (f: string, content: string) => {
    if (!have(f) || opts.force) writeAtomic(f, content, 0o600);
  };
  writeIfMissing(cred("credentials.json"), credentialsJson(creds));
  writeIfMissing(cred("http_credentials.json"), credentialsJson(creds));
  writeIfMissing(cred("credential.json"), credentialJson("agent-principal", creds.secrets["agent-principal"]!));
  writeIfMissing(cred("wrong-credential.json"), credentialJson("agent-principal", `${creds.secrets["agent-principal"]!.slice(0, 8)}-wrong`));
  // new accounts' secrets must reach the files that hold them
  const registryFile = (f: string, content: string) => (accountsAdded ? writeAtomic(f, content, 0o600) : writeIfMissing(f, content));
  registryFile(cred("registry-accounts.json"), registryAccountsJson(creds));
  for (const a of REGISTRY_ACCOUNTS) registryFile(cred(`docker-config-${a}.json`), dockerConfigJson(a, creds.secrets[a]!));

  const read = (name: string): Buffer => {
    const m = /^(ssl|credentials)\/([A-Za-z0-9._-]+)$/.exec(name);
    const file = m ? path.join(m[1] === "ssl" ? sslDir : credentialsDir, m[2]!) : undefined;
    const b = file ? readIfExists(file) : undefined;
    if (!b)
      throw new Error(
        `no lab material named '${name}' (known: ssl/ca.pem, ssl/<role>.pem, ssl/<role>-key.pem, ssl/cert.pem, ssl/key.pem, ssl/rogue-*.pem, credentials/*.json, credentials/executor_secret_key)`,
      );
    return b;
  };

  return {
    sslDir,
    credentialsDir,
    caPem: ca.certPem,
    read,
    secretOf(principal: string): string {
      const s = creds.secrets[principal];
      if (s === undefined) throw new Error(`no credential for principal '${principal}' (known: ${PRINCIPALS.join(", ")})`);
      return s;
    },
    // a registry credential is also printed as Docker's `auth`, base64 of `account:secret` (the agent logs its --docker_config)
    secrets: () =>
      [
        ...Object.values(creds.secrets),
        ...REGISTRY_ACCOUNTS.map((a) => dockerAuth(a, creds.secrets[a]!)),
        creds.executorSecretKey,
        read("credentials/wrong-credential.json")
          .toString()
          .match(/"secret":"([^"]+)"/)?.[1] ?? "",
      ].filter(Boolean),
    async issueForNetwork(ips) {
      const agents = ips.agents ?? (ips.agent ? [ips.agent] : []);
      const key = createHash("sha256")
        .update(ca.certPem)
        .update(JSON.stringify({ ...ips, agents }))
        .digest("hex")
        .slice(0, 16);
      const dir = path.join(sslDir, "issued", key);
      const out = new Map<string, Buffer>();
      const leafIps: Record<string, string[]> = {
        master: [ips.master ?? ""],
        agent: agents,
        executor: agents,
        scheduler: [ips.scheduler ?? ""],
        zk: [ips.zk ?? ""],
      };
      for (const role of ROLES) {
        const s = sans(role);
        const p = pair(path.join(dir, `${role}.pem`), path.join(dir, `${role}-key.pem`), () =>
          issueLeaf(ca, { commonName: role, dnsNames: s.dnsNames, ips: [...s.ips, ...leafIps[role]!.filter(Boolean)] }, keyOf(role)),
        );
        out.set(`ssl/${role}.pem`, Buffer.from(p.certPem));
        out.set(`ssl/${role}-key.pem`, Buffer.from(p.keyPem));
      }
      const all = allSans();
      const every = Object.values(leafIps).flat().filter(Boolean);
      const shared = pair(path.join(dir, "cert.pem"), path.join(dir, "key.pem"), () =>
        issueLeaf(ca, { commonName: "mesos-lab", dnsNames: all.dnsNames, ips: [...all.ips, ...every] }, keyOf("cert")),
      );
      out.set("ssl/cert.pem", Buffer.from(shared.certPem));
      out.set("ssl/key.pem", Buffer.from(shared.keyPem));
      const rs = sans("agent");
      const rogueLeaf = pair(path.join(dir, "rogue-agent.pem"), path.join(dir, "rogue-agent-key.pem"), () =>
        issueLeaf(rogue, { commonName: "agent", dnsNames: rs.dnsNames, ips: [...rs.ips, ...agents] }, keyOf("rogue-agent")),
      );
      out.set("ssl/rogue-agent.pem", Buffer.from(rogueLeaf.certPem));
      out.set("ssl/rogue-agent-key.pem", Buffer.from(rogueLeaf.keyPem));
      return out;
    },
  };
}
