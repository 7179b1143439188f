import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadCatalogue } from "../../src/catalogue/load.js";
import { PRIVATE_CGROUPNS, PRIVATE_CGROUPNS_FIX } from "../../src/engine/agent-capabilities.js";
import { resolveConfig } from "../../src/config/load.js";
import {
  CAPABILITIES_HOST_FIX,
  capabilitiesFromCheck,
  exerciseVerdicts,
  type HostFacts,
  MISSING_IMAGE_FIX,
  NO_V1_REASON,
  needsCapabilities,
  noneRunsError,
  ROOTLESS_FIX,
  type Verdict,
  verdictCheck,
  verdictError,
} from "../../src/lab/exercise-verdicts.js";
import { configuredImages } from "../../src/lab/images.js";
import { checkedText, recalledVerdicts, recordVerdicts, verdictBasis } from "../../src/lab/verdict-record.js";
import { EXIT } from "../../src/util/errors.js";
import { tempDir } from "../helpers/temp-dir.js";

/**
 * The per-exercise verdicts (src/lab/exercise-verdicts.ts) from injected facts, on the built-in catalogue: what a
 * cgroup-v1 host with the capabilities mode, a cgroup-v2-only host (with and without cgroup-v1 hierarchies), a v1 host whose engine refuses the mode,
 * and an engine missing an image each get. And the record `list` reads (src/lab/verdict-record.ts).
 */

const config = resolveConfig({}, undefined, "/lab"); // profile 1.11: the twelve exercises
const catalogue = await loadCatalogue(config);
const allImages = Object.fromEntries(configuredImages(config).map((i) => [i, true]));
const facts = (over: Partial<HostFacts> = {}): HostFacts => ({ cgroupVersion: "1", capabilities: { available: true }, images: allImages, ...over });
const byId = (vs: Verdict[]) => Object.fromEntries(vs.map((v) => [v.exercise, v]));
/** The probe's result on a cgroup-v2 host whose kernel refuses cgroup-v1 hierarchies (what the wrapper says there). */
const refused = { available: false as const, reason: NO_V1_REASON };
const cannot = (vs: Verdict[]) => vs.filter((v) => v.status === "cannot").map((v) => v.exercise);

