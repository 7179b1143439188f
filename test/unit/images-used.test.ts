import { describe, expect, it } from "vitest";
import { loadCatalogue } from "../../src/catalogue/load.js";
import { resolveConfig } from "../../src/config/load.js";
import { configuredImages, rolesUsed } from "../../src/lab/images.js";
import { builtinProfile } from "../../src/model/profiles/index.js";

const catalogue = await loadCatalogue();
const byId = (id: string) => catalogue.filter((e) => e.id === id);
const v111 = builtinProfile("1.11")!;

describe("which images a run needs", () => {
  it("only the registry exercise needs the registry's images; every exercise needs ZooKeeper, master, agent and mesos-execute", () => {
    // exercise 01's attack runs on the attacker's host; 02's and 09's relay runs on Node (the tokens image by default)
    expect(rolesUsed(byId("01"), v111)).toEqual(["zk", "master", "agent", "execute", "attacker"]);
    expect(rolesUsed(byId("02"), v111)).toEqual(["zk", "master", "agent", "execute", "relay"]);
    expect(rolesUsed(byId("12"), v111)).toEqual(["zk", "master", "agent", "execute", "registry", "tokens"]);
    expect(rolesUsed(catalogue, builtinProfile("1.4")!), "exercise 12 runs under 1.11 only").not.toContain("registry");
  });

  it("verify 01 asks for the Mesos images only; pull and bundle (no exercises named) ask for every configured image", () => {
    const config = resolveConfig({ profile: "1.11" }, undefined, "/");
    expect(configuredImages(config, byId("01"))).toEqual(["zookeeper:3.8", "mesos/mesos-centos:1.11.0"]);
    // the relay runs on Node's image
    expect(configuredImages(config, byId("09"))).toEqual(["zookeeper:3.8", "mesos/mesos-centos:1.11.0", "node:20-alpine"]);
    expect(configuredImages(config, byId("12"))).toEqual(["zookeeper:3.8", "mesos/mesos-centos:1.11.0", "registry:2.8", "node:20-alpine"]);
    expect(configuredImages(config)).toEqual(["zookeeper:3.8", "mesos/mesos-centos:1.11.0", "registry:2.8", "node:20-alpine"]);
  });
});
