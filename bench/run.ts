/**
 * `npm run bench`: the harness's timing claims, each measured next to its baseline in the same run, on the real
 * Docker engine with the stand-in images, and the whole catalogue on real Mesos 1.11 next to the stand-in's time for
 * it. Each section prints its figures as it finishes (a failure late in the run keeps the earlier ones), and the run
 * writes bench/results/<date>.json. It exits 1 when a section threw or a step failed.
 *
 * `npm run bench -- --short` is the form CI runs: every section, with fewer repetitions, and on real Mesos one
 * exercise instead of the catalogue. SIGINT and SIGTERM remove every container and network of lab `bench`.
 */
import { SourceKeys } from "../src/engine/source-keys.js";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import Docker from "dockerode";
import { loadCatalogue } from "../src/catalogue/load.js";
import { resolveConfig } from "../src/config/load.js";
import { createRuntime } from "../src/runtime/factory.js";
import { labelFilter, runLabels } from "../src/runtime/labels.js";
import { LabBus, type StepResult } from "../src/engine/events.js";
import { ExpectationSet } from "../src/engine/expectations.js";
import { renderExercise } from "../src/engine/render.js";
import { runExercise } from "../src/engine/runner.js";
import { runSelections } from "../src/lab/run-selections.js";
import { citedFor, exerciseSchema, expectationSchema } from "../src/model/exercise.js";
import { ensureLabMaterial } from "../src/pki/index.js";
import { ensureStandinImages } from "../test/standin/image.js";
import { ensureBusybox } from "../test/helpers/docker.js";
import { removeTempDirs, tempDir } from "../test/helpers/temp-dir.js";
import { ensureRealImages, missingBuild } from "../test/real/images.js";
import { coldStart, describeListGoal, LIST_GOAL } from "./cold-start.js";
import { type Breakdown, PHASES, recordPhases } from "./phases.js";

interface Row {
  figure: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  goal: string;
  met: boolean | null;
}
const rows: Row[] = [];
let standinCatalogueMs = 0;
/** The stand-in's --jobs 1 run of section 4, for the real section's same-run baseline per phase. */
let standinRun: { results: StepResult[]; breakdown: (results: StepResult[]) => Breakdown } | undefined;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

const SHORT = process.argv.includes("--short");
/** Sections that threw, and steps that failed: either fails the bench. */
const failures: string[] = [];

const w = 62;
const printRow = (r: Row) =>
  console.log(
    `${r.figure.padEnd(w)}  ${`${r.value} ${r.unit}`.padStart(12)}  ${String(r.baseline ?? "").padStart(10)}  ${String(r.ratio ?? "").padStart(6)}  ${r.goal}${r.met === null ? "" : r.met ? "  ✓" : "  ✗"}`,
  );

/** Runs one section and prints its rows at once, so a failure later in the run keeps them. */
async function section(name: string, body: () => Promise<void>): Promise<void> {
  if (stop.signal.aborted) return; // the signal handler is removing the lab and will exit
  const before = rows.length;
  const t0 = performance.now();
  console.log(`\n## ${name}`);
  try {
    await body();
  } catch (err) {
    failures.push(`${name}: ${(err as Error).message}`);
    console.error(`bench: section ${name} failed: ${(err as Error).stack ?? err}`);
  }
  for (const r of rows.slice(before)) printRow(r);
  console.log(`(${round((performance.now() - t0) / 1000)} s)`);
}

/** A failed step fails the bench, and says why. */
function reportFailedSteps(where: string, results: StepResult[]): void {
  for (const r of results.filter((x) => x.status !== "passed")) {
    const why =
      r.error ??
      r.expectations
        .filter((e) => e.status === "failed")
        .map((e) => `${e.says} (${e.reason ?? ""})`)
        .join("; ");
    failures.push(`${where} ${r.exercise}:${r.step} ${r.status}`);
    console.error(`bench: ${where} step ${r.exercise}:${r.step} ${r.status}: ${why}`);
  }
}