describe("exercise verdicts from injected facts", () => {
  it("the built-in catalogue has twelve exercises under 1.11, and only 12 needs the capabilities mode", () => {
    expect(catalogue.map((e) => e.id)).toEqual(["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"]);
    expect(catalogue.filter((e) => needsCapabilities(config, e)).map((e) => e.id)).toEqual(["12"]);
  });

  it("a cgroup-v1 host whose probe found the mode available, every image present: all twelve run here", () => {
    const vs = exerciseVerdicts(catalogue, config, facts());
    expect(vs.map((v) => v.status)).toEqual(Array(12).fill("runs"));
  });

  it("a cgroup-v2-only host: 12 runs where the probe mounted a freezer hierarchy of its own; where the kernel refuses one, 12 cannot, with the reason and the fix", () => {
    // v2 alone is no blocker any more: the mode takes its own-hierarchy way there (agent-capabilities.ts)
    expect(exerciseVerdicts(catalogue, config, facts({ cgroupVersion: "2" })).map((v) => v.status)).toEqual(Array(12).fill("runs"));
    const vs = exerciseVerdicts(catalogue, config, facts({ cgroupVersion: "2", capabilities: { available: false, reason: NO_V1_REASON } }));
    expect(cannot(vs)).toEqual(["12"]);
    const v12 = byId(vs)["12"]!;
    expect(v12).toMatchObject({ status: "cannot", kind: "config", fix: CAPABILITIES_HOST_FIX });
    if (v12.status !== "cannot") throw new Error("unreachable");
    expect(v12.reason).toBe(
      "it needs the agent capabilities mode (Mesos' Linux launcher, for container image support), not available here: cannot mount a cgroup-v1 freezer hierarchy of its own at /run/mesos-lab/cgroup/freezer: it needs the host's cgroup namespace and CAP_SYS_ADMIN in the host's user namespace, and a kernel that allows v1 hierarchies (not booted with cgroup_no_v1=freezer or cgroup_no_v1=all)",
    );
    expect(v12.fix).toMatch(/cgroup_no_v1/);
    // the probe did not run (no agent image yet): unchecked on v2 as on v1
    expect(byId(exerciseVerdicts(catalogue, config, facts({ cgroupVersion: "2", capabilities: undefined })))["12"]!.status).toBe("unchecked");
  });

  it("a cgroup-v1 host whose engine refuses the mode: 12 cannot, with the probe's reason", () => {
    const reason = "cannot unmount the read-only /sys/fs/cgroup/freezer (CAP_SYS_ADMIN not granted, or a seccomp/AppArmor profile refuses it)";
    const v12 = byId(exerciseVerdicts(catalogue, config, facts({ capabilities: { available: false, reason } })))["12"]!;
    expect(v12).toMatchObject({ status: "cannot", kind: "config" });
    expect(v12.status === "cannot" && v12.reason).toBe(
      `it needs the agent capabilities mode (Mesos' Linux launcher, for container image support), not available here: ${reason}`,
    );
  });

  it("an engine that left the agent container a cgroup namespace of its own: 12 cannot, and the fix is the engine's setting, not the host", () => {
    const check = { name: "agent capabilities mode", status: "warn" as const, detail: `not available: ${PRIVATE_CGROUPNS}` };
    const capabilities = capabilitiesFromCheck(check);
    expect(capabilities).toEqual({ available: false, reason: PRIVATE_CGROUPNS, fix: PRIVATE_CGROUPNS_FIX });
    const v12 = byId(exerciseVerdicts(catalogue, config, facts({ cgroupVersion: "2", capabilities })))["12"]!;
    expect(v12).toMatchObject({ status: "cannot", kind: "config", fix: PRIVATE_CGROUPNS_FIX });
    expect(v12.status === "cannot" && v12.fix).toMatch(/cgroupns = "host" under \[containers\]/);
  });

  it("a rootless engine (rootless Podman, as on this cgroup-v1 host): 12 cannot, said from the engine's info; 01 and 11 run", () => {
    const vs = exerciseVerdicts(catalogue, config, facts({ rootless: true, capabilities: undefined }));
    expect(cannot(vs)).toEqual(["12"]);
    expect(byId(vs)["01"]).toEqual({ exercise: "01", status: "runs" });
    expect(byId(vs)["11"]).toEqual({ exercise: "11", status: "runs" });
    const v12 = byId(vs)["12"]!;
    expect(v12).toMatchObject({ status: "cannot", kind: "config", fix: ROOTLESS_FIX });
    expect(v12.status === "cannot" && v12.reason).toBe(
      "it needs the agent capabilities mode (Mesos' Linux launcher, for container image support), not available here: the engine runs rootless: the CAP_SYS_ADMIN it grants holds only inside its user namespace, which may not mount the host's cgroup-v1 freezer hierarchy read-write",
    );
    expect(ROOTLESS_FIX).toMatch(/runs as root/);
    // a probe that somehow passed changes nothing: the engine's info already answers
    expect(cannot(exerciseVerdicts(catalogue, config, facts({ rootless: true })))).toEqual(["12"]);
    // rootless on cgroup v2: the same reason (no hierarchy of its own either: it needs the host's user namespace)
    const v2 = byId(exerciseVerdicts(catalogue, config, facts({ rootless: true, cgroupVersion: "2" })))["12"]!;
    expect(v2.status === "cannot" && v2.reason).toBe(v12.status === "cannot" && v12.reason);
    // doctor's line says the same
    expect(verdictCheck(catalogue.find((e) => e.id === "12")!, v12)).toMatchObject({
      status: "warn",
      detail: expect.stringMatching(/^cannot run here: .*rootless/),
    });
  });

  it("a cgroup-v1 host where the probe did not run: 12 is unchecked (it runs, and a failing step says why)", () => {
    const v12 = byId(exerciseVerdicts(catalogue, config, facts({ capabilities: undefined })))["12"]!;
    expect(v12.status).toBe("unchecked");
    expect(verdictCheck(catalogue.find((e) => e.id === "12")!, v12)).toMatchObject({
      status: "warn",
      detail: expect.stringMatching(/^should run here; not checked: /),
    });
  });

  it("a missing image makes only the exercises that need it unavailable, unless the run pulls it", () => {
    const images = { ...allImages, [config.images.registry]: false };
    const vs = exerciseVerdicts(catalogue, config, facts({ images }));
    expect(cannot(vs)).toEqual(["12"]);
    expect(byId(vs)["12"]).toMatchObject({ kind: "imageMissing", reason: `image ${config.images.registry} is not on this engine`, fix: MISSING_IMAGE_FIX });
    expect(cannot(exerciseVerdicts(catalogue, config, facts({ images, pullable: true })))).toEqual([]);
    // the master's image: every exercise needs it
    expect(cannot(exerciseVerdicts(catalogue, config, facts({ images: { ...allImages, [config.images.master]: false } })))).toHaveLength(12);
  });

  it("a missing image and no capabilities mode: both reasons, the image first (its exit code, 6, when named)", () => {
    const images = { ...allImages, [config.images.registry]: false, [config.images.tokens]: false };
    const v12 = byId(exerciseVerdicts(catalogue, config, facts({ cgroupVersion: "2", images, capabilities: refused })))["12"]!;
    if (v12.status !== "cannot") throw new Error(`12 ${v12.status}`);
    expect(v12.kind).toBe("imageMissing");
    expect(v12.blockers.map((b) => b.kind)).toEqual(["imageMissing", "config"]);
    expect(v12.reason).toMatch(/^images \S+, \S+ are not on this engine; and it needs the agent capabilities mode .*cgroup_no_v1/);
    expect(v12.fix).toBe(`${MISSING_IMAGE_FIX} ${CAPABILITIES_HOST_FIX}`);
    expect(verdictError(v12).exitCode).toBe(EXIT.imageMissing);
  });

  it("agentCapabilities for the whole lab: every exercise needs the mode, so none runs where the kernel refuses a v1 hierarchy", () => {
    const everywhere = resolveConfig({ agentCapabilities: true }, undefined, "/lab");
    expect(cannot(exerciseVerdicts(catalogue, everywhere, facts({ cgroupVersion: "2", capabilities: refused })))).toHaveLength(12);
    expect(cannot(exerciseVerdicts(catalogue, everywhere, facts({ cgroupVersion: "2" })))).toEqual([]);
  });

  it("profile 1.4: exercise 12 is not in its catalogue, so even a host that refuses the mode runs all of it", async () => {
    const old = resolveConfig({ profile: "1.4" }, undefined, "/lab");
    const cat = await loadCatalogue(old);
    expect(cat.map((e) => e.id)).not.toContain("12");
    const images = Object.fromEntries(configuredImages(old).map((i) => [i, true]));
    expect(cannot(exerciseVerdicts(cat, old, { cgroupVersion: "2", images, capabilities: refused }))).toEqual([]);
  });

  it("doctor's line, verify's error, and the error when nothing of a run can run", () => {
    const vs = exerciseVerdicts(catalogue, config, facts({ cgroupVersion: "2", capabilities: refused }));
    const ex12 = catalogue.find((e) => e.id === "12")!;
    expect(verdictCheck(catalogue[0]!, vs[0]!)).toEqual({ name: `exercise 01 ${catalogue[0]!.title}`, status: "ok", detail: "runs here" });
    const line = verdictCheck(ex12, vs[11]!);
    expect(line).toMatchObject({ name: `exercise 12 ${ex12.title}`, status: "warn", fix: CAPABILITIES_HOST_FIX });
    expect(line.detail).toMatch(/^cannot run here: it needs the agent capabilities mode .*cgroup_no_v1/);
    const v12 = vs[11]! as Extract<Verdict, { status: "cannot" }>;
    const err = verdictError(v12);
    expect(err.exitCode).toBe(EXIT.config);
    expect(err.message).toBe(`exercise 12 cannot run here: ${v12.reason}`);
    expect(err.fix).toBe(CAPABILITIES_HOST_FIX);
    expect(noneRunsError([v12]).message).toBe(`no exercise of this run can run here: 12 cannot, ${v12.reason}`);
    expect(noneRunsError([v12, v12, v12]).message).toMatch(/\(nor can the 2 others: `mesos-lab doctor` says why\)$/);
  });

  it("the probe's doctor line as a fact: available, not available and why, or not checked", () => {
    const name = "agent capabilities mode";
    expect(capabilitiesFromCheck({ name, status: "ok", detail: "available: cgroup v1, …" })).toEqual({ available: true });
    expect(capabilitiesFromCheck({ name, status: "warn", detail: "not available: no freezer" })).toEqual({ available: false, reason: "no freezer" });
    expect(capabilitiesFromCheck({ name, status: "warn", detail: "not checked: the agent image is not on this engine (see above)" })).toBeUndefined();
    expect(capabilitiesFromCheck(undefined)).toBeUndefined();
  });
});

