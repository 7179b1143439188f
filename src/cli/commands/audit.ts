import { readFileSync, statSync } from "node:fs";
import { ACTIVE_PROBES_NOTE, PROBES } from "../../audit/probes.js";
import { renderHuman } from "../../audit/render-human.js";
import { renderJson } from "../../audit/render-json.js";
import { renderSarif } from "../../audit/render-sarif.js";
import { runAudit } from "../../audit/run.js";
import { SEVERITIES, type Severity } from "../../audit/types.js";
import { EXIT, LabError } from "../../util/errors.js";

export interface AuditCliOptions {
  master?: string;
  agent?: string[];
  zk?: string;
  principal?: string;
  secretFile?: string;
  secretEnv?: string;
  /** Declared only to be refused with a reason (commander would otherwise say "unknown option"). */
  secret?: string;
  ca?: string;
  cert?: string;
  key?: string;
  json?: boolean;
  sarif?: boolean;
  failOn?: string;
  active?: boolean;
  timeout?: string;
  list?: boolean;
}

/** Exit code when a finding is at or above --fail-on (as `verify` exits 1 when an expectation failed). */
export const AUDIT_FINDINGS_EXIT = EXIT.expectationsFailed;

const usage = (message: string, fix: string) => new LabError("usage", message, fix);

function readFileOption(flag: string, file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw usage(`${flag} ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, `Give ${flag} a readable file.`);
  }
}

/** The audit's secret, from a file or the environment: never from argv, where `ps` and the shell history show it. */
function secretOf(o: AuditCliOptions): string | undefined {
  if (o.secret !== undefined)
    throw usage(
      "--secret on the command line is visible to every user of this machine (ps, /proc, the shell history)",
      "Put the secret in a file only you can read and give --secret-file FILE, or in an environment variable and give --secret-env VAR.",
    );
  if (o.secretFile && o.secretEnv) throw usage("--secret-file and --secret-env both given", "Give the secret one way.");
  if (!o.principal) {
    if (o.secretFile || o.secretEnv) throw usage("a secret without --principal", "Give the principal the secret belongs to with --principal.");
    return undefined;
  }
  if (o.secretFile) {
    const secret = readFileOption("--secret-file", o.secretFile).replace(/\r?\n$/, "");
    if (!secret) throw usage(`--secret-file ${o.secretFile} is empty`, "Write the principal's secret into the file (one line).");
    // Mesos warns the same way about its own credential files (credentials.hpp:52)
    if (process.platform !== "win32" && (statSync(o.secretFile).mode & 0o077) !== 0)
      process.stderr.write(`warning: --secret-file ${o.secretFile} is readable by others (chmod 600 it)\n`);
    return secret;
  }
  if (o.secretEnv) {
    const secret = process.env[o.secretEnv];
    if (!secret) throw usage(`--secret-env ${o.secretEnv}: the variable is not set or empty`, `Export ${o.secretEnv} with the principal's secret first.`);
    return secret;
  }
  throw usage("--principal without a secret", "Add --secret-file FILE or --secret-env VAR.");
}

function listProbes(): string {
  const lines = ["The audit's probes (mode, severity, roles, the exercise that teaches the fix):", ""];
  for (const p of PROBES) {
    lines.push(`${p.id}  [${p.mode}, ${p.severity}, ${p.roles.join("/")}]${p.exercise ? `  exercise ${p.exercise.id}: ${p.exercise.title}` : ""}`);
    lines.push(`  ${p.title}`, `  sends:   ${p.sends.join("; ")}`, `  finding: ${p.finding}`, `  absent:  ${p.absent}`, "");
  }
  lines.push(`Active probes (--active): ${PROBES.some((p) => p.mode === "active") ? "marked [active] above" : ACTIVE_PROBES_NOTE}.`);
  return `${lines.join("\n")}\n`;
}

/** `mesos-lab audit --master URL [--agent URL …] …`: findings on stdout; exit 1 when one is at or above --fail-on. */
export async function auditCommand(o: AuditCliOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  if (o.list) {
    out.write(listProbes());
    return EXIT.ok;
  }
  const secret = secretOf(o);
  if (!o.master) throw usage("--master is required", "Give the master's address: mesos-lab audit --master http://HOST:5050 [--agent http://HOST:5051 …].");
  if (o.json && o.sarif) throw usage("--json and --sarif both given", "Choose one output format.");
  const failOn = (o.failOn ?? "low") as Severity;
  if (!SEVERITIES.includes(failOn)) throw usage(`--fail-on ${o.failOn}: not a level`, `Give one of ${SEVERITIES.join(", ")}.`);
  const timeoutMs = Number(o.timeout ?? "3000");
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 60_000)
    throw usage(`--timeout ${o.timeout}: not a number of milliseconds from 100 to 60000`, "Give e.g. --timeout 3000.");
  if (Boolean(o.cert) !== Boolean(o.key)) throw usage("--cert and --key go together", "Give the client certificate and its key.");
  const report = await runAudit({
    master: o.master,
    agents: o.agent ?? [],
    ...(o.zk ? { zk: o.zk } : {}),
    ...(o.principal && secret !== undefined ? { credentials: { principal: o.principal, secret } } : {}),
    tls: {
      ...(o.ca ? { ca: readFileOption("--ca", o.ca) } : {}),
      ...(o.cert && o.key ? { cert: readFileOption("--cert", o.cert), key: readFileOption("--key", o.key) } : {}),
    },
    timeoutMs,
    active: o.active === true,
    failOn,
  });
  out.write(o.json ? renderJson(report) : o.sarif ? renderSarif(report) : renderHuman(report));
  // an audit that could not look at a target's endpoints is not a clean one: a pipeline must not pass on it
  return report.summary.failed ? AUDIT_FINDINGS_EXIT : report.summary.notProbed.length > 0 ? EXIT.auditTarget : EXIT.ok;
}
