import { runAudit } from "../../src/audit/run.js";
import type { AuditReport } from "../../src/audit/types.js";
import { LAB_AUDITOR, labAuditOptions } from "../../src/tui/lab-audit.js";
import { OPEN_AGENT, OPEN_MASTER, SECURED_AGENT, SECURED_MASTER } from "../audit/clusters.js";
import { type FakeConfig, type FakeMesos, makePki, startFake } from "../audit/fake-mesos.js";
import { tempTree } from "../helpers/temp-dir.js";

/** The operator's secret the fakes accept (test/audit/clusters.ts CREDENTIALS). */
export const OPERATOR_SECRET = "operator-secret-1b2c3d";

export interface LabAudits {
  /** A lab folder with its material: ssl/ca.pem and credentials/secrets.json. */
  root: string;
  caPem: string;
  /** open: the lab as 01 leaves it; tls: exercise 02's control alone; secured: every control, TLS without client certificates. */
  reports: Record<"open" | "tls" | "secured", AuditReport>;
  close(): Promise<void>;
}

/**
 * Real reports, made the TUI's own way (lab-audit.ts: the lab's CA and the operator's secret, read from the lab's
 * material) against fakes of a Mesos 1.11 master and agent (test/audit/fake-mesos.ts).
 */
export async function startLabAudits(): Promise<LabAudits> {
  const pki = makePki();
  const root = tempTree("audit-panel", {
    "ssl/ca.pem": pki.ca.certPem,
    "credentials/secrets.json": JSON.stringify({ "agent-principal": "agent-secret-0a0a0a", [LAB_AUDITOR]: OPERATOR_SECRET }),
  });
  const fakes: FakeMesos[] = [];
  const auditOf = async (m: FakeConfig, a: FakeConfig) => {
    const master = await startFake(m, pki);
    const agent = await startFake(a, pki);
    fakes.push(master, agent);
    return runAudit(labAuditOptions({ root, material: { ssl: "ssl", credentials: "credentials" } }, { master: master.url, agent: agent.url }));
  };
  const reports = {
    open: await auditOf(OPEN_MASTER, OPEN_AGENT),
    tls: await auditOf({ ...OPEN_MASTER, transport: "tls" }, { ...OPEN_AGENT, transport: "tls" }),
    secured: await auditOf({ ...SECURED_MASTER, transport: "tls" }, { ...SECURED_AGENT, transport: "tls" }),
  };
  return {
    root,
    caPem: pki.ca.certPem,
    reports,
    close: async () => {
      await Promise.all(fakes.map((f) => f.close()));
    },
  };
}
