import { createHash } from "node:crypto";
import { PROBES } from "./probes.js";
import type { AuditReport, Probe, Severity } from "./types.js";

/**
 * The audit as SARIF 2.1.0, for code-scanning pipelines: one rule per probe (tool.driver.rules), one result per
 * finding, located at the target's URL (locations[].physicalLocation.artifactLocation.uri). The level follows the
 * severity; `security-severity` (a CVSS-like score as a string) is what GitHub code scanning sorts security results
 * by. docs/audit/sarif-2.1.0-subset.schema.json is the part of the SARIF schema test/audit checks this against.
 */

const LEVEL: Record<Severity, "error" | "warning" | "note"> = { high: "error", medium: "warning", low: "note", info: "note" };
const SCORE: Record<Severity, string> = { high: "8.0", medium: "5.5", low: "3.0", info: "0.0" };

const help = (p: Probe) =>
  [
    p.exercise ? `Fixed in mesos-lab exercise ${p.exercise.id}: ${p.exercise.title}.` : "No exercise of mesos-lab covers it.",
    `Flags that close it: ${p.flags.join("; ")}.`,
    `The probe sends: ${p.sends.join("; ")}.`,
    `Finding when: ${p.finding}. Absent when: ${p.absent}.`,
    `Mesos 1.11 source: ${p.cite.join(", ")}.`,
  ].join(" ");

export function renderSarif(r: AuditReport): string {
  const rules = PROBES.filter((p) => p.mode === "read-only" || r.mode === "active");
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "mesos-lab",
            version: r.tool.version,
            rules: rules.map((p) => ({
              id: p.id,
              shortDescription: { text: p.title },
              fullDescription: { text: `${p.title}. Finding when: ${p.finding}.` },
              help: { text: help(p) },
              defaultConfiguration: { level: LEVEL[p.severity] },
              properties: { tags: ["security", "mesos"], "security-severity": SCORE[p.severity], severity: p.severity, mode: p.mode },
            })),
          },
        },
        invocations: [{ executionSuccessful: true, startTimeUtc: r.startedAt }],
        results: r.findings.map((f) => ({
          ruleId: f.id,
          ruleIndex: rules.findIndex((p) => p.id === f.id),
          level: LEVEL[f.severity],
          message: {
            text: `${f.title} (${f.role} ${f.target}). Evidence: ${f.evidence.join("; ")}. ${
              f.exercise ? `Fixed in exercise ${f.exercise.id}: ${f.exercise.title}.` : ""
            } Flags: ${f.flags.join("; ")}.`,
          },
          locations: [{ physicalLocation: { artifactLocation: { uri: f.target } } }],
          partialFingerprints: { "mesosLabAudit/v1": createHash("sha256").update(`${f.id}\n${f.target}`).digest("hex") },
          properties: { severity: f.severity, role: f.role, evidence: f.evidence, ...(f.exercise ? { exercise: f.exercise } : {}), flags: f.flags },
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
