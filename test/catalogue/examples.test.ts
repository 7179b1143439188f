import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadCatalogue } from "../../src/catalogue/load.js";
import { builtinProfile } from "../../src/model/profiles/index.js";
import { ensureLabMaterial } from "../../src/pki/index.js";
import { ROOT } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";

/**
 * examples/hardened, the lab the README audits as fully secured (test/real/audit.test.ts runs it on real Mesos): it
 * loads as a lab's own exercise folder, and every file it places is lab material a lab has, on a network or not.
 */
describe("examples/hardened", () => {
  const load = (profile: string) => loadCatalogue({ exercisesDir: path.join(ROOT, "examples", "hardened"), root: ROOT, mesos: builtinProfile(profile)! });

  it("loads under 1.11 and is left out under 1.4 (its TLS flags are the names 1.10 gave them)", async () => {
    expect((await load("1.11")).map((e) => `${e.id}-${e.slug}`)).toEqual(["01-hardened"]);
    expect(await load("1.4")).toEqual([]);
  });

  it("places only lab material that exists, the executors' own leaf included, with only certificates and the executor's key readable by all", async () => {
    const [ex] = await load("1.11");
    const dir = tempDir("hardened");
    const m = await ensureLabMaterial({ sslDir: path.join(dir, "ssl"), credentialsDir: path.join(dir, "credentials") });
    const issued = await m.issueForNetwork({ master: "10.213.7.3", agent: "10.213.7.4", scheduler: "10.213.7.20", zk: "10.213.7.2" });
    const files = ex!.steps.flatMap((s) => s.files ?? []);
    for (const f of files) {
      if (f.from!.startsWith("ssl/") && f.from !== "ssl/ca.pem") expect(issued.has(f.from!), `${f.from} issued for the network's addresses`).toBe(true);
      expect(m.read(f.from!).length, `${f.from} in the lab's own folder (host mode)`).toBeGreaterThan(0);
    }
    const open = files.filter((f) => f.mode !== undefined && (f.mode & 0o004) !== 0).map((f) => f.from);
    expect(open.filter((f) => !f!.endsWith(".pem") || f!.endsWith("-key.pem"))).toEqual(["ssl/executor-key.pem"]);
  });
});