describe("the recorded verdicts list reads (verdict-record.ts)", () => {
  const basis = verdictBasis(config);
  const cannot12 = { runs: false, reason: "r", fix: "f" };

  it("keyed by lab folder, engine address and config: another engine, folder or image sees nothing", () => {
    const file = path.join(tempDir("verdicts"), "verdicts.json");
    recordVerdicts(
      "/lab",
      { engine: "unix:///a.sock", cgroupVersion: "2", basis, exercises: { "01": { runs: true }, "12": cannot12 } },
      "doctor",
      "2026-12-07T10:31:00.000Z",
      file,
    );
    const got = recalledVerdicts("/lab", "unix:///a.sock", basis, file);
    expect(got).toMatchObject({ engine: "unix:///a.sock", cgroupVersion: "2" });
    expect(got!.exercises["12"]).toEqual({ ...cannot12, by: "doctor", at: "2026-12-07T10:31:00.000Z" });
    expect(checkedText(got!.exercises["12"]!)).toBe("(last checked by doctor at 2026-12-07 10:31 UTC)");
    expect(recalledVerdicts("/lab", "tcp://b:2375", basis, file)).toBeUndefined();
    expect(recalledVerdicts("/other", "unix:///a.sock", basis, file)).toBeUndefined();
    expect(recalledVerdicts("/lab", "unix:///a.sock", verdictBasis({ ...config, images: { ...config.images, agent: "x:1" } }), file)).toBeUndefined();
  });

  it("a later check replaces the verdicts it made and keeps the others; the engine's newest cgroup version wins", () => {
    const file = path.join(tempDir("verdicts"), "verdicts.json");
    const e = { engine: "unix:///a.sock", basis };
    recordVerdicts("/lab", { ...e, cgroupVersion: "2", exercises: { "01": { runs: true }, "12": cannot12 } }, "doctor", "2026-12-07T10:00:00.000Z", file);
    recordVerdicts("/lab", { ...e, cgroupVersion: "2", exercises: { "01": cannot12 } }, "verify", "2026-12-07T11:00:00.000Z", file);
    const got = recalledVerdicts("/lab", e.engine, basis, file)!;
    expect(got.exercises["01"]).toMatchObject({ runs: false, by: "verify" });
    expect(got.exercises["12"]).toMatchObject({ runs: false, by: "doctor" });
    // the same engine now on cgroup v1 (a reboot with another hierarchy): its own record, the newest
    recordVerdicts("/lab", { ...e, cgroupVersion: "1", exercises: { "12": { runs: true } } }, "doctor", "2026-12-07T12:00:00.000Z", file);
    expect(recalledVerdicts("/lab", e.engine, basis, file)).toMatchObject({ cgroupVersion: "1", exercises: { "12": { runs: true } } });
  });

  it("a write drops the lab folders that no longer exist, and keeps the ones that do", () => {
    const file = path.join(tempDir("verdicts"), "verdicts.json");
    const [kept, removed] = [tempDir("lab-kept"), tempDir("lab-removed")];
    const e = { engine: "unix:///a.sock", cgroupVersion: "1", basis, exercises: { "01": { runs: true } } };
    recordVerdicts(kept, e, "verify", undefined, file);
    recordVerdicts(removed, e, "verify", undefined, file);
    rmSync(removed, { recursive: true });
    expect(recalledVerdicts(removed, e.engine, basis, file)).toBeDefined();
    recordVerdicts("/lab", e, "doctor", undefined, file);
    expect(Object.keys(JSON.parse(readFileSync(file, "utf8")).labs).sort()).toEqual(["/lab", kept].sort());
  });

  it("an unreadable file is as if nothing was recorded, and the next check writes a good one", () => {
    const file = path.join(tempDir("verdicts"), "verdicts.json");
    writeFileSync(file, "{ not json");
    expect(recalledVerdicts("/lab", "unix:///a.sock", basis, file)).toBeUndefined();
    recordVerdicts("/lab", { engine: "unix:///a.sock", cgroupVersion: "1", basis, exercises: { "12": { runs: true } } }, "tui", undefined, file);
    expect(JSON.parse(readFileSync(file, "utf8")).version).toBe(1);
    expect(recalledVerdicts("/lab", "unix:///a.sock", basis, file)!.exercises["12"]).toMatchObject({ runs: true, by: "tui" });
  });
});
