import { writeFileSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { type AuditCliOptions, auditCommand } from "../../src/cli/commands/audit.js";
import { tempDir } from "../helpers/temp-dir.js";
import { VIEWER_SECRET } from "./clusters.js";
import type { FakePki } from "./fake-mesos.js";

/** The audit run in-process, its stdout kept. */
export async function audit(o: AuditCliOptions): Promise<{ code: number; out: string }> {
  let out = "";
  const sink = new Writable({
    write(chunk, _enc, cb) {
      out += String(chunk);
      cb();
    },
  });
  const code = await auditCommand(o, sink);
  return { code, out };
}

/** The files an auditor passes: its secret (0600), the cluster's CA, and a client certificate of that CA. */
export function auditorFiles(pki: FakePki): { secretFile: string; ca: string; cert: string; key: string } {
  const dir = tempDir("audit");
  const file = (name: string, text: string, mode = 0o600) => {
    const p = path.join(dir, name);
    writeFileSync(p, text, { mode });
    return p;
  };
  return {
    secretFile: file("secret", `${VIEWER_SECRET}\n`),
    ca: file("ca.pem", pki.ca.certPem, 0o644),
    cert: file("client.pem", pki.client.certPem, 0o644),
    key: file("client-key.pem", pki.client.keyPem),
  };
}
