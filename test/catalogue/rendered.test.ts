import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadCatalogue } from "../../src/catalogue/load.js";
import { resolveConfig } from "../../src/config/load.js";
import { renderExercise, type RenderedStep } from "../../src/engine/render.js";
import type { Action, Exercise } from "../../src/model/exercise.js";
import { BUILTIN_PROFILES } from "../../src/model/profiles/index.js";
import { inRange } from "../../src/model/release.js";
import { MESOS_ROLES, ROLES } from "../../src/model/roles.js";
import { testMaterial } from "../helpers/lab.js";

/**
 * The container configuration every step of the catalogue renders to, per profile: checked against invariants here
 * and written out in full to test/catalogue/rendered/ (reviewed like code; any change to a step shows up as a diff).
 */

const catalogue = await loadCatalogue();
const material = await testMaterial();

/** The built-in profiles whose release the exercise's range covers. */
const profilesOf = (ex: Exercise) => BUILTIN_PROFILES.filter((p) => inRange(ex, p.release)).map((p) => p.name);

function describeSteps(ex: Exercise, profile: string, steps: RenderedStep[]): string {
  const out = [`# ${ex.id} ${ex.slug} — profile ${profile}`];
  for (const s of steps) {
    out.push("", `## step ${s.index + 1} ${s.step.id} — runs ${s.cluster.join(", ")}`);
    // the registry's roles have no flags: named only in the steps that run them
    for (const role of ROLES.filter((r) => (MESOS_ROLES as readonly string[]).includes(r) || (s.cluster as readonly string[]).includes(r))) {
      const delta = s.diff[role].map((d) => `${d.op}${d.key}`).join(" ");
      out.push(`${role}:${delta ? ` (${delta})` : ""}`);
      for (const [k, v] of Object.entries(s.env[role]).sort(([a], [b]) => a.localeCompare(b))) out.push(`  ${k}=${v}`);
    }
    for (const f of s.files) out.push(`file ${f.role} ${f.path} ${f.mode.toString(8).padStart(4, "0")} ← ${f.from ?? "inline"}`);
    for (const a of s.step.actions) out.push(`action ${actionLine(a)}`);
  }
  return `${out.join("\n")}\n`;
}

function actionLine(a: Action): string {
  switch (a.do) {
    case "execute":
      return `execute ${a.args.join(" ")}`;
    case "http":
      return `http ${a.method} ${a.role} ${a.path}${a.auth ? ("bearer" in a.auth ? " (bearer)" : ` (as ${a.auth.principal})`) : ""}${a.clientCert ? ` cert ${a.clientCert}` : ""}`;
    case "exec":
      return `exec ${a.role}: ${a.cmd.join(" ")}`;
    case "sleep":
      return `sleep ${a.ms} ms`;
    case "push":
      return `push ${a.image} as ${a.account}`;
    case "attack":
      return `attack: ${a.run}`;
    case "relay":
      return `relay to ${a.to}`;
  }
}

/** Paths a Mesos flag or LIBPROCESS_* variable points at (file:///x or /x ending like a cert, key or JSON file). */
function pathsIn(value: string): string[] {
  return [...value.matchAll(/(?:file:\/\/)?(\/[A-Za-z0-9_./-]+\.(?:pem|json|key)|\/[A-Za-z0-9_./-]*secret[A-Za-z0-9_./-]*)/g)].map((m) => m[1]!);
}

const SECRET_FILE = /^credentials\/|-key\.pem$|(^|\/)key\.pem$/;

describe.each(catalogue.map((ex) => [`${ex.id}-${ex.slug}`, ex] as const))("exercise %s renders", (name, ex) => {
  it.each(profilesOf(ex).map((p) => [p] as const))(
    "profile %s: every step's delta is applied, files exist with safe modes, flags point at placed files",
    async (profile) => {
      const config = resolveConfig({ profile }, undefined, "/");
      const steps = renderExercise(ex, config);
      const { release } = config.mesos;
      expect(steps.length).toBeGreaterThan(0);
      for (const s of steps) {
        const where = `${ex.id}:${s.step.id} (${profile})`;
        for (const role of ROLES) {
          const configured = role as keyof NonNullable<typeof s.step.env>;
          const delta = Object.assign(
            {},
            s.step.env?.[configured],
            ...(s.step.envByRelease ?? []).filter((d) => inRange(d, release)).map((d) => d.env[configured]),
          ) as Record<string, string | null>;
          for (const [k, v] of Object.entries(delta)) expect(s.env[role][k], `${where} ${role} ${k}`).toBe(v === null ? undefined : v);
          // a flag that names a file must find it in that container (the executor runs inside the agent's)
          const placed = new Set(s.files.filter((f) => f.role === role).map((f) => f.path));
          for (const [k, v] of Object.entries(s.env[role]))
            for (const p of pathsIn(v)) expect(placed.has(p), `${where}: ${role} ${k} names ${p}, which no step places in the ${role} container`).toBe(true);
        }
        for (const f of s.files) {
          if (f.from) expect(() => material.read(f.from!), `${where}: ${f.from}`).not.toThrow();
          if (f.from && SECRET_FILE.test(f.from)) expect(f.mode, `${where}: ${f.path} holds a secret and must be 0600`).toBe(0o600);
          expect(f.mode & 0o002, `${where}: ${f.path} is world-writable`).toBe(0);
        }
      }
    },
  );

  it("matches the reviewed rendering in test/catalogue/rendered/", async () => {
    const text = profilesOf(ex)
      .map((profile) => describeSteps(ex, profile, renderExercise(ex, resolveConfig({ profile }, undefined, "/"))))
      .join("\n");
    await expect(text).toMatchFileSnapshot(path.join(import.meta.dirname, "rendered", `${name}.txt`));
  });
});