const runtime = createRuntime();
// SIGINT / SIGTERM (e.g. `timeout` around npm run bench): stop the runs, remove everything of lab `bench` (again
// until nothing is left, since a run may still be creating a container when the signal comes), then exit 130 / 143
const stop = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => {
    console.error(`\nbench: ${signal}: removing lab bench's containers and networks…`);
    stop.abort();
    void (async () => {
      let removed = 0;
      for (let i = 0; i < 20; i++) {
        const owned = await runtime.owned.list(labelFilter({ lab: "bench" }));
        if (!owned.length && i > 0) break;
        removed += owned.length;
        await runtime.owned.remove(owned).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 500));
      }
      console.error(`bench: removed ${removed} container(s)/network(s)`);
    })()
      .catch((err: unknown) => console.error(`bench: cleanup failed: ${(err as Error).message}`))
      .finally(() => {
        removeTempDirs();
        process.exit(signal === "SIGINT" ? 130 : 143);
      });
  });
const docker = new Docker();
const info = await runtime.info();
const images = await ensureStandinImages({ profile: "1.11" });
const busybox = await ensureBusybox();
const root = tempDir("bench");
const config = resolveConfig(
  { profile: "1.11", images, timeouts: { expectation: 30_000, negativeWindow: 1_500, execute: 30_000, ready: 30_000, pull: 1_000 } },
  undefined,
  root,
);
const tPki = performance.now();
const material = await ensureLabMaterial({ sslDir: path.join(root, "ssl"), credentialsDir: path.join(root, "credentials") });
const pkiMs = performance.now() - tPki;
const fullCatalogue = await loadCatalogue();
// the short form runs the stand-in catalogue's first three exercises: every kind of step, in a third of the time
const catalogue = SHORT ? fullCatalogue.slice(0, 3) : fullCatalogue;
const base = { config, runtime, material, labId: "bench", publish: "ephemeral" as const, publishHost: info.publishHost, signal: stop.signal };

// ---- 1. per-step overhead. The step's wall time holds three parts: Docker creating and starting the containers
// (baseline: raw dockerode create+start of the same containers), Mesos itself getting to the lines (each matched
// line's write time minus its container's start), and the harness. Overhead = wall − baseline − Mesos' part.
await section("1. per-step overhead", async () => {
  const ex01 = catalogue[0]!;
  const rendered = renderExercise(ex01, config)[0]!;
  const overheads: number[] = [];
  const raws: number[] = [];
  const steps: number[] = [];
  const mesosParts: number[] = [];
  for (let i = 0; i < (SHORT ? 2 : 5); i++) {
    const bus = new LabBus();
    const started = new Map<string, number>();
    let stepStart = 0;
    bus.on((e) => {
      if (e.type === "step:start") stepStart = Date.now();
      if (e.type === "container" && e.state === "started") started.set(e.role, Date.now());
    });
    const logRole = new Map<string, string>();
    bus.on((e) => {
      if (e.type === "log") logRole.set(e.text, e.role);
    });
    // the first step alone (01's attack runs in a later step)
    const results = await runExercise(exerciseSchema.parse({ ...ex01, steps: [ex01.steps[0]], attacks: [] }), { ...base, bus });
    const r = results[0]!;
    const lastResolved = Math.max(...r.expectations.map((e) => e.resolvedAt ?? 0));
    const mesosPart = Math.max(...r.expectations.map((e) => (e.matchedTs ?? 0) - (started.get(logRole.get(e.matched ?? "") ?? "") ?? e.matchedTs ?? 0)));
    // baseline: raw dockerode create+start of the same three containers, in the same order, no waiting
    const run = `braw${i}${Date.now() % 10000}`;
    const labels = runLabels({ lab: "bench", run });
    const net = await runtime.networks.create(`mesos-lab-${run}`, "auto", labels);
    const t0 = performance.now();
    await Promise.all(
      (["zk", "master", "agent"] as const).map(async (role) => {
        const env = Object.fromEntries(
          Object.entries(rendered.env[role]).map(([k, v]) => [k, v.replace(/\$\{ip\.\w+\}/, "127.0.0.1").replace(/\$\{host\.(\w+)\}/, "$1")]),
        );
        const c = await docker.createContainer({
          name: `mesos-lab-${run}-${role}`,
          Image: config.images[role],
          Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
          Labels: labels,
          HostConfig: {
            NetworkMode: net.name,
            PortBindings: { [`${role === "zk" ? 2181 : role === "master" ? 5050 : 5051}/tcp`]: [{ HostIp: "127.0.0.1", HostPort: "" }] },
          },
        });
        await c.start();
      }),
    );
    const raw = performance.now() - t0;
    await runtime.owned.remove(await runtime.owned.list(labelFilter({ run })));
    const wall = lastResolved - stepStart;
    steps.push(wall);
    raws.push(raw);
    mesosParts.push(mesosPart);
    overheads.push(wall - raw - mesosPart);
  }
  rows.push({ figure: "step 'cluster' wall time: start → last expectation", value: round(median(steps)), unit: "ms", goal: "info", met: null });
  rows.push({ figure: "  of which Mesos (stand-in) start → matched line", value: round(median(mesosParts)), unit: "ms", goal: "info", met: null });
  rows.push({
    figure: "per-step harness overhead (wall − raw − Mesos)",
    value: round(median(overheads)),
    unit: "ms",
    baseline: round(median(raws)),
    ratio: round(median(steps) / (median(raws) + median(mesosParts)), 2),
    goal: "≤ 500 ms",
    met: median(overheads) <= 500,
  });
});

