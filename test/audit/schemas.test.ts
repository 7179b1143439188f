import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROBES } from "../../src/audit/probes.js";
import { ROOT } from "../helpers/cli.js";
import { OPEN_AGENT, OPEN_MASTER, SECURED_AGENT, SECURED_MASTER } from "./clusters.js";
import { type FakeMesos, makePki, startFake, startFakeZk } from "./fake-mesos.js";
import { audit, auditorFiles } from "./helpers.js";

/**
 * The machine-readable outputs against their schemas: --json against docs/audit/report.schema.json (ours), --sarif
 * against docs/audit/sarif-2.1.0-subset.schema.json (the SARIF 2.1.0 objects the audit writes, from the
 * specification: the official schema cannot be downloaded here). Both on the open cluster (findings) and on the
 * secured one (none), and each schema shown to refuse a broken document.
 */

const schema = (name: string) => JSON.parse(readFileSync(path.join(ROOT, "docs/audit", name), "utf8")) as object;
const compile = (name: string): ValidateFunction => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(schema(name));
};
const reportSchema = compile("report.schema.json");
const sarifSchema = compile("sarif-2.1.0-subset.schema.json");
const errors = (v: ValidateFunction) => (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);

const fakes: FakeMesos[] = [];
const zks: Array<{ close(): Promise<void> }> = [];
const runs: Record<"open" | "secured", { json: string; sarif: string }> = { open: { json: "", sarif: "" }, secured: { json: "", sarif: "" } };

beforeAll(async () => {
  const pki = makePki();
  const files = auditorFiles(pki);
  const [om, oa, sm, sa] = await Promise.all([OPEN_MASTER, OPEN_AGENT, SECURED_MASTER, SECURED_AGENT].map((c) => startFake(c, pki)));
  fakes.push(om!, oa!, sm!, sa!);
  const zk = await startFakeZk("open");
  zks.push(zk);
  const open = { master: om!.url, agent: [oa!.url], zk: zk.address };
  const secured = {
    master: sm!.url,
    agent: [sa!.url],
    principal: "viewer-principal",
    secretFile: files.secretFile,
    ca: files.ca,
    cert: files.cert,
    key: files.key,
  };
  for (const [name, args] of [
    ["open", open],
    ["secured", secured],
  ] as const) {
    runs[name].json = (await audit({ ...args, json: true })).out;
    runs[name].sarif = (await audit({ ...args, sarif: true })).out;
  }
});

afterAll(async () => {
  await Promise.all([...fakes, ...zks].map((f) => f.close()));
});

describe("--json against docs/audit/report.schema.json", () => {
  for (const name of ["open", "secured"] as const)
    it(`the ${name} cluster's report validates`, () => {
      const doc = JSON.parse(runs[name].json) as unknown;
      expect(reportSchema(doc), errors(reportSchema).join("\n")).toBe(true);
    });

  it("the schema refuses a report that breaks it (an unknown outcome, a check without its reason, a finding without evidence)", () => {
    const doc = JSON.parse(runs.open.json) as { checks: Array<Record<string, unknown>>; findings: Array<Record<string, unknown>> };
    const bad = structuredClone(doc);
    bad.checks[0]!.outcome = "maybe";
    expect(reportSchema(bad)).toBe(false);
    const noReason = structuredClone(doc);
    const skipped = noReason.checks.find((c) => c.outcome === "skipped")!;
    delete skipped.reason;
    expect(reportSchema(noReason)).toBe(false);
    const noEvidence = structuredClone(doc);
    noEvidence.findings[0]!.evidence = [];
    expect(reportSchema(noEvidence)).toBe(false);
  });
});

describe("--sarif against the SARIF 2.1.0 subset", () => {
  for (const name of ["open", "secured"] as const)
    it(`the ${name} cluster's log validates`, () => {
      const doc = JSON.parse(runs[name].sarif) as unknown;
      expect(sarifSchema(doc), errors(sarifSchema).join("\n")).toBe(true);
    });

  it("names mesos-lab, has a rule per probe, and a located result per finding with its level", () => {
    const sarif = JSON.parse(runs.open.sarif) as {
      runs: Array<{
        tool: { driver: { name: string; rules: Array<{ id: string; defaultConfiguration: { level: string } }> } };
        results: Array<{
          ruleId: string;
          ruleIndex: number;
          level: string;
          message: { text: string };
          locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }>;
        }>;
      }>;
    };
    const report = JSON.parse(runs.open.json) as { findings: Array<{ id: string; target: string; severity: string }> };
    const run = sarif.runs[0]!;
    expect(run.tool.driver.name).toBe("mesos-lab");
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(PROBES.map((p) => p.id));
    expect(run.results.length).toBe(report.findings.length);
    const level = { high: "error", medium: "warning", low: "note", info: "note" } as Record<string, string>;
    run.results.forEach((res, i) => {
      const f = report.findings[i]!;
      expect(res.ruleId).toBe(f.id);
      expect(run.tool.driver.rules[res.ruleIndex]!.id).toBe(f.id);
      expect(res.level).toBe(level[f.severity]);
      expect(res.locations[0]!.physicalLocation.artifactLocation.uri).toBe(f.target);
      expect(res.message.text.length).toBeGreaterThan(0);
    });
    expect(JSON.parse(runs.secured.sarif).runs[0].results).toEqual([]);
  });

  it("the subset refuses what SARIF 2.1.0 requires otherwise (a result without a message, a driver without a name, a wrong version)", () => {
    const doc = JSON.parse(runs.open.sarif) as {
      version: string;
      runs: Array<{ tool: { driver: Record<string, unknown> }; results: Array<Record<string, unknown>> }>;
    };
    const noMessage = structuredClone(doc);
    delete noMessage.runs[0]!.results[0]!.message;
    expect(sarifSchema(noMessage)).toBe(false);
    const noName = structuredClone(doc);
    delete noName.runs[0]!.tool.driver.name;
    expect(sarifSchema(noName)).toBe(false);
    const version = structuredClone(doc);
    version.version = "2.0.0";
    expect(sarifSchema(version)).toBe(false);
    const level = structuredClone(doc);
    level.runs[0]!.results[0]!.level = "critical";
    expect(sarifSchema(level)).toBe(false);
    const extra = structuredClone(doc);
    extra.runs[0]!.results[0]!.severity = "high";
    expect(sarifSchema(extra)).toBe(false);
  });
});
