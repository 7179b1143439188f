import { realpathSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadCatalogue } from "../../src/catalogue/load.js";
import { labelFilter } from "../../src/runtime/labels.js";
import { createRuntime } from "../../src/runtime/factory.js";
import { labIdOf } from "../../src/lab/identity.js";
import { ensureStandinImages } from "../standin/image.js";
import { cli, tempLab } from "../helpers/cli.js";
import { hasDocker } from "../helpers/docker.js";
import { freePort } from "../helpers/registry.js";

const runtime = createRuntime();

describe.skipIf(!hasDocker)("mesos-lab against stand-in images (real binary, real engine)", () => {
  it("verify 01 --reporter junit exits 0 with one testcase per step and no secret in the output", async () => {
    const images = await ensureStandinImages({ profile: "1.11" });
    const dir = realpathSync(tempLab(`{ images: ${JSON.stringify(images)}, ports: { master: 0, agent: 0, exhibitor: 0, zk: 0 } }`));
    const r = await cli(["verify", "01", "--reporter", "junit"], { cwd: dir });
    expect(r.exitCode, r.all).toBe(0);
    const steps = (await loadCatalogue()).find((e) => e.id === "01")!.steps.map((st) => st.id);
    expect(r.stdout.match(/<testcase /g)).toHaveLength(steps.length);
    expect(r.stdout).toContain('failures="0"');
    expect(r.stderr).toContain("✓ the agent registers with the master");
    expect(await runtime.owned.list(labelFilter({ lab: labIdOf({ root: dir }) }))).toEqual([]);
  });

  it("up leaves the cluster running with the UI published; doctor sees the images and counts the lab's own port as no conflict; down removes it", async () => {
    const images = await ensureStandinImages({ profile: "1.11" });
    const port = await freePort();
    const dir = realpathSync(tempLab(`{ images: ${JSON.stringify(images)}, ports: { master: ${port}, agent: 0, exhibitor: 0, zk: 0 } }`));
    const lab = labIdOf({ root: dir });
    const up = await cli(["up", "01:cluster"], { cwd: dir });
    expect(up.exitCode, up.all).toBe(0);
    expect(up.stdout).toContain("The cluster stays up");
    const running = (await runtime.owned.list(labelFilter({ lab }))).filter((i) => i.kind === "container");
    expect(running.map((c) => c.labels["io.mesos-lab.role"]).sort()).toEqual(["agent", "master", "zk"]);
    const doctor = await cli(["doctor"], { cwd: dir });
    expect(doctor.stdout).toMatch(/✓ engine: Docker \d+/);
    expect(doctor.stdout).toContain(`✓ image ${images.master}: present`);
    // issue 19 point 5: the port is taken, by this lab's own master, which the next run replaces
    expect(up.stdout).toContain(`master UI     http://127.0.0.1:${port}`);
    expect(doctor.stdout).toContain(`✓ port ${port}: held by this lab's master UI (mesos-lab down frees it)`);
    const down = await cli(["down"], { cwd: dir });
    expect(down.exitCode).toBe(0);
    expect(down.stdout).toMatch(/removed 3 container\(s\), 1 network\(s\)/);
    expect(await runtime.owned.list(labelFilter({ lab }))).toEqual([]);
  });
});