// ---- 2. detection latency: a line written by a container → expectation resolved (docker log stream → demux → matcher)
await section("2. detection latency", async () => {
  const run = `blat${Date.now() % 100000}`;
  const id = await runtime.containers.create({
    name: `mesos-lab-${run}`,
    image: busybox,
    cmd: ["sh", "-c", "sleep 1; for i in $(seq 0 39); do echo MARK-$i; sleep 0.05; done; sleep 1"],
    env: {},
    labels: runLabels({ lab: "bench", run }),
  });
  const exps = Array.from({ length: 40 }, (_, i) =>
    citedFor(
      expectationSchema.parse({ id: `m${i}`, says: "mark", source: { log: "zk" }, pattern: `MARK-${i}$`, cite: { at: "observed:bench", ref: "bench" } }),
      "1.11",
    ),
  );
  const latencies: number[] = [];
  const set = new ExpectationSet(exps, {
    defaultTimeoutMs: 30_000,
    negativeWindowMs: 1,
    onResult: (r) => r.matchedTs && r.resolvedAt && latencies.push(r.resolvedAt - r.matchedTs),
  });
  await runtime.containers.start(id);
  const f = await runtime.logs.follow(id);
  f.onLine((l) => set.feed(SourceKeys.log("zk"), l.text, l.ts));
  await set.settled;
  f.close();
  await runtime.containers.remove(id);
  rows.push({
    figure: "detection latency, median (baseline col: p95)",
    value: round(median(latencies)),
    unit: "ms",
    baseline: round(p95(latencies)),
    goal: "≤ 50 ms",
    met: median(latencies) <= 50 && p95(latencies) <= 50,
  });
});

// ---- 3. matcher throughput with 20 active patterns
await section("3. matcher throughput", async () => {
  const exps = Array.from({ length: 20 }, (_, i) =>
    citedFor(
      expectationSchema.parse({
        id: `p${i}`,
        says: "x",
        source: { log: "agent" },
        pattern: `Registered with master master@\\S+:5050; given agent ID \\S+-S${i}\\b|never-${i}`,
        cite: { at: "observed:bench", ref: "bench" },
      }),
      "1.11",
    ),
  );
  const set = new ExpectationSet(exps, { defaultTimeoutMs: 600_000, negativeWindowMs: 1, onResult: () => undefined });
  const line = "I1122 20:44:16.185  7 slave.cpp:6707] Got exited event for master@172.21.0.3:5050 and some more text to make it realistic";
  const n = 400_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) set.feed(SourceKeys.log("agent"), line);
  const s = (performance.now() - t0) / 1000;
  set.abort("done");
  rows.push({ figure: "matcher throughput, 20 active patterns", value: Math.round(n / s), unit: "lines/s", goal: "≥ 200k lines/s", met: n / s >= 200_000 });
});

