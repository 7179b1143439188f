import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, resolveConfig } from "../../src/config/load.js";
import { LabError } from "../../src/util/errors.js";
import { tempDir } from "../helpers/temp-dir.js";

const dir = () => tempDir("config");
const importLine = `import { defineConfig } from ${JSON.stringify(path.resolve("src/config/index.ts"))};\n`;

describe("lab.config.ts", () => {
  it("defaults every field: profile 1.11 with Apache's one image for master, agent and mesos-execute", () => {
    const c = resolveConfig({}, undefined, "/x");
    expect(c.profile).toBe("1.11");
    expect(c.images).toEqual({ zk: "zookeeper:3.8", master: "mesos/mesos-centos:1.11.0", agent: "mesos/mesos-centos:1.11.0", execute: "mesos/mesos-centos:1.11.0" });
    expect(c.network).toEqual({ mode: "bridge", subnet: "auto" });
    expect(c.ports.master).toBe(5050);
    expect(c.timeouts.execute).toBeGreaterThan(0);
  });

  it("takes the profile's images unless overridden per role: 1.4 has the workshop's", () => {
    const c = resolveConfig({ profile: "1.4", images: { agent: "me/agent:1" } }, undefined, "/x");
    expect(c.images).toEqual({ zk: "netflixoss/exhibitor:1.5.2", master: "mesosphere/mesos-master:1.4.0-rc5", agent: "me/agent:1", execute: "mesosphere/mesos:1.4.0-rc5" });
  });

  it("loads the repository's own lab.config.ts", async () => {
    const c = await loadConfig({ cwd: process.cwd() });
    expect(c.file).toBe(path.resolve("lab.config.ts"));
    expect(c.agents).toBe(1);
  });

  it("names the file, the field and what is allowed for a wrong type", async () => {
    const d = dir();
    writeFileSync(path.join(d, "lab.config.ts"), importLine + `export default defineConfig({ agents: "two" as unknown as number });\n`);
    const err = await loadConfig({ cwd: d }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).kind).toBe("config");
    expect((err as LabError).message).toContain(path.join(d, "lab.config.ts"));
    expect((err as LabError).message).toMatch(/agents: .*number/i);
  });

  it("rejects an unknown key by name and lists the allowed ones", async () => {
    const d = dir();
    writeFileSync(path.join(d, "lab.config.ts"), `export default { profle: "1.4" };\n`);
    const err = (await loadConfig({ cwd: d }).catch((e: unknown) => e)) as LabError;
    expect(err.message).toContain("unknown key 'profle'");
    expect(err.fix).toContain("profile");
  });

  it("reports a syntax error as a config error, not a crash", async () => {
    const d = dir();
    writeFileSync(path.join(d, "lab.config.ts"), `export default { profile: "1.4" ;\n`);
    const err = (await loadConfig({ cwd: d }).catch((e: unknown) => e)) as LabError;
    expect(err.kind).toBe("config");
    expect(err.message).toContain("could not be loaded");
  });

  it("rejects a subnet that is not a /24 and a profile it does not know", () => {
    expect(() => resolveConfig({ network: { subnet: "10.0.0.0/16" } }, "f.ts", "/")).toThrow(/network.subnet/);
    expect(() => resolveConfig({ profile: "1.5" }, "f.ts", "/")).toThrow(/profile/);
  });
});
