import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PROBES } from "../../src/audit/probes.js";
import { NOT_VISIBLE } from "../../src/audit/not-visible.js";
import { loadCatalogue } from "../../src/catalogue/load.js";
import { resolveConfig } from "../../src/config/load.js";
import { renderExercise } from "../../src/engine/render.js";
import { labIdOf } from "../../src/lab/identity.js";
import { LABEL, labelFilter } from "../../src/runtime/labels.js";
import { createRuntime } from "../../src/runtime/factory.js";
import { cli, ROOT } from "../helpers/cli.js";
import { engineClient } from "../helpers/docker.js";
import { realAvailable, realLab } from "./real-mesos.js";

const runtime = createRuntime();

/**
 * `mesos-lab audit` proven against the lab (issue 21 point 4), on real Mesos 1.11: for every exercise, the findings it
 * teaches (the probes whose exercise it is) show on its open cluster (`up NN:<attack step>`) and are gone after its
 * control (`up NN`); no finding contradicts the flags the lab set; and the audit changes nothing on the cluster.
 */

interface Report {
  findings: Array<{ id: string; target: string; role: string }>;
}

/** The flag a finding says is off, per role: with it on, the finding would contradict the cluster's known flags. */
const CONTRADICTS: Record<string, Array<{ role: "master" | "agent"; flag: string; on: (v: string | undefined) => boolean }>> = {
  "agents-unauthenticated": [{ role: "master", flag: "MESOS_AUTHENTICATE_AGENTS", on: (v) => v === "true" }],
  "frameworks-unauthenticated": [{ role: "master", flag: "MESOS_AUTHENTICATE_FRAMEWORKS", on: (v) => v === "true" }],
  "http-frameworks-unauthenticated": [{ role: "master", flag: "MESOS_AUTHENTICATE_HTTP_FRAMEWORKS", on: (v) => v === "true" }],
  "master-readonly-anonymous": [{ role: "master", flag: "MESOS_AUTHENTICATE_HTTP_READONLY", on: (v) => v === "true" }],
  "master-readwrite-anonymous": [{ role: "master", flag: "MESOS_AUTHENTICATE_HTTP_READWRITE", on: (v) => v === "true" }],
  "agent-readonly-anonymous": [{ role: "agent", flag: "MESOS_AUTHENTICATE_HTTP_READONLY", on: (v) => v === "true" }],
  "agent-operator-api-anonymous": [{ role: "agent", flag: "MESOS_AUTHENTICATE_HTTP_READWRITE", on: (v) => v === "true" }],
  "executor-api-unauthenticated": [{ role: "agent", flag: "MESOS_AUTHENTICATE_HTTP_EXECUTORS", on: (v) => v === "true" }],
  "acls-absent": [{ role: "master", flag: "MESOS_ACLS", on: (v) => v !== undefined }],
  "tasks-run-as-agent-user": [{ role: "agent", flag: "MESOS_SWITCH_USER", on: (v) => v === "true" }],
  "tls-off": [
    { role: "master", flag: "LIBPROCESS_SSL_ENABLED", on: (v) => v === "true" },
    { role: "agent", flag: "LIBPROCESS_SSL_ENABLED", on: (v) => v === "true" },
  ],
};

