import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { packageRoot, runningCompiled } from "../../catalogue/root.js";
import { loadConfig } from "../../config/read.js";
import type { LabConfig } from "../../config/schema.js";
import type { GlobalOpts } from "../../lab/global-options.js";
import { checkedText, type EngineVerdicts, recalledVerdicts, verdictBasis } from "../../lab/verdict-record.js";
import { BUILTIN_PROFILES } from "../../model/profiles/index.js";
import { resolveEngineHost } from "../../runtime/engine-host.js";
import { entryName, filesSignature, installedPackage, recall, remember } from "../../util/memo.js";

/** What `list` shows of an exercise, as `list --json` prints it: the steps are those the profile runs. */
interface Listed {
  id: string;
  slug: string;
  title: string;
  summary: string;
  steps: Array<{ id: string; title: string; attack?: { id: string; expect: "works" | "blocked" } }>;
}

export async function listCommand(g: GlobalOpts, opts: { json?: boolean }): Promise<number> {
  const config = await loadConfig({ file: g.config });
  const all = (await builtinListing(config)) ?? (await listing(config));
  const checked = recorded(config);
  if (opts.json) {
    const withVerdicts = all.map((e) => {
      const v = checked?.exercises[e.id];
      return v
        ? {
            ...e,
            runsHere: {
              runs: v.runs,
              ...(v.runs ? {} : { reason: v.reason, fix: v.fix }),
              checkedBy: v.by,
              checkedAt: v.at,
              engine: checked!.engine,
              cgroupVersion: checked!.cgroupVersion,
            },
          }
        : e;
    });
    process.stdout.write(`${JSON.stringify(withVerdicts, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`Exercises (profile ${config.profile}: ${config.mesos.checked}):\n`);
  const known = checked && all.filter((e) => checked.exercises[e.id]);
  if (checked && known?.length) {
    const cannot = known.filter((e) => !checked.exercises[e.id]!.runs);
    const latest = known.map((e) => checked.exercises[e.id]!).reduce((a, v) => (v.at > a.at ? v : a));
    process.stdout.write(
      `On this engine (${checked.engine}, cgroup v${checked.cgroupVersion}): ${known.length - cannot.length} of ${known.length} checked exercises run here${cannot.length ? `; ${cannot.map((e) => e.id).join(", ")} cannot` : ""} ${checkedText(latest)}\n`,
    );
  }
  for (const e of all) {
    const steps = e.steps;
    const v = checked?.exercises[e.id];
    const unavailable = v && !v.runs ? `      ✗ cannot run here: ${v.reason} ${checkedText(v)}\n        fix: ${v.fix}\n` : "";
    process.stdout.write(
      `\n  ${e.id}  ${e.title}  (${steps.length} step${steps.length === 1 ? "" : "s"})${unavailable ? "  [unavailable here]" : ""}\n      ${e.summary}\n${unavailable}`,
    );
    steps.forEach((s, i) =>
      process.stdout.write(
        `      ${i + 1}. ${s.id} — ${s.title}${s.attack ? `  [attack ${s.attack.id}: ${s.attack.expect === "works" ? "the exploit" : "replayed, blocked"}]` : ""}\n`,
      ),
    );
  }
  process.stdout.write(`\nRun one: mesos-lab up <id>   Check one: mesos-lab verify <id>\n`);
  return 0;
}

/**
 * What `doctor`, `verify`, `up` or the TUI last recorded about this lab's exercises on the engine this config and
 * environment point at (src/lab/verdict-record.ts). `list` never asks the engine, nor starts a probe.
 */
function recorded(config: LabConfig): EngineVerdicts | undefined {
  try {
    return recalledVerdicts(config.root, resolveEngineHost(config.engine).url, verdictBasis(config));
  } catch {
    return undefined;
  }
}

/** The config's catalogue, loaded and checked (src/catalogue/load.ts), as `list` shows it. */
async function listing(config: LabConfig): Promise<Listed[]> {
  const all = await (await import("../../catalogue/load.js")).loadCatalogue(config);
  const { stepApplies } = await import("../../engine/render.js");
  return all.map((e) => ({
    id: e.id,
    slug: e.slug,
    title: e.title,
    summary: e.summary,
    steps: e.steps
      .filter((s) => stepApplies(s, config.mesos))
      // an attack step: the attack, and whether it is the exploit on the open cluster or its replay after the control
      .map((s) => ({ id: s.id, title: s.title, ...(s.attack ? { attack: { id: s.attack.id, expect: s.attack.expect } } : {}) })),
  }));
}

/**
 * The built CLI's listing of its built-in catalogue under a built-in profile, which stays the same until the build
 * changes: kept in the memo (src/util/memo.ts) with the exercise folders, the compiled catalogue, the modules that
 * load, check and list it, and zod's version, so that `list` loads neither the catalogue's modules nor zod.
 * Undefined for a lab's own catalogue or profile, and from source: those are listed as they load.
 */
async function builtinListing(config: LabConfig): Promise<Listed[] | undefined> {
  if (config.exercisesDir || !BUILTIN_PROFILES.includes(config.mesos) || !runningCompiled()) return undefined;
  let root: string;
  let inputs: string;
  try {
    root = packageRoot();
    inputs = `profile ${config.mesos.name}\n${builtinInputs(root)}`;
  } catch {
    return undefined; // no exercises folder (loadCatalogue says so), or an exercise not compiled yet
  }
  const name = entryName(`${root}\n${config.mesos.name}`);
  const memo = recall<Listed[]>("listing", name, inputs);
  if (memo) return memo;
  const out = await listing(config);
  remember("listing", name, inputs, out);
  return out;
}

/** What the listing depends on; throws when an exercise has no compiled module (loadCatalogue then reads its source). */
function builtinInputs(root: string): string {
  const exercises = path.join(root, "exercises");
  const dist = path.join(root, "dist");
  const folders = readdirSync(exercises, { withFileTypes: true })
    .map((d) => {
      const source = existsSync(path.join(exercises, d.name, "exercise.ts"));
      if (source && !existsSync(path.join(dist, "exercises", d.name, "exercise.js"))) throw new Error(`${d.name} is not compiled`);
      return `${d.name} ${d.isDirectory()} ${source}`;
    })
    .sort();
  const files = filesSignature(root, [
    path.join(dist, "exercises"),
    path.join(dist, "src", "model"),
    path.join(dist, "src", "catalogue"),
    path.join(dist, "src", "engine", "render.js"),
    fileURLToPath(import.meta.url),
  ]);
  return `${folders.join("\n")}\n${files}\n${installedPackage("zod", path.join(dist, "src", "model"))}`;
}