// ---- 4. restarts avoided over the catalogue, and 5. --jobs 1 vs --jobs 3
await section("4-5. the catalogue on the stand-in", async () => {
  const timeJobs = async (jobs: number) => {
    const bus = new LabBus();
    const phases = recordPhases(bus);
    const t0 = performance.now();
    const out = await runSelections(
      catalogue.map((exercise) => ({ exercise })),
      { ...base, bus, jobs },
    );
    return { ms: performance.now() - t0, results: out.results, breakdown: phases.breakdown };
  };
  const j1 = await timeJobs(1);
  standinCatalogueMs = j1.ms;
  standinRun = j1;
  const created = j1.results.reduce((a: number, r: StepResult) => a + r.timings.created, 0);
  const naive = j1.results.reduce((a: number) => a + 3, 0);
  rows.push({
    figure: "containers (re)started over the catalogue",
    value: created,
    unit: "containers",
    baseline: naive,
    ratio: round(created / naive, 2),
    goal: "< naive restart-everything",
    met: created < naive,
  });
  const j3 = await timeJobs(3);
  rows.push({
    figure: "verify --jobs 3 vs --jobs 1 (catalogue wall time)",
    value: round(j3.ms / 1000),
    unit: "s",
    baseline: round(j1.ms / 1000),
    ratio: round(j3.ms / j1.ms, 2),
    goal: "info",
    met: null,
  });
  reportFailedSteps("stand-in --jobs 1", j1.results);
  reportFailedSteps("stand-in --jobs 3", j3.results);
  rows.push({
    figure: "steps passed against the stand-in (jobs 3)",
    value: j3.results.filter((r) => r.status === "passed").length,
    unit: "steps",
    baseline: j3.results.length,
    goal: "info",
    met: null,
  });
  rows.push({
    figure: "steps passed against the stand-in (jobs 1)",
    value: j1.results.filter((r) => r.status === "passed").length,
    unit: "steps",
    baseline: j1.results.length,
    goal: "info",
    met: null,
  });
});

// ---- 6. the whole catalogue on real Mesos 1.11 (the build in ../shared/real-mesos), with the defaults a user has,
// next to the stand-in's time for the same catalogue at --jobs 1 (section 4)
await section("6. real Mesos 1.11", async () => {
  const why = missingBuild();
  // like the real suite, the section may be missing on a laptop without the build, but never under CI
  if (why && (process.env.CI === "true" || process.env.CI === "1")) throw new Error(`CI=true but real Mesos cannot run: ${why}`);
  if (why) rows.push({ figure: `real Mesos catalogue: not run (${why})`, value: 0, unit: "s", goal: "info", met: null });
  else {
    const real = await ensureRealImages({ log: (l) => console.error(`bench: ${l}`) });
    const realConfig = resolveConfig(
      // exercise 12's registry and token service: the stand-in build's registry and node images (nothing is pulled)
      {
        profile: "1.11",
        images: { zk: real.zk, master: real.master, agent: real.agent, execute: real.execute, registry: images.registry, tokens: images.tokens },
      },
      undefined,
      root,
    );
    // the short form: exercise 01 at --jobs 1, so every part of the section runs in well under a minute
    const realCatalogue = SHORT ? fullCatalogue.slice(0, 1) : fullCatalogue;
    for (const jobs of SHORT ? [1] : [1, 4]) {
      const bus = new LabBus();
      const phases = recordPhases(bus);
      const t0 = performance.now();
      const out = await runSelections(
        realCatalogue.map((exercise) => ({ exercise })),
        { ...base, config: realConfig, bus, jobs },
      );
      const ms = performance.now() - t0;
      reportFailedSteps(`real Mesos --jobs ${jobs}`, out.results);
      if (jobs === 1) phaseRows(phases.breakdown(out.results), new Set(realCatalogue.map((e) => e.id)));
      if (jobs === 4)
        rows.push({
          figure: "  verify --all --jobs 4 on real Mesos, wall time",
          value: round(ms / 1000),
          unit: "s",
          goal: "≤ 60 s",
          met: ms <= 60_000,
        });
      rows.push({
        figure: `catalogue on real Mesos 1.11, --jobs ${jobs} (baseline: stand-in, --jobs 1)`,
        value: round(ms / 1000),
        unit: "s",
        baseline: round(standinCatalogueMs / 1000),
        ratio: round(ms / standinCatalogueMs, 2),
        goal: "info",
        met: null,
      });
      rows.push({
        figure: `  steps passed on real Mesos (--jobs ${jobs})`,
        value: out.results.filter((r) => r.status === "passed").length,
        unit: "steps",
        baseline: out.results.length,
        goal: "all",
        met: out.results.every((r) => r.status === "passed"),
      });
    }
  }
});

