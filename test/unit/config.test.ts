import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, resolveConfig } from "../../src/config/load.js";
import { LabError } from "../../src/util/errors.js";
import { tempDir } from "../helpers/temp-dir.js";

const dir = () => tempDir("config");
/** The lab registry's images (exercise 12), the same for every profile. */
const REGISTRY = { registry: "registry:2.8", tokens: "node:20-alpine" };
const importLine = `import { defineConfig } from ${JSON.stringify(path.resolve("src/config/index.ts"))};\n`;

describe("lab.config.ts", () => {
  it("defaults every field: profile 1.11 with Apache's one image for master, agent and mesos-execute", () => {
    const c = resolveConfig({}, undefined, "/x");
    expect(c.profile).toBe("1.11");
    expect(c.images).toEqual({
      zk: "zookeeper:3.8",
      master: "mesos/mesos-centos:1.11.0",
      agent: "mesos/mesos-centos:1.11.0",
      execute: "mesos/mesos-centos:1.11.0",
      ...REGISTRY,
      // the attack steps' hosts: the Mesos image and the token service's Node
      attacker: "mesos/mesos-centos:1.11.0",
      relay: "node:20-alpine",
    });
    expect(c.network).toEqual({ mode: "bridge", subnet: "auto" });
    expect(c.ports.master).toBe(5050);
    expect(c.timeouts.execute).toBeGreaterThan(0);
  });

  it("takes the profile's images unless overridden per role: 1.4 has the workshop's", () => {
    const c = resolveConfig({ profile: "1.4", images: { agent: "me/agent:1" } }, undefined, "/x");
    expect(c.images).toEqual({
      zk: "netflixoss/exhibitor:1.5.2",
      master: "mesosphere/mesos-master:1.4.0-rc5",
      agent: "me/agent:1",
      execute: "mesosphere/mesos:1.4.0-rc5",
      ...REGISTRY,
      attacker: "mesosphere/mesos:1.4.0-rc5",
      relay: "node:20-alpine",
    });
  });

  it("loads the repository's own lab.config.ts", async () => {
    const c = await loadConfig({ cwd: process.cwd() });
    expect(c.file).toBe(path.resolve("lab.config.ts"));
    expect(c.agents).toBe(1);
  });

  it("names the file, the field and what is allowed for a wrong type", async () => {
    const d = dir();
    writeFileSync(path.join(d, "lab.config.ts"), `${importLine}export default defineConfig({ agents: "two" as unknown as number });\n`);
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

describe("profiles of the lab's own (lab.config.ts `profiles`)", () => {
  const fork = {
    name: "acme-1.11.9",
    like: "1.11",
    release: "1.11.9",
    images: { master: "acme/mesos:1.11.9", agent: "acme/mesos:1.11.9", execute: "acme/mesos:1.11.9" },
  };

  it("is the built-in profile it is like, at its own release and on its own images", () => {
    const c = resolveConfig({ profile: "acme-1.11.9", profiles: [fork] }, "lab.config.ts", "/x");
    const v111 = resolveConfig({ profile: "1.11" }, undefined, "/x").mesos;
    expect(c.profile).toBe("acme-1.11.9");
    expect(c.mesos).toMatchObject({ name: "acme-1.11.9", release: "1.11.9", like: "1.11", real: false, facts: v111.facts, flags: v111.flags, acls: v111.acls });
    expect(c.images).toEqual({
      zk: "zookeeper:3.8",
      master: "acme/mesos:1.11.9",
      agent: "acme/mesos:1.11.9",
      execute: "acme/mesos:1.11.9",
      ...REGISTRY,
      attacker: "acme/mesos:1.11.9",
      relay: "node:20-alpine",
    });
    expect(c.mesos.checked).toBe("like 1.11, release 1.11.9, from lab.config.ts (mesos-lab checks the catalogue for its built-in profiles only)");
    // defining one does not select it; images set at the top still win
    expect(resolveConfig({ profiles: [fork] }, undefined, "/x").mesos.name).toBe("1.11");
    expect(resolveConfig({ profile: "acme-1.11.9", profiles: [fork], images: { agent: "me/agent:2" } }, undefined, "/x").images.agent).toBe("me/agent:2");
  });

  it("names what is wrong with an entry, as for any field of the config", () => {
    const bad = (profiles: unknown[], profile = "acme-1.11.9") => {
      try {
        resolveConfig({ profile, profiles }, "lab.config.ts", "/x");
      } catch (e) {
        expect(e).toBeInstanceOf(LabError);
        expect((e as LabError).kind).toBe("config");
        return (e as LabError).message;
      }
      throw new Error("accepted");
    };
    expect(bad([{ ...fork, like: "1.10" }])).toContain("profiles.0.like: '1.10' is not a built-in profile (built in: 1.4, 1.11)");
    expect(bad([{ ...fork, name: "1.11" }], "1.11")).toContain("profiles.0.name: '1.11' is the name of a built-in profile");
    expect(bad([fork, fork])).toContain("profiles.1.name: a second profile named 'acme-1.11.9'");
    expect(bad([{ ...fork, release: "1.11.x" }])).toContain("profiles.0.release: a Mesos release like 1.11 or 1.4.2");
    expect(bad([{ ...fork, name: "../evil" }])).toContain("profiles.0.name: a name of letters, digits");
    expect(bad([{ ...fork, images: { master: "acme/mesos 1.11" } }])).toContain("profiles.0.images.master: an image reference");
    expect(bad([{ ...fork, flags: ["x"] }])).toContain("profiles.0: unknown key 'flags'");
    expect(bad([{ ...fork, checked: "" }])).toContain("profiles.0.checked");
    expect(bad([fork], "acme")).toContain("profile: unknown profile 'acme' (known: 1.4, 1.11, acme-1.11.9)");
    expect(bad("not a list" as unknown as unknown[])).toContain("profiles:");
  });
});

describe("the attack steps' images", () => {
  it("follow the execute and tokens images unless the lab names its own", () => {
    const c = resolveConfig({ images: { execute: "me/mesos:1", tokens: "me/node:20" } }, undefined, "/x");
    expect([c.images.attacker, c.images.relay]).toEqual(["me/mesos:1", "me/node:20"]);
    const own = resolveConfig({ images: { execute: "me/mesos:1", attacker: "me/kali:1" } }, undefined, "/x");
    expect([own.images.attacker, own.images.relay]).toEqual(["me/kali:1", "node:20-alpine"]);
  });
});
