import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditReport } from "../../src/audit/types.js";
import { auditPanel, auditPanelLines } from "../../src/tui/audit-panel.js";
import type { AuditView } from "../../src/tui/state.js";
import { LAB_AUDIT_TIMEOUT_MS, labAuditOptions } from "../../src/tui/lab-audit.js";
import { type Line, widthOf } from "../../src/tui/lines.js";
import { tempTree } from "../helpers/temp-dir.js";
import { type LabAudits, OPERATOR_SECRET, startLabAudits } from "./lab-audits.js";

/** The panel an exercise ends with (issue 21 point 5), from real reports of the TUI's own audit (lab-audits.ts). */

let labs: LabAudits;
let reports: LabAudits["reports"];
beforeAll(async () => {
  labs = await startLabAudits();
  reports = labs.reports;
});
afterAll(() => labs?.close());

const text = (lines: Line[]) => lines.map((l) => l.map((s) => s.text).join("")).join("\n");
const done = (exercise: string, report: AuditReport): AuditView => ({ key: `${exercise}:x:1`, exercise, step: "x", status: "done", report });

describe("the lab's audit options", () => {
  it("audit the published master and agent as the operator, with the lab's CA, read-only, 1.5 s per request", () => {
    const o = labAuditOptions(
      { root: labs.root, material: { ssl: "ssl", credentials: "credentials" } },
      { master: "https://localhost:5050", agent: "https://localhost:5051" },
    );
    expect(o).toEqual({
      master: "https://localhost:5050",
      agents: ["https://localhost:5051"],
      credentials: { principal: "operator-principal", secret: OPERATOR_SECRET },
      tls: { ca: labs.caPem },
      timeoutMs: 1500,
      active: false,
      failOn: "low",
    });
    expect(LAB_AUDIT_TIMEOUT_MS).toBeLessThanOrEqual(1500);
  });

  it("say what is missing without quoting the secrets file", () => {
    const broken = tempTree("audit-panel-broken", { "ssl/ca.pem": "x", "credentials/secrets.json": '{"operator-principal": "s3cr3t-value-42",' });
    const config = { root: broken, material: { ssl: "ssl", credentials: "credentials" } };
    expect(() => labAuditOptions(config, { master: "http://m" })).toThrow(/secrets\.json cannot be read as the lab's secrets/);
    try {
      labAuditOptions(config, { master: "http://m" });
    } catch (err) {
      expect((err as Error).message).not.toContain("s3cr3t");
    }
    writeFileSync(path.join(broken, "credentials", "secrets.json"), "{}");
    expect(() => labAuditOptions(config, { master: "http://m" })).toThrow(/no secret for operator-principal/);
    expect(() => labAuditOptions({ root: "/nonexistent", material: config.material }, { master: "http://m" })).toThrow(/no lab CA at/);
    expect(() => labAuditOptions(config, { agent: "http://a" })).toThrow(/master is not published/);
  });
});

describe("the audit panel", () => {
  it("on the open lab: nothing closed by 01, every finding open once per probe, with the exercise that closes it, in exercise order", () => {
    const p = auditPanel(reports.open, "01");
    expect(p.closed).toEqual([]);
    expect(p.unjudged).toEqual([]);
    expect(p.notVisible).toBeUndefined();
    const tls = p.open.filter((o) => o.id === "tls-off");
    expect(tls).toEqual([{ id: "tls-off", title: expect.stringContaining("plain HTTP only"), severity: "high", roles: ["master", "agent"], exercise: "02" }]);
    expect(p.open.map((o) => o.exercise)).toEqual([...p.open.map((o) => o.exercise)].sort());
    expect(new Set(p.open.map((o) => o.id)).size).toBe(new Set(reports.open.findings.map((f) => f.id)).size);
    expect(p.open.map((o) => o.id)).toEqual(expect.arrayContaining(["agents-unauthenticated", "agent-operator-api-anonymous", "master-readonly-anonymous"]));
  });

  it("after exercise 02's TLS: its probes closed (✓), why an outside audit cannot see the rest of it, the others still open with their exercise", () => {
    const p = auditPanel(reports.tls, "02");
    expect(p.closed.map((c) => c.id)).toEqual(["tls-off", "tls-downgrade"]);
    expect(p.open.some((o) => o.exercise === "02")).toBe(false);
    expect(p.notVisible).toMatch(/schedulers and executors listen on ports of their own/);
    const lines = auditPanelLines(done("02", reports.tls), 80);
    const t = text(lines);
    expect(t).toContain("Closed by exercise 02");
    expect(t).toMatch(/^✓ the port speaks plain HTTP only/m);
    expect(t).toContain("an outside audit cannot see this control: schedulers and executors");
    expect(t).toMatch(/^☠ any machine can join as an agent.*exercise 03 closes it$/m);
    expect(t).toMatch(/^☠ .*the agent's operator API answers anonymous calls.*exercise 11 closes it$/m);
    expect(t).toMatch(/Still open \(\d+\)/);
    for (const l of lines) expect(widthOf(l), text([l])).toBeLessThanOrEqual(80);
  });

  it("with every control: exercise 06's probes closed, its secret read nowhere in the panel, nothing of 06 still open", () => {
    const p = auditPanel(reports.secured, "06");
    expect(p.closed.map((c) => c.id)).toEqual(["master-readonly-anonymous", "master-readwrite-anonymous", "agent-readonly-anonymous"]);
    expect(p.open.map((o) => o.exercise)).not.toContain("06");
    // the flags were read as the operator: the ACL probes were judged, not left unknown
    expect(reports.secured.checks.find((c) => c.probe === "acls-absent")?.outcome).toBe("absent");
    for (const ex of ["02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"]) {
      const t = text(auditPanelLines(done(ex, reports.secured), 120));
      expect(t).not.toContain(OPERATOR_SECRET);
    }
    expect(JSON.stringify(reports.secured)).not.toContain(OPERATOR_SECRET);
  });

  it("a finding of this very exercise is said to be still seen, and a probe no check could judge is marked ?, with why", () => {
    // 12's registry credential stays in the agent's flags after its control (narrowed or not): NOT_VISIBLE says why
    const t12 = text(auditPanelLines(done("12", reports.open), 100));
    expect(t12).toMatch(/☠ the agent holds a registry credential.*still seen after this exercise/);
    expect(t12).toContain("an outside audit cannot see this control: the scope of an account");
    const unknown: AuditReport = {
      ...reports.tls,
      checks: reports.tls.checks.map((c) => (c.probe === "tls-off" ? { ...c, outcome: "unknown", reason: "neither http nor https answered /version" } : c)),
    };
    const p = auditPanel(unknown, "02");
    expect(p.closed.map((c) => c.id)).toEqual(["tls-downgrade"]);
    expect(p.unjudged).toEqual([{ id: "tls-off", title: expect.any(String), reason: "neither http nor https answered /version" }]);
    expect(text(auditPanelLines(done("02", unknown), 200))).toMatch(
      /^\? the port speaks plain HTTP only.*not judged: neither http nor https answered \/version$/m,
    );
    expect(text(auditPanelLines(done("02", unknown), 200))).toMatch(/2 check\(s\) could not be judged/);
  });

  it("an exercise with no probe of its own says so; while it runs and when it fails, one line", () => {
    expect(text(auditPanelLines(done("01", reports.open), 80))).toContain("Closed by exercise 01\n  nothing an outside probe checks");
    const running = auditPanelLines({ key: "k", exercise: "02", step: "x", status: "running" }, 80, 3);
    expect(text(running)).toBe("⠸ auditing the lab…");
    const failed = auditPanelLines(
      { key: "k", exercise: "02", step: "x", status: "failed", reason: `connect ECONNREFUSED 127.0.0.1:5050 ${"and on ".repeat(20)}` },
      80,
    );
    expect(failed).toHaveLength(1);
    expect(text(failed)).toMatch(/^audit of the lab not available: connect ECONNREFUSED 127\.0\.0\.1:5050 .*…$/);
    expect(widthOf(failed[0]!)).toBe(80);
  });
});