/**
 * The real run's time per phase (bench/phases.ts), each beside the stand-in's for the same steps in this run, and the
 * median step with its goal.
 */
function phaseRows(real: Breakdown, exercises: Set<string>): void {
  const standin = standinRun?.breakdown(standinRun.results.filter((r) => exercises.has(r.exercise)));
  rows.push({
    figure: `  median step on real Mesos (${real.steps} steps; baseline: stand-in)`,
    value: round(real.medianStepMs / 1000, 2),
    unit: "s",
    baseline: standin && round(standin.medianStepMs / 1000, 2),
    ratio: standin?.medianStepMs ? round(real.medianStepMs / standin.medianStepMs, 2) : undefined,
    goal: "≤ 3 s",
    met: real.medianStepMs <= 3_000,
  });
  for (const p of PHASES) {
    const r = real.phases[p];
    const s = standin?.phases[p];
    rows.push({
      figure: `    ${p} (in ${r.steps} steps; baseline: stand-in)`,
      value: round(r.ms / 1000),
      unit: "s",
      baseline: s && round(s.ms / 1000),
      ratio: s?.ms ? round(r.ms / s.ms, 2) : undefined,
      goal: "info",
      met: null,
    });
  }
}

// ---- 7. CLI cold start (`list`: ≤ 2× bare node), and PKI vs the workshop's openssl 4096-bit self-signed
await section("7. CLI cold start and PKI", async () => {
  // bench/cold-start.ts: each command in turn with a bare `node -e 0`, the median of 7 (short form) or 11 runs each
  for (const r of coldStart(path.resolve("bin/mesos-lab.js"), SHORT ? 7 : 11)) {
    const list = r.args[0] === "list";
    rows.push({
      figure: `CLI cold start \`${r.args.join(" ")}\``,
      value: round(r.ms),
      unit: "ms",
      baseline: round(r.bareMs),
      ratio: round(r.ratio, 2),
      goal: list ? describeListGoal(r) : "info (baseline: bare node -e 0)",
      met: list ? r.ratio <= LIST_GOAL : null,
    });
  }
  const d = tempDir("openssl");
  const t0 = performance.now();
  execFileSync("openssl", ["genrsa", "-f4", "-out", path.join(d, "key.pem"), "4096"], { stdio: "ignore" });
  execFileSync("openssl", ["req", "-new", "-x509", "-days", "365", "-key", path.join(d, "key.pem"), "-out", path.join(d, "cert.pem"), "-subj", "/C=US"], {
    stdio: "ignore",
  });
  const opensslMs = performance.now() - t0;
  rows.push({
    figure: "lab PKI (CA + 8 leaves + rogue CA + credentials)",
    value: round(pkiMs),
    unit: "ms",
    baseline: round(opensslMs),
    ratio: round(pkiMs / opensslMs, 2),
    goal: "info (baseline: workshop's openssl 4096 self-signed)",
    met: null,
  });
});

await runtime.owned.remove(await runtime.owned.list(labelFilter({ lab: "bench" })));
console.log(`\nmesos-lab bench${SHORT ? " (short)" : ""}: Docker ${info.serverVersion}, ${os.cpus().length} cores, node ${process.versions.node}`);
console.log(`${"figure".padEnd(w)}  ${"value".padStart(12)}  ${"baseline".padStart(10)}  ${"ratio".padStart(6)}  goal`);
for (const r of rows) printRow(r);
mkdirSync("bench/results", { recursive: true });
const file = path.join("bench/results", `${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(
  file,
  JSON.stringify({ at: new Date().toISOString(), short: SHORT, docker: info.serverVersion, cores: os.cpus().length, rows, failures }, null, 2),
);
console.log(`\nwrote ${file}`);
removeTempDirs();
if (failures.length) console.error(`\nbench failed:\n${failures.map((f) => `- ${f}`).join("\n")}`);
process.exit(failures.length ? 1 : 0);