describe.runIf(await realAvailable())("mesos-lab audit against the lab, real Mesos 1.11", async () => {
  const catalogue = await loadCatalogue();
  const config = resolveConfig({ profile: "1.11" }, undefined, "/");
  const notVisible = new Set(NOT_VISIBLE.map((n) => n.exercise.id));
  // each exercise with a probe of its own that an outside audit can see flip (12's registry credential stays in the
  // agent's flags, narrowed or not: NOT_VISIBLE names it)
  const taught = catalogue
    .filter((ex) => ex.id !== "01")
    .map((ex) => ({ ex, probes: PROBES.filter((p) => p.exercise?.id === ex.id).map((p) => p.id) }))
    .filter((x) => x.probes.length > 0 && x.ex.id !== "12");

  it("names every exercise whose control it cannot see, with a reason", () => {
    expect(notVisible.has("12")).toBe(true);
    for (const n of NOT_VISIBLE) expect(n.reason.length).toBeGreaterThan(20);
    expect(taught.map((t) => t.ex.id)).toEqual(["02", "03", "04", "05", "06", "07", "08", "09", "10", "11"]);
  });

  /** `up` a step, then audit what it published, as the operator-principal where /flags ask for credentials. */
  async function upAndAudit(dir: string, target: string): Promise<Report & { exitCode: number }> {
    const up = await cli(["up", target], { cwd: dir, timeout: 300_000 });
    expect(up.exitCode, up.all.slice(-3000)).toBe(0);
    const url = (role: string) => new RegExp(`${role} UI\\s+(https?://\\S+)`).exec(up.stdout)?.[1];
    const secret = path.join(dir, "operator.secret");
    writeFileSync(secret, (JSON.parse(readFileSync(path.join(dir, "credentials", "secrets.json"), "utf8")) as Record<string, string>)["operator-principal"]!);
    chmodSync(secret, 0o600);
    const args = ["audit", "--master", url("master")!, ...(url("agent") ? ["--agent", url("agent")!] : [])];
    // a client certificate, as an operator auditing 08's cluster gives one: without it that audit is incomplete (exit 9)
    const tls = [
      "--ca",
      path.join(dir, "ssl", "ca.pem"),
      "--cert",
      path.join(dir, "ssl", "scheduler.pem"),
      "--key",
      path.join(dir, "ssl", "scheduler-key.pem"),
    ];
    const a = await cli([...args, "--principal", "operator-principal", "--secret-file", secret, ...tls, "--json"], {
      cwd: dir,
      timeout: 60_000,
    });
    expect([0, 1], a.all.slice(-3000)).toContain(a.exitCode);
    expect(a.stdout).not.toContain(readFileSync(secret, "utf8"));
    const report = JSON.parse(a.stdout) as Report & { summary: { notProbed: string[] } };
    expect(report.summary.notProbed, `${target}: every target probed`).toEqual([]);
    return { ...report, exitCode: a.exitCode ?? -1 };
  }

  /** A finding the step's own flags rule out. */
  function contradictions(exId: string, stepId: string, report: Report): string[] {
    const ex = catalogue.find((e) => e.id === exId)!;
    const rs = renderExercise(ex, config).find((r) => r.step.id === stepId)!;
    return report.findings.flatMap((f) =>
      (CONTRADICTS[f.id] ?? [])
        .filter((c) => c.role === f.role && c.on(rs.env[c.role][c.flag]))
        .map((c) => `${f.id} on the ${f.role}, yet ${c.flag}=${rs.env[c.role][c.flag]}`),
    );
  }

  it("each exercise's findings show on its open cluster and are gone after its control, and none contradicts the lab's flags", async () => {
    const dir = await realLab();
    try {
      for (const { ex, probes } of taught) {
        const open = ex.steps.find((s) => s.attack?.expect === "works")!;
        const before = await upAndAudit(dir, `${ex.id}:${open.id}`);
        const seen = before.findings.map((f) => f.id);
        expect(
          probes.filter((p) => seen.includes(p)),
          `${ex.id} open (${open.id}): one of ${probes.join(", ")} among ${seen.join(", ")}`,
        ).not.toEqual([]);
        expect(contradictions(ex.id, open.id, before), `${ex.id}:${open.id}`).toEqual([]);
        const after = await upAndAudit(dir, ex.id);
        const left = after.findings.map((f) => f.id).filter((id) => probes.includes(id));
        expect(left, `${ex.id} after its control: none of ${probes.join(", ")}`).toEqual([]);
        expect(contradictions(ex.id, ex.steps.at(-1)!.id, after), `${ex.id} after its control`).toEqual([]);
      }
    } finally {
      await cli(["down"], { cwd: dir, timeout: 120_000 });
    }
    expect(await runtime.owned.list(labelFilter({ lab: labIdOf({ root: dir }) }))).toEqual([]);
  }, 1_800_000);

  it("on the fully secured lab (examples/hardened: every control of 02-11 at once) finds nothing and exits 0", async () => {
    const dir = await realLab(`, exercisesDir: ${JSON.stringify(path.join(ROOT, "examples", "hardened"))}`);
    try {
      const report = await upAndAudit(dir, "01");
      expect(report.findings.map((f) => `${f.id} on the ${f.role}`)).toEqual([]);
      expect(report.exitCode).toBe(0);
    } finally {
      await cli(["down"], { cwd: dir, timeout: 120_000 });
    }
    expect(await runtime.owned.list(labelFilter({ lab: labIdOf({ root: dir }) }))).toEqual([]);
  }, 600_000);

  it("on the open lab (up 01) reports anonymous endpoints, no agent or framework authentication, no TLS and an open operator API, and exits 1; it changes nothing", async () => {
    const dir = await realLab();
    const lab = labIdOf({ root: dir });
    try {
      const up = await cli(["up", "01"], { cwd: dir, timeout: 300_000 });
      expect(up.exitCode, up.all.slice(-3000)).toBe(0);
      const url = (role: string) => new RegExp(`${role} UI\\s+(https?://\\S+)`).exec(up.stdout)?.[1] ?? `(no ${role} UI in up's output)`;
      const master = (await runtime.owned.list(labelFilter({ lab }))).find((i) => i.kind === "container" && i.labels[LABEL.role] === "master")!;
      /** Frameworks, tasks and agents as the master knows them, and the write calls its log records. */
      const state = async () => {
        const s = (await (await fetch(`${url("master")}/master/state`)).json()) as {
          frameworks: Array<{ id: string; tasks: unknown[] }>;
          completed_frameworks: Array<{ id: string }>;
          slaves: Array<{ id: string }>;
        };
        const log = await engineClient().getContainer(master.id).logs({ stdout: true, stderr: true });
        const writes = log.toString("latin1").match(/HTTP (POST|PUT|DELETE|PATCH) for \S+/g) ?? [];
        return {
          frameworks: s.frameworks.map((f) => [f.id, f.tasks.length]),
          completed: s.completed_frameworks.map((f) => f.id),
          agents: s.slaves.map((a) => a.id),
          writes,
        };
      };
      const before = await state();
      const a = await cli(["audit", "--master", url("master"), "--agent", url("agent")], { cwd: dir, timeout: 60_000 });
      expect(a.exitCode, a.all).toBe(1);
      for (const [id, exercise] of [
        ["master-readonly-anonymous", "06"],
        ["agent-readonly-anonymous", "06"],
        ["agents-unauthenticated", "03"],
        ["frameworks-unauthenticated", "04"],
        ["tls-off", "02"],
        ["agent-operator-api-anonymous", "11"],
      ] as const)
        expect(a.stdout, id).toMatch(new RegExp(`${id} [^\\n]*\\n(?:[^\\n]*\\n)*?\\s+fixed in exercise ${exercise}:`));
      expect(await state(), "the audit changed nothing the master knows or logs as a write").toEqual(before);
    } finally {
      await cli(["down"], { cwd: dir, timeout: 120_000 });
    }
  }, 600_000);
});
